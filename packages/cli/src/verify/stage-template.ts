import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { IMAGE_COMMIT_BUILD_ARG } from '@slipway/constructs/lib/contract';
import { CloudAssemblyError, readStackOfTemplate, StackWithAssets } from '../assembly/cloud-assembly';
import { UsageError } from '../command';

/** One container of a task definition, as the stage's template names its image. */
export interface ExpectedContainer {
  /** The container's name (`ContainerDefinitions[].Name`). */
  readonly name: string;
  /** The image as written in the template, intrinsic functions shown as `${...}`. */
  readonly image: string;
  /** The image's tag (for a CDK image asset: its content hash), or its `sha256:` digest when pinned by digest. */
  readonly reference: string;
  /**
   * The `GIT_SHA` build argument the image was built with (from the stack's asset manifest).
   * @default - not an image asset, or built without GIT_SHA
   */
  readonly gitSha?: string;
  /**
   * Whether the image is one of the stack's Docker image assets: built by the pipeline run and published under its
   * content hash to the bootstrap repository, whose tags are immutable. Otherwise an image from a registry, which
   * the template names by tag or digest.
   */
  readonly asset: boolean;
}

/** What one synthesized stage stack says its services must run, by task definition family. */
export interface StageTemplate {
  /** The template file read. */
  readonly file: string;
  /** Task definition family → its containers. */
  readonly families: ReadonlyMap<string, readonly ExpectedContainer[]>;
  /** The asset manifests the images' build arguments were read from (beside `file`), for messages. */
  readonly assetManifests: readonly string[];
}

type Json = Record<string, unknown>;

/**
 * Read the images a synthesized stage stack's task definitions name, from its
 * template in the cloud assembly, and the `GIT_SHA` each image asset was built
 * with, from the asset manifest the stack artifact depends on; both through
 * the cloud-assembly reader (`aws-cdk-lib/cx-api`), which the pipeline's
 * verification step carries in its bundle.
 *
 * CDK gives every task definition a literal `Family`, and the ECS task
 * definition ARN a running task reports is `.../task-definition/<family>:<revision>`,
 * so the family ties a running task to the template that defined it.
 *
 * @throws UsageError when the file is missing, is not a stack template of a cloud assembly, or is not a CloudFormation template
 */
export function readStageTemplate(file: string): StageTemplate {
  if (!existsSync(file)) {
    throw new UsageError(`--template ${file} does not exist. Pass the stage stack's template from the cloud assembly.`);
  }
  let found: StackWithAssets;
  try {
    found = readStackOfTemplate(file);
  } catch (error) {
    if (error instanceof CloudAssemblyError) throw new UsageError(`--template ${file}: ${error.message}`);
    throw error;
  }
  const resources: unknown = found.stack.template.Resources;
  if (typeof resources !== 'object' || resources === null) {
    throw new UsageError(`--template ${file} has no Resources: it is not a CloudFormation template.`);
  }
  const buildArgs = new Map<string, Readonly<Record<string, string>>>();
  for (const image of found.dockerImages) for (const tag of image.tags) buildArgs.set(tag, image.buildArgs);
  const families = new Map<string, ExpectedContainer[]>();
  for (const resource of Object.values(resources as Record<string, Json>)) {
    if (resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    const properties = (resource.Properties ?? {}) as Json;
    if (typeof properties.Family !== 'string') continue;
    const containers = ((properties.ContainerDefinitions ?? []) as Json[]).map((container) => {
      const image = renderIntrinsic(container.Image);
      const reference = imageReference(image);
      return {
        name: String(container.Name),
        image,
        reference,
        gitSha: buildArgs.get(reference)?.[IMAGE_COMMIT_BUILD_ARG],
        asset: buildArgs.has(reference),
      };
    });
    families.set(properties.Family, containers);
  }
  const assetManifests = found.assetManifestFiles.map((manifest) => path.join(path.dirname(file), manifest));
  return { file, families, assetManifests };
}

/** `repo:tag` → `tag`, `repo@sha256:abc` → `sha256:abc`, `repo` → `latest` (Docker's default). */
export function imageReference(image: string): string {
  const digest = image.indexOf('@');
  if (digest >= 0) return image.slice(digest + 1);
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : 'latest';
}

/**
 * Every reference an image names, tag before digest: `repo:tag@sha256:abc` → `tag`, `sha256:abc` (the form ECS
 * reported in DescribeTasks for a while in 2024, and Docker accepts); otherwise `imageReference` alone.
 */
export function imageReferences(image: string): string[] {
  const at = image.indexOf('@');
  if (at < 0) return [imageReference(image)];
  const name = image.slice(0, at);
  const tagged = name.slice(name.lastIndexOf('/') + 1).includes(':');
  return tagged ? [imageReference(name), image.slice(at + 1)] : [image.slice(at + 1)];
}

/** A template value as text: literals as they are, `Fn::Sub` and `Fn::Join` joined, anything else as `${...}`. */
function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const json = value as Json;
    if (typeof json['Fn::Sub'] === 'string') return json['Fn::Sub'];
    const join = json['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return (join[1] as unknown[]).map(renderIntrinsic).join(join[0]);
    }
  }
  return '${...}';
}
