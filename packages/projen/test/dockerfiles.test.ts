import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SAMPLES_DIR } from '../src/samples';

// Every Dockerfile in the repository and in the samples the project type ships
// is built by CodeBuild, whose shared IP addresses Docker Hub rate-limits for
// anonymous pulls (100 pulls per 6 hours per IP). So no build may pull from
// Docker Hub: not a base image, and not the BuildKit frontend a `# syntax=`
// parser directive names (BuildKit resolves `docker/dockerfile:1` on Docker Hub).

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * End of life of the Node.js LTS lines (https://github.com/nodejs/Release, schedule.json).
 * A runtime image on a line past its date gets no security fixes: update the
 * image (and this table) before then.
 */
const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
};
/** Issue 10: images move to the newest LTS line, not merely a still-supported one. */
const MINIMUM_NODE_MAJOR = 24;

/** One `FROM` of a Dockerfile, with the build arguments in scope substituted. */
interface FromInstruction {
  /** The image reference as written, e.g. `${NODE_IMAGE}`. */
  readonly written: string;
  /** The reference after substituting ARG defaults, e.g. `public.ecr.aws/docker/library/node:24-trixie-slim`. */
  readonly image: string;
  /** Whether `image` names an earlier stage (or `scratch`) rather than a registry image. */
  readonly isStageOrScratch: boolean;
}

interface ParsedDockerfile {
  readonly parserDirectives: string[];
  readonly froms: FromInstruction[];
}

/**
 * Parse what matters here: parser directives (`# syntax=`, `# escape=`, `# check=`,
 * which Docker reads only in leading comments, but a stray one is flagged
 * wherever it is), ARG defaults (global and per stage) and FROM lines.
 */
function parseDockerfile(text: string): ParsedDockerfile {
  const parserDirectives = text
    .split('\n')
    .filter((line) => /^\s*#\s*(syntax|check|escape)\s*=/i.test(line))
    .map((line) => line.trim());
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const globalArgs = new Map<string, string>();
  let stageArgs: Map<string, string> | undefined;
  const stageNames = new Set<string>();
  const froms: FromInstruction[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'ARG') {
      for (const declaration of rest.split(/\s+/)) {
        const [name, ...value] = declaration.split('=');
        const scope = stageArgs ?? globalArgs;
        // A stage's bare `ARG NAME` re-imports the global default.
        scope.set(name, value.length > 0 ? unquote(value.join('=')) : (globalArgs.get(name) ?? ''));
      }
    } else if (keyword.toUpperCase() === 'FROM') {
      const words = rest.split(/\s+/).filter((word) => !word.startsWith('--'));
      const written = words[0];
      // FROM sees only global ARGs (https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact).
      const image = substitute(written, globalArgs);
      froms.push({
        written,
        image,
        isStageOrScratch: image === 'scratch' || stageNames.has(image.toLowerCase()),
      });
      if (words[1]?.toUpperCase() === 'AS' && words[2]) stageNames.add(words[2].toLowerCase());
      stageArgs = new Map();
    }
  }
  return { parserDirectives, froms };
}

function unquote(value: string): string {
  return value.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

/** `${NAME}`, `$NAME`, `${NAME:-fallback}` as Dockerfile variable substitution does for FROM. */
function substitute(value: string, args: ReadonlyMap<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g,
    (_match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const set = args.get(name);
      return set !== undefined && set !== '' ? set : (fallback ?? '');
    },
  );
}

/**
 * The registry an image reference pulls from, by the rule Docker applies: the part
 * before the first `/` is a registry host only if it has a `.` or `:` or is
 * `localhost`; otherwise (`node:24`, `library/node`, `docker/dockerfile`) it is Docker Hub.
 */
function registryOf(image: string): string {
  const first = image.split('/')[0];
  const hasHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) return 'docker.io';
  return ['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(first) ? 'docker.io' : first;
}

function nodeMajorOf(image: string): number | undefined {
  const match = /(?:^|\/)node:(\d+)(?:[.-]|$)/.exec(image);
  return match ? Number(match[1]) : undefined;
}

const DOCKERFILE_NAME = /(^|\/)(Dockerfile|Containerfile)(\.[^/]+)?$|\.(Dockerfile|Containerfile)$/;

function repositoryDockerfiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => DOCKERFILE_NAME.test(file) && !file.endsWith('.dockerignore'))
    .map((file) => path.join(REPOSITORY_ROOT, file));
  return listed.filter((file) => fs.existsSync(file));
}

/** The samples are copied into samples/ when @slipway/projen is built; before that there is nothing to read. */
function sampleDockerfiles(): string[] {
  if (!fs.existsSync(SAMPLES_DIR)) return [];
  return fs
    .readdirSync(SAMPLES_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && DOCKERFILE_NAME.test(entry.name) && !entry.name.endsWith('.dockerignore'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

const dockerfiles = [...repositoryDockerfiles(), ...sampleDockerfiles()].map((file) => ({
  file: path.relative(REPOSITORY_ROOT, file),
  parsed: parseDockerfile(fs.readFileSync(file, 'utf8')),
}));

describe('the Dockerfile checks themselves', () => {
  test('see the sample images and read each FROM through its ARG default', () => {
    const files = dockerfiles.map(({ file }) => file);
    expect(files).toEqual(expect.arrayContaining(['packages/backend/Dockerfile', 'packages/frontend/Dockerfile']));
    for (const { parsed } of dockerfiles) {
      for (const from of parsed.froms) expect(from.image).not.toMatch(/\$/);
    }
  });

  test.each([
    ['node:24-slim', 'docker.io'],
    ['library/node:24', 'docker.io'],
    ['docker/dockerfile:1', 'docker.io'],
    ['docker.io/library/node:24', 'docker.io'],
    ['index.docker.io/library/node:24', 'docker.io'],
    ['public.ecr.aws/docker/library/node:24-trixie-slim', 'public.ecr.aws'],
    ['localhost:5000/node:24', 'localhost:5000'],
    ['ghcr.io/acme/app@sha256:0123', 'ghcr.io'],
  ])('reads the registry of %s as %s', (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });

  test('flags a syntax directive and a Docker Hub image hidden behind an ARG default', () => {
    const parsed = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'ARG BASE=node:24-slim',
        'FROM ${BASE} AS build',
        'ARG BASE=public.ecr.aws/docker/library/node:24-slim',
        'FROM --platform=linux/arm64 build',
        'FROM ${MISSING:-python:3.13}',
      ].join('\n'),
    );
    expect(parsed.parserDirectives).toEqual(['# syntax=docker/dockerfile:1']);
    expect(parsed.froms.map((from) => [from.image, from.isStageOrScratch])).toEqual([
      ['node:24-slim', false],
      ['build', true],
      ['python:3.13', false],
    ]);
  });
});

describe.each(dockerfiles)('$file', ({ parsed }) => {
  test('has no parser directive that makes BuildKit pull its frontend from Docker Hub', () => {
    expect(parsed.parserDirectives.filter((directive) => /syntax/i.test(directive))).toEqual([]);
  });

  test('pulls no base image from Docker Hub', () => {
    const images = parsed.froms.filter((from) => !from.isStageOrScratch).map((from) => from.image);
    expect(images.length).toBeGreaterThan(0);
    expect(images.filter((image) => registryOf(image) === 'docker.io')).toEqual([]);
  });

  test(`runs Node on a supported LTS line, ${MINIMUM_NODE_MAJOR} or newer`, () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const image of parsed.froms.map((from) => from.image)) {
      const major = nodeMajorOf(image);
      if (major === undefined) continue;
      const endOfLife = NODE_END_OF_LIFE[major];
      expect({ image, lts: endOfLife !== undefined }).toEqual({ image, lts: true });
      expect({ image, supportedToday: today < endOfLife }).toEqual({ image, supportedToday: true });
      expect(major).toBeGreaterThanOrEqual(MINIMUM_NODE_MAJOR);
    }
  });
});
