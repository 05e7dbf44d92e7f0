import {
  EnvironmentConfig,
  findPipelinePlaceholders,
  findPlaceholders,
  PipelineSettings,
  SlipwayConfigError,
} from '@slipway/constructs';
import { DELIVERY_STACK_ID } from './app';
import { CdkTaskError } from './cdk-task-error';
import { stageId } from './delivery-stack';

export { CdkTaskError };

/** The CDK CLI commands the infra tasks wrap. */
export const CDK_ACTIONS = ['deploy', 'diff', 'destroy'] as const;
export type CdkAction = (typeof CDK_ACTIONS)[number];

/** What `deploy:<env>`, `diff:<env>`, `destroy:<env>` and the pipeline's tasks run. */
export interface CdkInvocation {
  /** Arguments for the `cdk` CLI. */
  readonly args: string[];
  /** One line for the person running the task. */
  readonly description: string;
}

/** A wrong task argument or a placeholder that must not be deployed; the message says what to do. */

/**
 * Turn `<action> <environment|pipeline> [cdk options...]` into a `cdk`
 * command line for the stacks of that one environment's stage (or the
 * pipeline stack). Deploying and diffing refuse placeholder accounts, domains,
 * repositories and connections, naming each file and field to change.
 *
 * @throws CdkTaskError for an unknown action or target, or a placeholder on deploy or diff
 */
export function planCdkTask(
  argv: readonly string[],
  environments: readonly EnvironmentConfig[],
  pipeline: PipelineSettings,
): CdkInvocation {
  const [action, target, ...extra] = argv;
  const names = environments.map((config) => config.name);
  const usage = `usage: <${CDK_ACTIONS.join('|')}> <${[...names, 'pipeline'].join('|')}> [cdk options]`;
  if (!CDK_ACTIONS.includes(action as CdkAction)) throw new CdkTaskError(`Unknown action "${action ?? ''}". ${usage}`);
  if (target === undefined) throw new CdkTaskError(`Name the environment or "pipeline". ${usage}`);

  // A deploy with placeholders would fail half-way or deploy nowhere; a diff against a placeholder account
  // compares with nothing there. Destroy stays allowed: it removes only what exists.
  const refuses = action === 'deploy' || action === 'diff';
  if (target === 'pipeline') {
    if (refuses) {
      // The pipeline goes on to deploy every environment: all of them must be real.
      refusePlaceholders(refusal(action, 'the pipeline'), everyPlaceholderError(environments, pipeline));
    }
    return {
      args: [action, DELIVERY_STACK_ID, ...extra],
      description: `${action} the pipeline stack (account ${pipeline.account}, ${pipeline.region})`,
    };
  }

  const config = environments.find((candidate) => candidate.name === target);
  if (!config) {
    throw new CdkTaskError(
      `No environment "${target}" in environments/index.ts (promotion order: ${names.join(', ')}). ${usage}`,
    );
  }
  if (refuses) refusePlaceholders(refusal(action, target), placeholderError(config));
  return {
    // Only this stage's stacks, straight from this machine: no pipeline, no approval, no verification.
    args: [action, `${DELIVERY_STACK_ID}/${stageId(config.name)}/*`, ...extra],
    description: `${action} ${config.name} directly (account ${config.account}, ${config.region})`,
  };
}

/**
 * In the pipeline's own build (CodeBuild sets `CODEBUILD_BUILD_ID`), refuse to synthesize a commit whose settings
 * still hold sample placeholders. The pipeline builds the branch, not a working copy, and CodePipeline starts a run
 * as soon as the pipeline exists: a first run on the generated commit would have its UpdatePipeline step deploy a
 * pipeline stack synthesized from the samples (the all-zero connection, the sample accounts).
 *
 * @throws CdkTaskError naming each file and field, and what to do
 */
export function refuseSamplesInPipelineBuild(
  env: NodeJS.ProcessEnv,
  environments: readonly EnvironmentConfig[],
  pipeline: PipelineSettings,
): void {
  if (!env.CODEBUILD_BUILD_ID) return;
  refusePlaceholders(
    'Refusing to synthesize this commit in the pipeline: its settings still hold sample placeholders. The pipeline builds what is on the branch: commit and push the real settings (environments/), then run the pipeline again.',
    everyPlaceholderError(environments, pipeline),
  );
}

/** The placeholders of the pipeline's settings and of every environment, one error per file. */
function everyPlaceholderError(
  environments: readonly EnvironmentConfig[],
  pipeline: PipelineSettings,
): SlipwayConfigError[] {
  const pipelineIssues = findPipelinePlaceholders(pipeline);
  return [
    ...(pipelineIssues.length > 0 ? [new SlipwayConfigError('environments/index.ts', pipelineIssues)] : []),
    ...environments.flatMap((config) => placeholderError(config)),
  ];
}

function placeholderError(config: EnvironmentConfig): SlipwayConfigError[] {
  const issues = findPlaceholders(config);
  return issues.length > 0 ? [new SlipwayConfigError(`environments/${config.name}.ts`, issues)] : [];
}

function refusal(action: string, what: string): string {
  return `Refusing to ${action} ${what}: the settings still hold sample placeholders.`;
}

function refusePlaceholders(heading: string, errors: readonly SlipwayConfigError[]): void {
  if (errors.length === 0) return;
  throw new CdkTaskError([heading, ...errors.map((error) => error.message)].join('\n'));
}
