import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CodeBuildStep, IFileSetProducer } from 'aws-cdk-lib/pipelines';
import { VerifiableDeployment } from './deployable-stage';

/** Props of `DeploymentVerificationStep`. */
export interface DeploymentVerificationStepProps {
  /** The environment's region, where its ECS services run. */
  readonly region: string;
  /** Where to find the deployed stage. */
  readonly deployment: VerifiableDeployment;
  /** The synth step's cloud assembly: it carries the CLI bundle and the stage's template. */
  readonly cloudAssembly: IFileSetProducer;
  /** The single-file `slipway verify`, relative to the cloud assembly's root; it runs with `node` alone. */
  readonly cli: string;
  /**
   * The stage stack's template, relative to the cloud assembly's root. Every service must run the images
   * its task definitions name, and `deployment.versionService`'s `/api/version` the commit its image was built from.
   */
  readonly template: string;
  /**
   * Longest wait for the rollout to complete, in seconds.
   * @default 900
   */
  readonly rolloutTimeoutSeconds?: number;
  /**
   * Minutes the environment's releases wait by design (canary or linear steps, bake time: `plannedReleaseMinutes`).
   * `slipway verify` waits that much longer than `rolloutTimeoutSeconds` for a release still shifting traffic, so
   * the build's own timeout leaves room for it.
   * @default 0 (rolling releases)
   */
  readonly releaseWaitMinutes?: number;
}

/** CodeBuild's longest build timeout (TimeoutInMinutes: 5 to 2160). */
const CODEBUILD_MAX_TIMEOUT_MINUTES = 2160;

/** The profile, in the build's AWS config, that assumes the verification role. */
const PROFILE = 'slipway-verify';
const SUMMARY_FILE = 'slipway-verify.txt';

/**
 * The step after each stage's deployment: assume the environment's read-only
 * verification role and run `slipway verify` against the stage's cluster,
 * services and URL, from the single-file bundle in the cloud assembly (no
 * install). It proves every service runs the images the stage's synthesized
 * template names, and that the version service reports its image's commit. It exports the verified URL and the one-line result so
 * the next promotion's approval can show them.
 */
export class DeploymentVerificationStep extends CodeBuildStep {
  /** The verified URL, as a pipeline variable. */
  public readonly verifiedUrl: string;
  /** `slipway verify`'s one-line result, as a pipeline variable. */
  public readonly verificationSummary: string;

  constructor(id: string, props: DeploymentVerificationStepProps) {
    const services = Object.keys(props.deployment.serviceNames).sort();
    const versionService = props.deployment.versionService;
    if (versionService !== undefined && !services.includes(versionService)) {
      throw new Error(
        `deployment.versionService "${versionService}" must be one of deployment.serviceNames (${services.join(', ')}).`,
      );
    }
    const serviceVariables = Object.fromEntries(
      services.map((service) => [serviceVariable(service), props.deployment.serviceNames[service]]),
    );
    const role = props.deployment.verificationRole;
    const timeoutSeconds = props.rolloutTimeoutSeconds ?? 900;
    super(id, {
      // Nothing to install: node (the build image's runtime) runs the bundle from the cloud assembly.
      input: props.cloudAssembly,
      env: {
        SLIPWAY_VERIFY_ROLE_ARN: role.roleArn(Aws.PARTITION),
      },
      envFromCfnOutputs: {
        SLIPWAY_URL: props.deployment.url,
        SLIPWAY_CLUSTER: props.deployment.clusterName,
        ...serviceVariables,
      },
      commands: [
        // The SDK assumes the role from the build container's own credentials.
        'mkdir -p ~/.aws',
        `printf '[profile ${PROFILE}]\\nrole_arn = %s\\ncredential_source = EcsContainer\\nrole_session_name = slipway-verify\\n' "$SLIPWAY_VERIFY_ROLE_ARN" >> ~/.aws/config`,
        [
          `AWS_PROFILE=${PROFILE} node ${props.cli} verify`,
          `--region ${props.region}`,
          '--cluster "$SLIPWAY_CLUSTER"',
          ...services.map((service) => `--service "$${serviceVariable(service)}"`),
          '--url "$SLIPWAY_URL"',
          `--template ${props.template}`,
          ...(versionService !== undefined ? [`--version-service "$${serviceVariable(versionService)}"`] : []),
          `--timeout ${timeoutSeconds}`,
          `--summary-file ${SUMMARY_FILE}`,
        ].join(' '),
        'export SLIPWAY_VERIFIED_URL="$SLIPWAY_URL"',
        `export SLIPWAY_VERIFICATION="$(cat ${SUMMARY_FILE})"`,
      ],
      rolePolicyStatements: [
        new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [role.roleArn(Aws.PARTITION)] }),
      ],
      // The rollout wait (extended by the release's planned wait) and the smoke test are bounded; this only backs
      // them up, with 15 minutes for the smoke test's retries and the build's own start.
      timeout: Duration.minutes(
        Math.min(CODEBUILD_MAX_TIMEOUT_MINUTES, Math.ceil(timeoutSeconds / 60) + (props.releaseWaitMinutes ?? 0) + 15),
      ),
    });
    this.verifiedUrl = this.exportedVariable('SLIPWAY_VERIFIED_URL');
    this.verificationSummary = this.exportedVariable('SLIPWAY_VERIFICATION');
  }
}

/** `backend` → `SLIPWAY_SERVICE_BACKEND`. */
export function serviceVariable(service: string): string {
  return `SLIPWAY_SERVICE_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
