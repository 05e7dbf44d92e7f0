import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { IgnoreMode } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** Props of `dockerImage`. */
export interface DockerImageProps {
  /** The build context folder. */
  readonly context: string;
  /** The Dockerfile, relative to the context. */
  readonly dockerfile: string;
  /**
   * The commit the image is built from (see `imageRevision`), passed as the GIT_SHA build argument.
   * @default - the Dockerfile's default
   */
  readonly gitSha?: string;
}

/**
 * An image built from a Dockerfile whose context is wider than its folder
 * (for example the repository root, for the workspace lockfile).
 *
 * BuildKit reads `<Dockerfile>.dockerignore` beside such a Dockerfile; CDK
 * does not, and without it would hash and copy the whole context (every
 * node_modules) into the cloud assembly. The same patterns are passed to CDK
 * (with the Dockerfile itself kept) so the staged context is exactly what
 * Docker would see.
 */
export function dockerImage(props: DockerImageProps): ecs.ContainerImage {
  const ignoreFile = path.join(props.context, `${props.dockerfile}.dockerignore`);
  const exclude = existsSync(ignoreFile)
    ? [
        ...readFileSync(ignoreFile, 'utf8')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '' && !line.startsWith('#')),
        // Docker always reads the Dockerfile, ignored or not; CDK's staging must keep it.
        `!${props.dockerfile}`,
      ]
    : undefined;
  return ecs.ContainerImage.fromAsset(props.context, {
    file: props.dockerfile,
    exclude,
    ignoreMode: IgnoreMode.DOCKER,
    buildArgs: props.gitSha ? { GIT_SHA: props.gitSha } : undefined,
    platform: Platform.LINUX_AMD64,
  });
}
