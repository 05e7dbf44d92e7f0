import { EnvironmentConfig, PipelineSettings, SlipwayPipeline } from '@slipway/constructs';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ApplicationStage } from './application-stage';

/** Props of `DeliveryStack`. */
export interface DeliveryStackProps {
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
    const applicationName = applicationNameOf(props.pipeline.repository);
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

/** `acme/My_Shop` → `my-shop`: the repository's name, which prefixes every stack name. */
export function applicationNameOf(repository: string): string {
  return repository
    .split('/')[1]
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
}

/** `staging-eu` → `StagingEu`: the Stage's id, also the pipeline stage's name. */
export function stageId(environment: string): string {
  return environment
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
