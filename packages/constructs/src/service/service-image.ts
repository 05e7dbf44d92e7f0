import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IMAGE_COMMIT_BUILD_ARG } from '../contract';

/** Build the service's image from a directory with a Dockerfile (a CDK Docker image asset). */
export interface DirectoryImage {
  /** Absolute path of the build context holding the Dockerfile. */
  readonly directory: string;
  /**
   * Dockerfile name, relative to `directory`.
   * @default 'Dockerfile'
   */
  readonly file?: string;
  /**
   * Extra build arguments, e.g. `GIT_SHA`: the commit the image is built from. The service's own `gitSha`, when
   * set, overrides it.
   * @default - only the service's gitSha as GIT_SHA, if set
   */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /**
   * Multi-stage build target.
   * @default - the last stage
   */
  readonly target?: string;
}

/** Use an image that is already built (a registry image, an ECR repository tag, ...). */
export interface ExistingImage {
  /** The container image. */
  readonly image: ecs.ContainerImage;
  /**
   * The commit the image was built from, when known (e.g. the `GIT_SHA` of an image asset built with its own
   * options): recorded as the container's `org.opencontainers.image.revision` label, which `slipway images` reads.
   * @default - not recorded
   */
  readonly revision?: string;
}

/** Where a service's container image comes from. */
export type ServiceImage = DirectoryImage | ExistingImage;

/** Whether the image is built from a directory. */
export function isDirectoryImage(image: ServiceImage): image is DirectoryImage {
  return 'directory' in image;
}

/**
 * Resolve a `ServiceImage` to an `ecs.ContainerImage`. A directory becomes a
 * Docker image asset: at synth CDK only stages the directory; the build runs
 * when the asset is published (cdk deploy or the pipeline's asset step).
 */
export function toContainerImage(
  image: ServiceImage,
  gitSha: string | undefined,
  architecture: ecs.CpuArchitecture,
): ecs.ContainerImage {
  if (!isDirectoryImage(image)) return image.image;
  return ecs.ContainerImage.fromAsset(image.directory, {
    file: image.file,
    target: image.target,
    buildArgs: { ...image.buildArgs, ...(gitSha ? { [IMAGE_COMMIT_BUILD_ARG]: gitSha } : {}) },
    platform: architecture === ecs.CpuArchitecture.ARM64 ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
  });
}

/**
 * The commit a service's image is built from, as far as the app says: the service's own `gitSha`, else a directory
 * image's `GIT_SHA` build argument, else an existing image's `revision`. It changes only when the image does (each
 * image's commit is the last one that changed its build), so the container label that carries it adds no revision.
 */
export function imageRevision(image: ServiceImage, gitSha: string | undefined): string | undefined {
  if (!isDirectoryImage(image)) return image.revision;
  return gitSha ?? image.buildArgs?.[IMAGE_COMMIT_BUILD_ARG];
}
