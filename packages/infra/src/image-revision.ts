import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** An image's build: where Docker reads from. */
export interface ImageSource {
  /** The build context folder (absolute). */
  readonly context: string;
  /**
   * The Dockerfile, relative to the context.
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;
}

/**
 * The files of the repository an image is built from, as git pathspecs
 * relative to the repository root: the Dockerfile, its ignore file and, when
 * the ignore file is an allowlist (`*` then `!path` lines, as this
 * repository's are), the allowed paths; otherwise the whole context.
 *
 * Docker reads `<Dockerfile>.dockerignore` beside the Dockerfile if it exists,
 * else `.dockerignore` at the context's root. Exclusions inside an allowlist
 * are left out of the pathspecs: the set may be larger than what Docker
 * copies, never smaller, so a change the image sees always counts.
 */
export function imageSourcePaths(repositoryRoot: string, source: ImageSource): string[] {
  const dockerfile = source.dockerfile ?? 'Dockerfile';
  const besideDockerfile = path.join(source.context, `${dockerfile}.dockerignore`);
  const ignoreFile = existsSync(besideDockerfile) ? besideDockerfile : path.join(source.context, '.dockerignore');
  const inContext = (relative: string) =>
    toPosix(path.relative(repositoryRoot, path.join(source.context, relative))) || '.';
  const patterns = existsSync(ignoreFile)
    ? readFileSync(ignoreFile, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'))
    : [];
  if (patterns[0] !== '*') return [inContext('.')];
  const allowed = patterns
    .filter((pattern) => pattern.startsWith('!'))
    .map((pattern) => pattern.slice(1).replace(/^\/+|\/+$/g, ''));
  return [
    ...new Set([inContext(dockerfile), toPosix(path.relative(repositoryRoot, ignoreFile)), ...allowed.map(inContext)]),
  ];
}

/**
 * The commit an image is built from: the last commit that changed any file
 * of its build (see `imageSourcePaths`), with `-dirty` appended when those
 * files have uncommitted changes. It changes only when the image's input
 * does, so a commit elsewhere (the other image, the infrastructure, docs)
 * neither rebuilds the image nor rolls its service, and `/api/version`
 * still names a commit that holds exactly the code that runs.
 *
 * @returns the revision, or undefined outside a git work tree (the Dockerfile's default applies)
 */
export function imageRevision(repositoryRoot: string, source: ImageSource): string | undefined {
  const pathspecs = imageSourcePaths(repositoryRoot, source);
  const commit = git(repositoryRoot, ['log', '-1', '--format=%H', '--', ...pathspecs]);
  if (!commit) return undefined;
  const changes = git(repositoryRoot, ['status', '--porcelain', '--', ...pathspecs]);
  return changes ? `${commit}-dirty` : commit;
}

/**
 * Runs a read-only git command. `--no-optional-locks`: `git status` otherwise takes the index lock to save the stat
 * data it refreshed, and a `git add` or commit run meanwhile (an editor, a hook, a script beside the synth) then
 * fails with "index.lock: File exists".
 */
function git(cwd: string, args: string[]): string | undefined {
  const result = spawnSync('git', ['--no-optional-locks', ...args], { cwd, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
