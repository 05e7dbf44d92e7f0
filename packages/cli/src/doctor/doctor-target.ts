import { EnvironmentConfig, parseEnvironmentConfig, definePipeline, PipelineSettings } from '@slipway/constructs';
import { SETTINGS_METADATA, ENVIRONMENT_TAG_KEY } from '@slipway/constructs/lib/contract';
import { AssetManifestArtifact, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { openCloudAssembly } from '../assembly/cloud-assembly';

/** The qualifier `cdk bootstrap` uses unless told otherwise. */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** What `slipway doctor` checks one environment against, read from the synthesized app. */
export interface DoctorTarget {
  /** The environment's settings, as synth recorded them. */
  readonly config: EnvironmentConfig;
  /** The settings file, named in messages. */
  readonly configFile: string;
  /** The deployed names of the environment's stacks. */
  readonly stackNames: readonly string[];
  /**
   * The deployed name of the environment's `SlipwayAppStack` (the stack that recorded the settings), whose outputs
   * hold the ARNs of the secrets it creates.
   * @default - unknown: the secrets the stack creates are not checked
   */
  readonly appStackName?: string;
  /**
   * The lowest bootstrap version the environment's stacks and assets need
   * (`requiresBootstrapStackVersion`, which CDK also writes into each
   * template's `CheckBootstrapVersion` rule).
   * @default - the stacks need no bootstrap stack (legacy synthesizer)
   */
  readonly requiredBootstrapVersion?: number;
  /** The bootstrap qualifier the stacks' roles and version parameter use. */
  readonly bootstrapQualifier: string;
  /**
   * The pipeline's settings, when the app holds a `SlipwayPipeline`.
   * @default - no pipeline in the app
   */
  readonly pipeline?: PipelineSettings;
}

/** The environment is not in the cloud assembly, or the assembly predates the settings metadata. */
export class DoctorTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DoctorTargetError';
  }
}

/**
 * Find one environment in a cloud assembly: its stacks are the ones tagged
 * `slipway:environment=<name>` (the tag `slipway status` finds the cluster
 * by), its settings are the metadata `SlipwayAppStack` records, and the
 * pipeline's settings are those `SlipwayPipeline` records.
 *
 * @throws CloudAssemblyError when there is no readable assembly
 * @throws DoctorTargetError when the environment is not in it
 */
export function readDoctorTarget(assemblyDir: string, environment: string): DoctorTarget {
  const stacks = openCloudAssembly(assemblyDir).stacksRecursively;
  const tagged = stacks.filter((stack) => stack.tags[ENVIRONMENT_TAG_KEY] === environment);
  if (tagged.length === 0) {
    const known = [...new Set(stacks.map((stack) => stack.tags[ENVIRONMENT_TAG_KEY]).filter(Boolean))].sort();
    throw new DoctorTargetError(
      `No stack of environment "${environment}" in ${assemblyDir} (environments there: ${known.join(', ') || 'none'}). ` +
        'Pass one of them to --env, or synthesize again after adding it to environments/.',
    );
  }
  const appStack = tagged.find((stack) => settingsOf(stack, SETTINGS_METADATA.environment).length > 0);
  const recorded = appStack ? settingsOf(appStack, SETTINGS_METADATA.environment) : [];
  if (recorded.length === 0) {
    throw new DoctorTargetError(
      `The stacks of ${environment} in ${assemblyDir} carry no ${SETTINGS_METADATA.environment} metadata: they were synthesized by an older @slipway/constructs. Run \`npx projen synth\` again.`,
    );
  }
  const configFile = `environments/${environment}.ts`;
  const config = parseEnvironmentConfig(recorded[0], configFile);

  const versions = tagged
    .map((stack) => stack.requiresBootstrapStackVersion)
    .concat(tagged.flatMap(assetVersions))
    .filter((version): version is number => version !== undefined);
  const parameter = tagged.map((stack) => stack.bootstrapStackVersionSsmParameter).find(Boolean);
  const qualifier = /^\/cdk-bootstrap\/([^/]+)\/version$/.exec(parameter ?? '')?.[1] ?? DEFAULT_BOOTSTRAP_QUALIFIER;

  const pipelineSettings = stacks.flatMap((stack) => settingsOf(stack, SETTINGS_METADATA.pipeline))[0];
  return {
    config,
    configFile,
    stackNames: tagged.map((stack) => stack.stackName),
    appStackName: appStack?.stackName,
    requiredBootstrapVersion: versions.length > 0 ? Math.max(...versions) : undefined,
    bootstrapQualifier: qualifier,
    // definePipeline validates the recorded value against the schema before anything trusts its shape.
    pipeline:
      pipelineSettings === undefined
        ? undefined
        : definePipeline(pipelineSettings as PipelineSettings, 'environments/index.ts'),
  };
}

/** The `cdk bootstrap` command line that makes this environment's account deployable by the pipeline. */
export function bootstrapCommandFor(target: DoctorTarget, toolkitStackName: string): string {
  const { account, region } = target.config;
  return [
    `npx cdk bootstrap aws://${account}/${region}`,
    target.pipeline && target.pipeline.account !== account ? `--trust ${target.pipeline.account}` : '',
    '--cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess',
    ...stackFlags(target, toolkitStackName),
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * The `cdk bootstrap` command line for the pipeline's account in this environment's region, where CodePipeline's
 * support stack for the environment deploys (the pipeline's own account trusts itself).
 */
export function pipelineBootstrapCommandFor(target: DoctorTarget, toolkitStackName: string): string {
  return [
    `npx cdk bootstrap aws://${target.pipeline?.account}/${target.config.region}`,
    ...stackFlags(target, toolkitStackName),
  ]
    .filter(Boolean)
    .join(' ');
}

/** The qualifier and stack name flags, where they are not `cdk bootstrap`'s defaults. */
function stackFlags(target: DoctorTarget, toolkitStackName: string): string[] {
  return [
    target.bootstrapQualifier !== DEFAULT_BOOTSTRAP_QUALIFIER ? `--qualifier ${target.bootstrapQualifier}` : '',
    toolkitStackName !== 'CDKToolkit' ? `--toolkit-stack-name ${toolkitStackName}` : '',
  ];
}

function settingsOf(stack: CloudFormationStackArtifact, type: string): unknown[] {
  return stack.findMetadataByType(type).map((entry) => entry.data);
}

/** The bootstrap versions a stack's asset manifests need: publishing its images and files uses the bootstrap's roles too. */
function assetVersions(stack: CloudFormationStackArtifact): (number | undefined)[] {
  return stack.dependencies
    .filter((artifact): artifact is AssetManifestArtifact => artifact instanceof AssetManifestArtifact)
    .map((artifact) => artifact.requiresBootstrapStackVersion);
}
