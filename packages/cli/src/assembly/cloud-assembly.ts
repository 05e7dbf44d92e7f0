import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AssetManifestArtifact,
  CloudAssembly,
  CloudFormationStackArtifact,
  NestedCloudAssemblyArtifact,
  UNKNOWN_ACCOUNT,
  UNKNOWN_REGION,
} from 'aws-cdk-lib/cx-api';

/** A CloudFormation resource as synthesized. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
}

/** A synthesized CloudFormation template. */
export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, any>;
  readonly Conditions?: Record<string, any>;
  readonly Outputs?: Record<string, any>;
}

/** One stack of the cloud assembly. */
export interface AssemblyStack {
  /** The artifact id in manifest.json, e.g. `DevAppF437F5B9`. */
  readonly artifactId: string;
  /** The construct path, e.g. `Dev/App`. */
  readonly displayName: string;
  /** The deployed stack name, e.g. `Dev-App`. */
  readonly stackName: string;
  /** The account, or undefined when the stack is environment-agnostic. */
  readonly account?: string;
  /** The region, or undefined when the stack is environment-agnostic. */
  readonly region?: string;
  /** The template file, relative to the assembly root. */
  readonly templateFile: string;
  /** The parsed template. */
  readonly template: Template;
  /**
   * Construct path by logical id (`BackendService10C26BD4` → `/Delivery/Dev/App/Backend/Service/Service/Resource`),
   * from the assembly's metadata, which CDK writes whether or not templates carry path metadata.
   */
  readonly constructPaths: Readonly<Record<string, string>>;
}

/** A group of stacks priced and drawn together: one Stage, or the top-level stacks. */
export interface AssemblySection {
  /** The Stage's name (`Dev`); for the top-level stacks, the pipeline stack's name, the only stack's name, or `App`. */
  readonly name: string;
  /** The Stage's construct path (`Delivery/Dev`), or the name for the top-level stacks. */
  readonly path: string;
  /** `stage`: a nested assembly (an environment); `pipeline`: the top-level stacks, one of which holds a pipeline; `app`: top-level stacks without one. */
  readonly kind: 'stage' | 'pipeline' | 'app';
  /** The section's stacks, in manifest order. */
  readonly stacks: readonly AssemblyStack[];
}

/** A cloud assembly read from disk. */
export interface CloudAssemblyView {
  /** The directory read. */
  readonly directory: string;
  /** Stage sections first (in the order the app added them), then the top-level stacks. */
  readonly sections: readonly AssemblySection[];
}

/** A Docker image asset a stack's template refers to, as its asset manifest describes it. */
export interface DockerImageAsset {
  /** The image tags it is published under (for CDK's default synthesizer: the asset's content hash). */
  readonly tags: readonly string[];
  /** The `docker build --build-arg`s it is built with. */
  readonly buildArgs: Readonly<Record<string, string>>;
}

/** One stack found by its template file, with the Docker image assets its asset manifests list. */
export interface StackWithAssets {
  readonly stack: AssemblyStack;
  readonly dockerImages: readonly DockerImageAsset[];
  /** The asset manifest files read, relative to the stack's assembly directory (for messages). */
  readonly assetManifestFiles: readonly string[];
}

/** The cloud assembly cannot be read: missing, or not what `cdk synth` writes. */
export class CloudAssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudAssemblyError';
  }
}

/**
 * Read a cloud assembly (the `cdk.out` directory) with CDK's own reader
 * (`aws-cdk-lib/cx-api`): no synth, no AWS calls. Each nested assembly (a CDK
 * Stage, e.g. one per environment in a pipeline) becomes a section; the stacks
 * at the top level become one more.
 *
 * @throws CloudAssemblyError when the directory holds no cloud assembly, or one that cannot be read
 */
export function readCloudAssembly(directory: string): CloudAssemblyView {
  assertManifest(directory);
  return readingAssembly(directory, () => {
    const sections: AssemblySection[] = [];
    const topLevel = readStacksAndStages(openAssembly(directory), directory, sections);
    if (topLevel.length > 0) {
      const pipelineStack = topLevel.find((stack) => hasResourceOfType(stack.template, 'AWS::CodePipeline::Pipeline'));
      const name = pipelineStack?.displayName ?? (topLevel.length === 1 ? topLevel[0].displayName : 'App');
      sections.push({ name, path: name, kind: pipelineStack ? 'pipeline' : 'app', stacks: topLevel });
    }
    return { directory, sections };
  });
}

/**
 * Read the stack whose template is `templateFile`, from the (nested) cloud
 * assembly in the file's directory, and the Docker image assets its asset
 * manifests list: the stack artifact's dependencies, as `cdk synth` writes them.
 *
 * @throws CloudAssemblyError when the file's directory holds no cloud assembly, or none of its stacks has that template
 */
export function readStackOfTemplate(templateFile: string): StackWithAssets {
  const directory = path.dirname(path.resolve(templateFile));
  if (!fs.existsSync(path.join(directory, 'manifest.json'))) {
    throw new CloudAssemblyError(
      `${templateFile} is not in a cloud assembly: ${path.join(directory, 'manifest.json')} does not exist. Pass a stack template from the cdk.out directory (or one of its assembly-* folders).`,
    );
  }
  return readingAssembly(directory, () => {
    const assembly = openAssembly(directory);
    const artifact = assembly.stacks.find((stack) => stack.templateFullPath === path.resolve(templateFile));
    if (!artifact) {
      throw new CloudAssemblyError(
        `${templateFile} is not the template of any stack in ${path.join(directory, 'manifest.json')} (its stacks: ${assembly.stacks.map((stack) => stack.templateFile).join(', ') || 'none'}).`,
      );
    }
    const manifests = artifact.dependencies.filter(AssetManifestArtifact.isAssetManifestArtifact);
    return {
      stack: toAssemblyStack(artifact, directory),
      dockerImages: manifests.flatMap(dockerImagesOf),
      assetManifestFiles: manifests.map((manifest) => path.relative(directory, manifest.file)),
    };
  });
}

/**
 * Open the cloud assembly in `directory` with CDK's reader, for a command that needs its artifacts
 * themselves (tags, metadata, bootstrap versions: `slipway doctor`). Stacks and nested assemblies
 * keep manifest order.
 *
 * @throws CloudAssemblyError when the directory holds no cloud assembly, or one that cannot be read
 */
export function openCloudAssembly(directory: string): CloudAssembly {
  assertManifest(directory);
  return readingAssembly(directory, () => openAssembly(directory));
}

function assertManifest(directory: string): void {
  const manifestPath = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new CloudAssemblyError(
      `No cloud assembly at ${directory}: ${manifestPath} does not exist. Run \`npx projen synth\` first, or pass --assembly <cdk.out directory>.`,
    );
  }
}

function openAssembly(directory: string): CloudAssembly {
  // Manifest order, not CDK's topological order: sections and stacks come out as the app added them.
  return new CloudAssembly(directory, { topoSort: false });
}

/** Run `read`, turning what CDK's reader throws (unreadable JSON, a manifest that fails its schema) into a message. */
function readingAssembly<T>(directory: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CloudAssemblyError) throw error;
    throw new CloudAssemblyError(
      `Cannot read the cloud assembly at ${directory}: ${firstLine(error)}. Synthesize it again with \`npx projen synth\`.`,
    );
  }
}

/** The first line of an error's message, without its final period, to go inside a sentence. */
function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split('\n')[0]
    .replace(/\.$/, '');
}

function readStacksAndStages(assembly: CloudAssembly, root: string, sections: AssemblySection[]): AssemblyStack[] {
  const stacks: AssemblyStack[] = [];
  for (const artifact of assembly.artifacts) {
    if (NestedCloudAssemblyArtifact.isNestedCloudAssemblyArtifact(artifact)) {
      const nestedStacks = readStacksAndStages(artifact.nestedAssembly, root, sections);
      if (nestedStacks.length > 0) {
        const stagePath = artifact.displayName;
        sections.push({ name: stagePath.split('/').pop()!, path: stagePath, kind: 'stage', stacks: nestedStacks });
      }
    } else if (CloudFormationStackArtifact.isCloudFormationStackArtifact(artifact)) {
      stacks.push(toAssemblyStack(artifact, root));
    }
  }
  return stacks;
}

function toAssemblyStack(artifact: CloudFormationStackArtifact, root: string): AssemblyStack {
  const constructPaths: Record<string, string> = {};
  for (const entry of artifact.findMetadataByType('aws:cdk:logicalId')) {
    if (typeof entry.data === 'string') constructPaths[entry.data] = entry.path;
  }
  const { account, region } = artifact.environment;
  const templateFile = path.relative(root, artifact.templateFullPath);
  let template: Template;
  try {
    template = artifact.template;
  } catch (error) {
    throw new CloudAssemblyError(
      `Cannot read the template of stack ${artifact.id} (${templateFile}): ${firstLine(error)}. Synthesize it again with \`npx projen synth\`.`,
    );
  }
  return {
    artifactId: artifact.id,
    // The construct path: cx-api's `displayName` adds the stack name when it differs.
    displayName: artifact.hierarchicalId,
    stackName: artifact.stackName,
    account: account === UNKNOWN_ACCOUNT ? undefined : account,
    region: region === UNKNOWN_REGION ? undefined : region,
    templateFile,
    template,
    constructPaths,
  };
}

function dockerImagesOf(manifest: AssetManifestArtifact): DockerImageAsset[] {
  return Object.values(manifest.contents.dockerImages ?? {}).map((asset) => ({
    tags: Object.values(asset.destinations).map((destination) => destination.imageTag),
    buildArgs: asset.source.dockerBuildArgs ?? {},
  }));
}

function hasResourceOfType(template: Template, type: string): boolean {
  return Object.values(template.Resources ?? {}).some((resource) => resource.Type === type);
}
