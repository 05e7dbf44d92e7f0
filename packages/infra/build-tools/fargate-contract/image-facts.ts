import * as fs from 'node:fs';
import * as path from 'node:path';

/** A user of an image's /etc/passwd. */
export interface ImageUser {
  readonly uid: number;
  readonly gid: number;
}

/** Owner and mode of a directory of the base image (what a `VOLUME` there starts with). */
export interface ImagePath {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/**
 * What a base image holds that the contract check cannot see without pulling it: its users, the
 * programs on its PATH that a start or health-check command may call, and the owner and mode of
 * directories a `VOLUME` may name. Each list was read from the image itself; keep it in step when a
 * base image changes (a command the list lacks fails the check, as it would fail in the container).
 */
export interface BaseImageFacts {
  /** Matches the base image reference (after build arguments are substituted). */
  readonly match: RegExp;
  /** How the facts were checked. */
  readonly source: string;
  /** /etc/passwd: name (and uid as a string) to uid and primary gid. */
  readonly users: Readonly<Record<string, ImageUser>>;
  /** Programs on the image's PATH, by name. */
  readonly tools: readonly string[];
  /** Directories of the image, by absolute path. */
  readonly paths: Readonly<Record<string, ImagePath>>;
}

const ROOT: ImageUser = { uid: 0, gid: 0 };
const STICKY_TMP: ImagePath = { uid: 0, gid: 0, mode: 0o1777 };

/** The base images Slipway's Dockerfiles use. */
export const BASE_IMAGES: readonly BaseImageFacts[] = [
  {
    // Docker's official node images, Debian slim variants, through the ECR Public mirror.
    match: /^public\.ecr\.aws\/docker\/library\/node:\d+[\w.-]*-slim(@sha256:[0-9a-f]+)?$/,
    source:
      'docker-library/official-images node Dockerfiles: `groupadd --gid 1000 node && useradd --uid 1000 --gid node`; ' +
      'debian:*-slim ships dash as /bin/sh and neither curl nor wget; /tmp is 1777 in every Debian image',
    users: { root: ROOT, '0': ROOT, node: { uid: 1000, gid: 1000 }, '1000': { uid: 1000, gid: 1000 } },
    tools: ['node', 'sh'],
    paths: { '/tmp': STICKY_TMP },
  },
  {
    // nginxinc/nginx-unprivileged, Alpine slim variants, through the ECR Public mirror.
    match: /^public\.ecr\.aws\/nginx\/nginx-unprivileged:[\d.]+-alpine[\d.]*-slim(@sha256:[0-9a-f]+)?$/,
    source:
      'nginxinc/docker-nginx-unprivileged alpine-slim Dockerfile: `adduser -S -D -H -u 101 -G nginx nginx` (group 101); ' +
      "Alpine's busybox provides sh and wget (no curl); /tmp is 1777",
    users: { root: ROOT, '0': ROOT, nginx: { uid: 101, gid: 101 }, '101': { uid: 101, gid: 101 } },
    tools: ['nginx', 'sh', 'wget'],
    paths: { '/tmp': STICKY_TMP },
  },
];

/**
 * Where the contract check finds, in this repository, what a Dockerfile's build stage produces: the
 * check does not run the build stage, it mounts the package's own build output (made by
 * `npx projen build`, the same bundle command the stage runs) where the final stage copies it.
 * Keyed by the image's `org.opencontainers.image.title` label.
 */
export interface BuildStageOutputs {
  /** Stage name (or index) of `COPY --from=`. */
  readonly stage: string;
  /** Path prefix inside that stage. */
  readonly prefix: string;
  /** The same files in this repository, relative to its root. */
  readonly local: string;
}

/** The build stages of Slipway's images. */
export const BUILD_STAGE_OUTPUTS: Readonly<Record<string, readonly BuildStageOutputs[]>> = {
  // The backend's build stage works in a copy of the repository at /workspace.
  'slipway-backend': [{ stage: 'build', prefix: '/workspace/', local: '.' }],
  // The frontend's build stage works in a copy of packages/frontend at /build.
  'slipway-frontend': [{ stage: 'build', prefix: '/build/', local: 'packages/frontend/' }],
};

/** The facts of a base image, or an error that says how to add them. */
export function baseImageFacts(image: string): BaseImageFacts {
  const facts = BASE_IMAGES.find((candidate) => candidate.match.test(image));
  if (!facts) {
    throw new Error(
      `no facts for base image ${image}: the check cannot tell its users, tools and directories. ` +
        'Add an entry to BASE_IMAGES in packages/infra/build-tools/fargate-contract/image-facts.ts, read from the image.',
    );
  }
  return facts;
}

/**
 * Programs on this machine that stand in for an image's: the same program (Debian's nginx, this
 * Node.js), or the same implementation (busybox applets for Alpine's busybox).
 */
export function hostTool(name: string): { path: string; argv0?: string } {
  const candidates: Record<string, string[]> = {
    node: [process.execPath],
    nginx: [process.env.SLIPWAY_NGINX ?? '', '/usr/sbin/nginx'],
    sh: ['/bin/sh'],
    wget: ['/usr/bin/busybox', '/bin/busybox'],
  };
  const found = (candidates[name] ?? []).find((file) => file !== '' && isExecutable(file));
  if (!found) {
    const hint =
      name === 'wget' || name === 'nginx'
        ? `apt-get install -y ${name === 'wget' ? 'busybox' : 'nginx'}`
        : `add ${name} to hostTool() in image-facts.ts`;
    throw new Error(`the check needs a stand-in for the image's ${name} on this machine: ${hint}`);
  }
  return { path: found, argv0: path.basename(found) === 'busybox' ? name : undefined };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
