import {
  DeployableStage,
  DeploymentVerificationRole,
  EnvironmentConfig,
  SlipwayAppStack,
  SlipwayConfigError,
  VerifiableDeployment,
} from '@slipway/constructs';
import { Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { appServices, appSmokeTest } from './services';

/** Props of `ApplicationStage`. */
export interface ApplicationStageProps {
  /** The environment this stage deploys. */
  readonly config: EnvironmentConfig;
  /** The account the delivery pipeline runs in; its verification step may read this stage's ECS services. */
  readonly pipelineAccount: string;
  /** The repository root, where the Docker build contexts are. */
  readonly repositoryRoot: string;
  /** CloudFormation stack name of the environment's stack, e.g. `slipway-dev`. */
  readonly stackName: string;
}

/**
 * One environment, deployable on its own (`cdk deploy '<pipeline>/<Stage>/*'`)
 * or by the pipeline: the app stack (network, cluster, load balancer, backend
 * and frontend services, dashboard; outputs URL, cluster and service names)
 * and the read-only role the pipeline's verification step assumes.
 */
export class ApplicationStage extends Stage implements DeployableStage {
  public readonly config: EnvironmentConfig;
  public readonly deployment: VerifiableDeployment;
  /** The environment's stack. */
  public readonly app: SlipwayAppStack;

  constructor(scope: Construct, id: string, props: ApplicationStageProps) {
    super(scope, id, { env: { account: props.config.account, region: props.config.region } });
    this.config = props.config;
    this.app = new SlipwayAppStack(this, 'App', {
      stackName: props.stackName,
      config: props.config,
      services: appServices(props.repositoryRoot, props.config.name),
      smokeTest: appSmokeTest(props.repositoryRoot),
    });
    const url = this.app.urlOutput;
    if (!url) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'services',
        value: Object.keys(this.app.services),
        problem: 'must include a service behind the ingress',
        fix: 'The pipeline verifies each stage over HTTP; keep at least one service that is neither internal nor a worker.',
      });
    }
    const services = Object.values(this.app.services).map((service) => service.service);
    this.deployment = {
      url,
      clusterName: this.app.clusterNameOutput,
      serviceNames: this.app.serviceNameOutputs,
      verificationRole: new DeploymentVerificationRole(this.app, 'DeploymentVerification', {
        pipelineAccount: props.pipelineAccount,
        cluster: this.app.cluster.cluster,
        services,
        // At night verify starts one task of each service the schedule has put to sleep, and stops it; not of a
        // service whose spec says `startWhenAsleep: false` (verify checks its task definition only).
        scheduledTaskDefinitions: this.app.nightStartTaskDefinitions,
      }),
      // /api/version reports the GIT_SHA its image was built with; the pipeline's verification checks it.
      versionService: 'backend',
    };
  }
}
