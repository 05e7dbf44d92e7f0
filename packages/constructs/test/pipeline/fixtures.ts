import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnOutput, Stack, Stage } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EnvironmentConfig } from '../../src/config/environment-config';
import { enforceSecurityChecks } from '../../src/nag/security-checks';
import { DeployableStage, VerifiableDeployment } from '../../src/pipeline/deployable-stage';
import { DeploymentVerificationRole } from '../../src/pipeline/deployment-verification-role';
import { definePipeline, PipelineSettings } from '../../src/pipeline/pipeline-settings';
import { SlipwayPipeline } from '../../src/pipeline/slipway-pipeline';

export const PIPELINE_ACCOUNT = '111111111111';
export const CONNECTION_ARN =
  'arn:aws:codeconnections:eu-west-1:111111111111:connection/0d1e2f30-1111-4222-8333-444455556666';

export const SETTINGS: PipelineSettings = definePipeline({
  repository: 'acme/shop',
  branch: 'release',
  connectionArn: CONNECTION_ARN,
  account: PIPELINE_ACCOUNT,
  region: 'eu-west-1',
  notifyEmail: 'releases@example.org',
});

/**
 * A stand-in for @slipway/cli's `lib/slipway-verify.js` (the CLI builds after this package, so its real bundle
 * cannot be used here; packages/infra's delivery-stack test synthesizes with the real one).
 */
export const VERIFY_BUNDLE = path.join(mkdtempSync(path.join(tmpdir(), 'slipway-verify-bundle-')), 'slipway-verify.js');
writeFileSync(
  VERIFY_BUNDLE,
  "// stand-in for the single-file slipway verify of @slipway/cli\nconsole.log('slipway verify');\n",
);

/** A small environment; only the fields the pipeline reads matter here. */
export function environment(name: string, account: string, approval = false): EnvironmentConfig {
  return {
    name,
    account,
    region: 'eu-west-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    network: { maxAzs: 2, natGateways: 1 },
    services: {
      backend: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: 'spot' },
      frontend: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: 'spot' },
    },
    logRetentionDays: 7,
    containerInsights: false,
    deletionProtection: false,
    highAvailability: false,
    approval: approval ? { required: true } : undefined,
  };
}

/**
 * A stand-in application Stage: a stack with the outputs and verification
 * role a real one has, around imported ECS resources.
 */
export class FakeApplicationStage extends Stage implements DeployableStage {
  public readonly deployment: VerifiableDeployment;

  constructor(
    scope: Construct,
    id: string,
    public readonly config: EnvironmentConfig,
    addResources?: (stack: Stack) => void,
  ) {
    super(scope, id, { env: { account: config.account, region: config.region } });
    const stack = new Stack(this, 'Application');
    addResources?.(stack);
    const clusterArn = `arn:aws:ecs:${config.region}:${config.account}:cluster/${config.name}`;
    const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', clusterArn);
    const services = Object.keys(config.services).map((name) =>
      ecs.FargateService.fromFargateServiceArn(
        stack,
        `${name}Service`,
        `arn:aws:ecs:${config.region}:${config.account}:service/${config.name}/${name}`,
      ),
    );
    this.deployment = {
      url: new CfnOutput(stack, 'Url', { value: `http://${config.name}.example.org` }),
      clusterName: new CfnOutput(stack, 'ClusterName', { value: config.name }),
      serviceNames: Object.fromEntries(
        Object.keys(config.services).map((name) => [name, new CfnOutput(stack, `${name}ServiceName`, { value: name })]),
      ),
      verificationRole: new DeploymentVerificationRole(stack, 'Verification', {
        pipelineAccount: PIPELINE_ACCOUNT,
        cluster,
        services,
        // With a schedule, the services' task definitions (each with its task and execution role), as
        // ApplicationStage passes them: verify starts one task of each at night.
        scheduledTaskDefinitions: config.schedule
          ? Object.keys(config.services).map((name) =>
              ecs.FargateTaskDefinition.fromFargateTaskDefinitionAttributes(stack, `${name}TaskDefinition`, {
                taskDefinitionArn: `arn:aws:ecs:${config.region}:${config.account}:task-definition/${config.name}-${name}:7`,
                networkMode: ecs.NetworkMode.AWS_VPC,
                taskRole: iam.Role.fromRoleArn(
                  stack,
                  `${name}TaskRole`,
                  `arn:aws:iam::${config.account}:role/${config.name}-${name}-task`,
                ),
                executionRole: iam.Role.fromRoleArn(
                  stack,
                  `${name}ExecutionRole`,
                  `arn:aws:iam::${config.account}:role/${config.name}-${name}-execution`,
                ),
              }),
            )
          : undefined,
      }),
      versionService: 'backend',
    };
  }
}

/**
 * An App with both nag packs enforced, a pipeline stack, and one stage per environment in the given order.
 * @param addResources adds resources to every stage's stack (before the pipeline synthesizes the stages)
 */
export function pipelineApp(
  environments: EnvironmentConfig[],
  settings: PipelineSettings = SETTINGS,
  addResources?: (stack: Stack) => void,
) {
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'slipway-pipeline-')) });
  enforceSecurityChecks(app);
  const stack = new Stack(app, 'Delivery', { env: { account: settings.account, region: settings.region } });
  const stages = environments.map(
    (config) => new FakeApplicationStage(stack, capitalize(config.name), config, addResources),
  );
  const pipeline = new SlipwayPipeline(stack, 'Pipeline', { settings, stages, verifyBundle: VERIFY_BUNDLE });
  return { app, stack, stages, pipeline };
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
