import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
  const patterns = ignorePatterns(props.context, props.dockerfile);
  const exclude = patterns && [...patterns, ...foldersOutsideAllowlist(props.context, patterns)];
  return ecs.ContainerImage.fromAsset(props.context, {
    file: props.dockerfile,
    exclude,
    ignoreMode: IgnoreMode.DOCKER,
    buildArgs: props.gitSha ? { GIT_SHA: props.gitSha } : undefined,
    platform: Platform.LINUX_AMD64,
  });
}

/**
 * The patterns of `<dockerfile>.dockerignore` in `context`, as BuildKit reads them, plus the Dockerfile itself;
 * undefined without that file.
 */
export function ignorePatterns(context: string, dockerfile: string): string[] | undefined {
  const ignoreFile = path.join(context, `${dockerfile}.dockerignore`);
  if (!existsSync(ignoreFile)) return undefined;
  return [
    ...readFileSync(ignoreFile, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
    // Docker always reads the Dockerfile, ignored or not; CDK's staging must keep it.
    `!${dockerfile}`,
  ];
}

/** A folder or file name that stands in an ignore pattern for itself alone (no glob character, `!` or `#`). */
const PLAIN_NAME = /^(?!\.{1,2}$)[\w.@+-]+$/;

/**
 * For an allowlist (`*`, then `!<path>` lines without globs): the folders Docker leaves out anyway that lie beside
 * the allowed paths' parent folders (`packages/infra` and `packages/constructs` beside `packages/backend`), as
 * patterns to add at the end. Docker's result is the same with or without them (nothing under them is allowed, so
 * `*` already leaves them out); what changes is CDK's walk.
 *
 * CDK hashes a context by walking it, and it cannot tell from `!packages/backend/src/` that nothing else under
 * `packages/` is wanted: it reads every folder there, the other packages' cdk.out, coverage and lib included (at
 * the top level its own rules already skip what `*` leaves out). Those folders are rewritten while the app
 * synthesizes elsewhere (`npx projen docs` runs beside the tests; a developer runs a synth in another terminal),
 * and one that vanishes between being listed and being read fails the synth with ENOENT. Named in a pattern, CDK
 * skips it whole.
 *
 * Any other kind of ignore file (globs in a `!` line, no leading `*`) gets nothing added: the walk stays CDK's own.
 */
export function foldersOutsideAllowlist(context: string, patterns: readonly string[]): string[] {
  if (patterns[0] !== '*') return [];
  const allowed: string[] = [];
  for (const pattern of patterns.slice(1)) {
    const kept = pattern.startsWith('!') ? pattern.slice(1).replace(/^\/+|\/+$/g, '') : undefined;
    if (kept === undefined || kept === '' || !kept.split('/').every((name) => PLAIN_NAME.test(name))) return [];
    allowed.push(path.posix.normalize(kept));
  }
  const parents = new Set<string>();
  for (const kept of allowed) {
    for (let dir = path.posix.dirname(kept); dir !== '.'; dir = path.posix.dirname(dir)) parents.add(dir);
  }
  const outside: string[] = [];
  for (const dir of [...parents].sort()) {
    let entries;
    try {
      entries = readdirSync(path.join(context, dir), { withFileTypes: true });
    } catch {
      continue; // an allowed path that is not there: nothing to walk beside it
    }
    for (const entry of entries) {
      const relative = `${dir}/${entry.name}`;
      if (!entry.isDirectory() || !PLAIN_NAME.test(entry.name)) continue;
      if (parents.has(relative) || allowed.includes(relative)) continue;
      outside.push(relative);
    }
  }
  return outside.sort();
}
