import { EnvironmentConfig, PipelineSettings, SlipwayConfigError, SlipwayPipeline } from '@slipway/constructs';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ApplicationStage } from './application-stage';

/** Props of `DeliveryStack`. */
export interface DeliveryStackProps {
  /** The app's name (`appName` of environments/index.ts): stacks are `<appName>-<environment>` and `<appName>-pipeline`. */
  readonly appName: string;
  /** The environments in promotion order. */
  readonly environments: readonly EnvironmentConfig[];
  /** The pipeline's settings. */
  readonly pipeline: PipelineSettings;
  /** The repository root, where the Docker build contexts are. */
  readonly repositoryRoot: string;
}

/**
 * The pipeline's stack, holding one `ApplicationStage` per environment in
 * promotion order and the pipeline that deploys them. Each stage can also be
 * deployed directly, without the pipeline.
 */
export class DeliveryStack extends Stack {
  /** The stages, in promotion order. */
  public readonly stages: readonly ApplicationStage[];
  /** The pipeline. */
  public readonly pipeline: SlipwayPipeline;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    const applicationName = checkAppName(props.appName);
    super(scope, id, {
      env: { account: props.pipeline.account, region: props.pipeline.region },
      stackName: `${applicationName}-pipeline`,
      description: `Delivery pipeline of ${props.pipeline.repository}`,
    });
    this.stages = props.environments.map(
      (config) =>
        new ApplicationStage(this, stageId(config.name), {
          config,
          pipelineAccount: props.pipeline.account,
          repositoryRoot: props.repositoryRoot,
          stackName: `${applicationName}-${config.name}`,
        }),
    );
    this.pipeline = new SlipwayPipeline(this, 'Pipeline', {
      settings: props.pipeline,
      stages: this.stages,
      verifyBundle: verifyBundlePath(),
    });
  }
}

/**
 * The single-file `slipway verify` of @slipway/cli, which the pipeline copies
 * into the cloud assembly for its verification steps to run with node.
 */
export function verifyBundlePath(): string {
  try {
    return require.resolve('@slipway/cli/lib/slipway-verify.js');
  } catch {
    throw new Error(
      "@slipway/cli's verify bundle (lib/slipway-verify.js) is missing. Install it (npm ci: it is a dependency of packages/infra); in the Slipway repository itself, build it first (npx projen compile in packages/cli).",
    );
  }
}

/** The longest app name: `<app>-<environment>` stays a readable stack name well within CloudFormation's 128. */
export const APP_NAME_MAX_LENGTH = 40;

/**
 * `appName` as it names the stacks, checked: a lowercase DNS label of at most 40 characters.
 *
 * @throws SlipwayConfigError naming environments/index.ts, the value and the fix
 */
export function checkAppName(appName: string, file = 'environments/index.ts'): string {
  if (
    typeof appName === 'string' &&
    /^[a-z][a-z0-9-]*[a-z0-9]$/.test(appName) &&
    appName.length <= APP_NAME_MAX_LENGTH
  ) {
    return appName;
  }
  throw SlipwayConfigError.of(file, {
    field: 'appName',
    value: appName,
    problem: `must be 2 to ${APP_NAME_MAX_LENGTH} lowercase letters, digits or hyphens, starting with a letter`,
    fix: "It names the stacks and the dashboards, APIs and roles in them; use e.g. 'my-shop'.",
  });
}

/** `staging-eu` → `StagingEu`: the Stage's id, also the pipeline stage's name. */
export function stageId(environment: string): string {
  return environment
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
