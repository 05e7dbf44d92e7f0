/*
 * The contract between @slipway/constructs and @slipway/cli: what the CLI's
 * readers find in a deployed environment or a synthesized app because these
 * constructs put it there. Change a value here and the CLI (which imports this
 * file) follows; test/contract.test.ts pins the values and proves a
 * synthesized stack carries them.
 *
 * Kept free of imports, aws-cdk-lib's above all: the CLI loads it as
 * `@slipway/constructs/lib/contract`, and its single-file verify bundle takes in
 * this file alone.
 */

/**
 * The tag that marks every resource of one environment's stack with the
 * environment's name. `slipway status --env <name>` and `slipway verify --env
 * <name>` find the environment's ECS cluster by it, so people on call need no
 * stack outputs.
 */
export const ENVIRONMENT_TAG_KEY = 'slipway:environment';

/**
 * The tag on every ECS service of an environment with an out-of-hours schedule: the time zone, the awake days and the
 * awake hours (`Europe/Dublin MON TUE WED THU FRI 08:00-19:00`, see `scheduleTagValue`). `slipway verify` and `slipway
 * status` read it from DescribeServices to tell a service asleep by schedule from a broken one; `slipway cost` reads it
 * from the template to count the hours the tasks run.
 */
export const SCHEDULE_TAG_KEY = 'slipway:awake-hours';

/**
 * The tag, with the value `NIGHT_START_TAG_VALUE`, on each task `slipway verify` starts at night to prove that a
 * service asleep by schedule can start its new task definition. The verification role may only stop tasks that carry
 * it, and may only tag a task with it as RunTask creates it (`ecs:CreateAction`), so the role cannot stop the
 * services' own tasks. The tasks' `startedBy` is `slipway-verify`.
 */
export const NIGHT_START_TAG_KEY = 'slipway:verify';

/** The value of `NIGHT_START_TAG_KEY` on a task `slipway verify` starts at night. */
export const NIGHT_START_TAG_VALUE = 'night-start';

/**
 * The tag, with the value `NIGHT_START_SKIP_TAG_VALUE`, on an ECS service asleep by schedule that `slipway verify`
 * must not start at night (`startWhenAsleep: false`: a worker that must not take jobs out of hours). Verify then checks
 * the images its task definition names only, as with `--skip-start`, and the verification role may not start it.
 */
export const NIGHT_START_SKIP_TAG_KEY = 'slipway:night-start';

/** The value of `NIGHT_START_SKIP_TAG_KEY` on a service `slipway verify` leaves asleep. */
export const NIGHT_START_SKIP_TAG_VALUE = 'skip';

/**
 * The Docker build argument that carries the commit an image is built from,
 * set on every Dockerfile directory image. `slipway verify --version-service`
 * reads it from the stage's asset manifest (`<stack>.assets.json`) and checks
 * that the service's `/api/version` reports it.
 */
export const IMAGE_COMMIT_BUILD_ARG = 'GIT_SHA';

/**
 * The Docker label of each service's container definition that names the commit its image was built from (the OCI
 * annotation images carry; ECS shows a container definition's labels, not an image's). `slipway images` reads it
 * from the task definitions to tell which revision runs which commit, and to find the revision of a commit.
 */
export const IMAGE_REVISION_LABEL = 'org.opencontainers.image.revision';

/**
 * The file name of the single-file `slipway verify` in the cloud assembly:
 * SlipwayPipeline copies the bundle there, and the verification steps run
 * `node slipway-verify.js verify ...` from the assembly.
 */
export const VERIFY_BUNDLE_FILE = 'slipway-verify.js';

/**
 * The construct metadata types under which synth records the settings in the
 * cloud assembly (manifest.json, beside each stack; never in a template, so a
 * deploy does not see them). `slipway doctor` reads them back from `cdk.out`:
 * the settings the app was synthesized from, without running TypeScript.
 */
export const SETTINGS_METADATA = {
  /** An environment's `EnvironmentConfig`, on its `SlipwayAppStack`. */
  environment: 'slipway:environment-settings',
  /** The pipeline's `PipelineSettings`, on `SlipwayPipeline`. */
  pipeline: 'slipway:pipeline-settings',
} as const;

/**
 * The key of the stack output that holds the ARN of a secret the stack creates for a service's setting
 * (`services.<service>.secrets.<VARIABLE>: { create: true }`): `Secret<Service><Variable>Arn` in CloudFormation's
 * alphanumeric logical ids, each `-` or `_`-separated word capitalized (`backend`, `TEMPORAL_API_KEY` →
 * `SecretBackendTemporalApiKeyArn`). `slipway doctor` finds the secret by it.
 */
export function createdSecretOutputKey(service: string, variable: string): string {
  const words = (name: string): string =>
    name
      .split(/[-_]/)
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
      .join('');
  return `Secret${words(service)}${words(variable)}Arn`;
}
