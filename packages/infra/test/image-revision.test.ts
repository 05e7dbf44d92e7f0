import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { imageRevision, imageSourcePaths } from '../src/image-revision';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

/** A repository whose `packages/api` image builds from the root with an allowlist, and `web` from its folder. */
function repository(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'slipway-revision-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  return root;
}

const FILES = {
  'package-lock.json': '{}',
  'packages/api/Dockerfile': 'FROM scratch\n',
  'packages/api/Dockerfile.dockerignore': '# allowlist\n*\n!package-lock.json\n!packages/api/src/\n',
  'packages/api/src/index.ts': 'export {};\n',
  'packages/web/Dockerfile': 'FROM scratch\n',
  'packages/web/index.html': '<html></html>\n',
  'docs/readme.md': 'docs\n',
};

test('an allowlist ignore file gives the Dockerfile, the ignore file and the allowed paths; any other, the whole context', () => {
  const root = repository(FILES);
  expect(imageSourcePaths(root, { context: root, dockerfile: 'packages/api/Dockerfile' })).toEqual([
    'packages/api/Dockerfile',
    'packages/api/Dockerfile.dockerignore',
    'package-lock.json',
    'packages/api/src',
  ]);
  expect(imageSourcePaths(root, { context: path.join(root, 'packages/web') })).toEqual(['packages/web']);
});

describe('the revision of an image', () => {
  const api = (root: string) => imageRevision(root, { context: root, dockerfile: 'packages/api/Dockerfile' });
  const web = (root: string) => imageRevision(root, { context: path.join(root, 'packages/web') });

  test('is the last commit that changed its build, whatever was committed since', () => {
    // GIVEN
    const root = repository(FILES);
    const base = git(root, 'rev-parse', 'HEAD');
    // WHEN docs, then the web page, change
    appendFileSync(path.join(root, 'docs/readme.md'), 'more\n');
    git(root, 'commit', '-q', '-am', 'docs');
    appendFileSync(path.join(root, 'packages/web/index.html'), '<p></p>\n');
    git(root, 'commit', '-q', '-am', 'web');
    const webCommit = git(root, 'rev-parse', 'HEAD');
    // THEN the API image keeps its commit; the web image has the one that changed it
    expect(api(root)).toBe(base);
    expect(web(root)).toBe(webCommit);
    // AND a change to the shared lock file, which the API image copies, moves it
    appendFileSync(path.join(root, 'package-lock.json'), '\n');
    git(root, 'commit', '-q', '-am', 'lock');
    expect(api(root)).toBe(git(root, 'rev-parse', 'HEAD'));
  });

  test('says -dirty while its files have uncommitted changes, and only its own', () => {
    const root = repository(FILES);
    const base = git(root, 'rev-parse', 'HEAD');
    appendFileSync(path.join(root, 'packages/web/index.html'), 'draft\n');
    expect(web(root)).toBe(`${base}-dirty`);
    expect(api(root)).toBe(base);
  });

  test('reads the repository without writing to it: a git add beside the synth never finds the index locked', () => {
    // GIVEN an index whose stat data is stale (a file touched, its content unchanged), which git status would refresh
    const root = repository(FILES);
    const before = readFileSync(path.join(root, '.git/index'));
    const touched = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, 'packages/api/src/index.ts'), touched, touched);
    // WHEN the revision is read
    expect(api(root)).toBe(git(root, 'rev-parse', 'HEAD'));
    // THEN git took no lock and wrote nothing (a plain `git status` rewrites the index here, under index.lock)
    expect(readFileSync(path.join(root, '.git/index')).equals(before)).toBe(true);
    expect(existsSync(path.join(root, '.git/index.lock'))).toBe(false);
  });

  test('is undefined outside a git repository, so the Dockerfile default applies', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'slipway-no-git-'));
    writeFileSync(path.join(root, 'Dockerfile'), 'FROM scratch\n');
    expect(imageRevision(root, { context: root })).toBeUndefined();
  });
});
