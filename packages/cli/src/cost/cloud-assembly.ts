import * as fs from 'node:fs';
import * as path from 'node:path';

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

/** The cloud assembly cannot be read: missing, or not what `cdk synth` writes. */
export class CloudAssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudAssemblyError';
  }
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: Record<string, any>;
  readonly metadata?: Record<string, ReadonlyArray<{ readonly type: string; readonly data?: unknown }>>;
  readonly additionalMetadataFile?: string;
}

/**
 * Read a cloud assembly (the `cdk.out` directory) with plain file reads: no
 * synth, no AWS calls. Each nested assembly (a CDK Stage, e.g. one per
 * environment in a pipeline) becomes a section; the stacks at the top level
 * become one more.
 */
export function readCloudAssembly(directory: string): CloudAssemblyView {
  const manifestPath = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new CloudAssemblyError(
      `No cloud assembly at ${directory}: ${manifestPath} does not exist. Run \`npx projen synth\` first, or pass --assembly <cdk.out directory>.`,
    );
  }
  const sections: AssemblySection[] = [];
  const topLevel = readStacksAndStages(directory, '', sections);
  if (topLevel.length > 0) {
    const pipelineStack = topLevel.find((stack) => hasResourceOfType(stack.template, 'AWS::CodePipeline::Pipeline'));
    const name = pipelineStack?.displayName ?? (topLevel.length === 1 ? topLevel[0].displayName : 'App');
    sections.push({
      name,
      path: name,
      kind: pipelineStack ? 'pipeline' : 'app',
      stacks: topLevel,
    });
  }
  return { directory, sections };
}

function readStacksAndStages(root: string, relativeDir: string, sections: AssemblySection[]): AssemblyStack[] {
  const manifestFile = path.join(root, relativeDir, 'manifest.json');
  let manifest: { artifacts?: Record<string, ManifestArtifact> };
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    throw new CloudAssemblyError(
      `Cannot read ${manifestFile}: ${(error as Error).message}. Synthesize again with \`npx projen synth\`.`,
    );
  }
  const stacks: AssemblyStack[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly') {
      const nestedDir = path.join(relativeDir, artifact.properties?.directoryName ?? artifactId);
      const nestedStacks = readStacksAndStages(root, nestedDir, sections);
      if (nestedStacks.length > 0) {
        const stagePath: string = artifact.properties?.displayName ?? artifactId;
        sections.push({ name: stagePath.split('/').pop()!, path: stagePath, kind: 'stage', stacks: nestedStacks });
      }
    } else if (artifact.type === 'aws:cloudformation:stack') {
      stacks.push(readStack(root, relativeDir, artifactId, artifact));
    }
  }
  return stacks;
}

function readStack(root: string, relativeDir: string, artifactId: string, artifact: ManifestArtifact): AssemblyStack {
  const templateFile = path.join(relativeDir, artifact.properties?.templateFile ?? `${artifactId}.template.json`);
  let template: Template;
  try {
    template = JSON.parse(fs.readFileSync(path.join(root, templateFile), 'utf8'));
  } catch (error) {
    throw new CloudAssemblyError(
      `Cannot read the template of stack ${artifactId} (${templateFile}): ${(error as Error).message}.`,
    );
  }
  const constructPaths: Record<string, string> = {};
  const metadataSources = [artifact.metadata ?? {}];
  if (artifact.additionalMetadataFile) {
    try {
      metadataSources.push(
        JSON.parse(fs.readFileSync(path.join(root, relativeDir, artifact.additionalMetadataFile), 'utf8')),
      );
    } catch {
      // Names then fall back to logical ids; the estimate itself does not need them.
    }
  }
  for (const source of metadataSources) {
    for (const [constructPath, entries] of Object.entries(source)) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (entry?.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
          constructPaths[entry.data] = constructPath;
        }
      }
    }
  }
  const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
  const account = env && !env[1].startsWith('unknown-') ? env[1] : undefined;
  const region = env && !env[2].startsWith('unknown-') ? env[2] : undefined;
  return {
    artifactId,
    displayName: artifact.displayName ?? artifactId,
    stackName: artifact.properties?.stackName ?? artifactId,
    account,
    region,
    templateFile,
    template,
    constructPaths,
  };
}

function hasResourceOfType(template: Template, type: string): boolean {
  return Object.values(template.Resources ?? {}).some((resource) => resource.Type === type);
}
