import { existsSync, readFileSync } from 'node:fs';
import { IMAGE_COMMIT_BUILD_ARG } from '@slipway/constructs/lib/contract';
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
}

/** What one synthesized stage stack says its services must run, by task definition family. */
export interface StageTemplate {
  /** The template file read. */
  readonly file: string;
  /** Task definition family → its containers. */
  readonly families: ReadonlyMap<string, readonly ExpectedContainer[]>;
}

type Json = Record<string, unknown>;

/**
 * Read the images a synthesized stage stack's task definitions name, straight
 * from its template in the cloud assembly (and the `GIT_SHA` each image asset
 * was built with, from the asset manifest CDK writes beside it,
 * `<stack>.assets.json`). Plain JSON reading, no CDK: this runs in the
 * pipeline's verification step, which installs nothing.
 *
 * CDK gives every task definition a literal `Family`, and the ECS task
 * definition ARN a running task reports is `.../task-definition/<family>:<revision>`,
 * so the family ties a running task to the template that defined it.
 *
 * @throws UsageError when the file is missing or is not a CloudFormation template
 */
export function readStageTemplate(file: string): StageTemplate {
  if (!existsSync(file)) {
    throw new UsageError(`--template ${file} does not exist. Pass the stage stack's template from the cloud assembly.`);
  }
  let template: Json;
  try {
    template = JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (error) {
    throw new UsageError(`--template ${file} is not JSON (${(error as Error).message}).`);
  }
  if (typeof template.Resources !== 'object' || template.Resources === null) {
    throw new UsageError(`--template ${file} has no Resources: it is not a CloudFormation template.`);
  }
  const buildArgs = readImageBuildArgs(file.replace(/\.template\.json$/, '.assets.json'));
  const families = new Map<string, ExpectedContainer[]>();
  for (const resource of Object.values(template.Resources as Record<string, Json>)) {
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
      };
    });
    families.set(properties.Family, containers);
  }
  return { file, families };
}

/** `repo:tag` → `tag`, `repo@sha256:abc` → `sha256:abc`, `repo` → `latest` (Docker's default). */
export function imageReference(image: string): string {
  const digest = image.indexOf('@');
  if (digest >= 0) return image.slice(digest + 1);
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : 'latest';
}

/** Image tag → the build arguments of the Docker image asset with that tag. */
function readImageBuildArgs(manifestFile: string): Map<string, Record<string, string>> {
  const byTag = new Map<string, Record<string, string>>();
  if (!existsSync(manifestFile)) return byTag;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    dockerImages?: Record<
      string,
      { source?: { dockerBuildArgs?: Record<string, string> }; destinations?: Record<string, { imageTag?: string }> }
    >;
  };
  for (const asset of Object.values(manifest.dockerImages ?? {})) {
    for (const destination of Object.values(asset.destinations ?? {})) {
      if (destination.imageTag) byTag.set(destination.imageTag, asset.source?.dockerBuildArgs ?? {});
    }
  }
  return byTag;
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
