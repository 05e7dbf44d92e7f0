import { CfnOutput } from 'aws-cdk-lib';
import { DeploymentVerificationRole } from './deployment-verification-role';
import { EnvironmentConfig } from '../config/environment-config';

/** What the pipeline's verification step reads from a deployed stage. */
export interface VerifiableDeployment {
  /** Output holding the stage's public base URL, e.g. `https://app.example.org` or the ALB's `http://` name. */
  readonly url: CfnOutput;
  /** Output holding the ECS cluster's name. */
  readonly clusterName: CfnOutput;
  /** Outputs holding each ECS service's name, keyed by service (`backend`, `frontend`). */
  readonly serviceNames: Readonly<Record<string, CfnOutput>>;
  /** The read-only role the verification step assumes in the environment's account. */
  readonly verificationRole: DeploymentVerificationRole;
  /**
   * The service (a key of `serviceNames`) that answers `/api/version`: it must report the `GIT_SHA` build argument
   * its image was built with, read from the cloud assembly's asset manifest.
   * @default - the reported commit is not checked
   */
  readonly versionService?: string;
}

/**
 * A Stage that deploys one environment and says how to verify it. Implement
 * it on your application Stage and hand the stages to `SlipwayPipeline` in
 * promotion order.
 */
export interface DeployableStage {
  /** The environment the stage deploys. */
  readonly config: EnvironmentConfig;
  /** Where the verification step finds the deployed stage. */
  readonly deployment: VerifiableDeployment;
}
