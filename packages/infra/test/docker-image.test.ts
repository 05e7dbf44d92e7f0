import type * as Fs from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, FileSystem, IgnoreMode, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { dockerImage, foldersOutsideAllowlist, ignorePatterns } from '../src/docker-image';

function givenContext(withIgnoreFile: boolean): string {
  const root = mkdtempSync(path.join(tmpdir(), 'slipway-context-'));
  const files: Record<string, string> = {
    'package-lock.json': '{}',
    'node_modules/left-pad/index.js': 'module.exports = 1;',
    'packages/api/Dockerfile': 'FROM scratch\nARG GIT_SHA\n',
    'packages/api/src/server.ts': 'export {};',
    'packages/api/test/server.test.ts': 'export {};',
    'packages/web/index.html': '<html></html>',
    'packages/web/cdk.out/asset.1234/index.html': '<html></html>',
  };
  if (withIgnoreFile) {
    files['packages/api/Dockerfile.dockerignore'] = '# allowlist\n*\n!package-lock.json\n!packages/api/src/\n';
  }
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

function stagedFiles(context: string): string[] {
  // GIVEN a task definition using the image
  const outdir = mkdtempSync(path.join(tmpdir(), 'slipway-assembly-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Images');
  new ecs.FargateTaskDefinition(stack, 'Task').addContainer('api', {
    image: dockerImage({ context, dockerfile: 'packages/api/Dockerfile', gitSha: 'abc1234' }),
  });
  // WHEN
  const assembly = app.synth();
  // THEN (the staged build context, as the pipeline's asset step will see it)
  const [asset] = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
  const list = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? list(path.join(dir, entry.name))
        : [path.relative(path.join(assembly.directory, asset), path.join(dir, entry.name))],
    );
  return list(path.join(assembly.directory, asset)).sort();
}

test('stages only what <Dockerfile>.dockerignore lets through, plus the Dockerfile', () => {
  expect(stagedFiles(givenContext(true))).toEqual([
    'package-lock.json',
    'packages/api/Dockerfile',
    'packages/api/src/server.ts',
  ]);
});

test('without an ignore file the whole context is staged', () => {
  expect(stagedFiles(givenContext(false))).toContain('node_modules/left-pad/index.js');
});

describe('a build output beside the allowed folders', () => {
  afterEach(() => jest.restoreAllMocks());

  test('that vanishes while the context is hashed (a synth writing cdk.out elsewhere) does not fail the synth', () => {
    // GIVEN packages/web/cdk.out disappears between being listed and being read, as another synth's staging
    // folders do
    const context = givenContext(true);
    // (the module object aws-cdk-lib calls, not the copy an `import * as` makes)
    const fs = jest.requireActual<typeof Fs>('node:fs');
    const readdir = fs.readdirSync;
    jest.spyOn(fs, 'readdirSync').mockImplementation(((dir: Fs.PathLike, ...rest: unknown[]) => {
      if (String(dir).startsWith(path.join(context, 'packages', 'web', 'cdk.out'))) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${String(dir)}'`), {
          code: 'ENOENT',
        });
      }
      return (readdir as (...args: unknown[]) => unknown)(dir, ...rest);
    }) as typeof fs.readdirSync);
    // WHEN the image is staged THEN only the allowed files are, and nothing under packages/web was read
    expect(stagedFiles(context)).toEqual([
      'package-lock.json',
      'packages/api/Dockerfile',
      'packages/api/src/server.ts',
    ]);
  });

  test("is named in a pattern of its own, which leaves Docker's context and the asset hash as they were", () => {
    const context = givenContext(true);
    const patterns = ignorePatterns(context, 'packages/api/Dockerfile')!;
    expect(patterns.at(-1)).toBe('!packages/api/Dockerfile');
    // WHEN
    const outside = foldersOutsideAllowlist(context, patterns);
    // THEN packages/web (beside packages/api) and packages/api/test (beside src) are skipped whole
    expect(outside).toEqual(['packages/api/test', 'packages/web']);
    const hash = (exclude: string[]) => FileSystem.fingerprint(context, { exclude, ignoreMode: IgnoreMode.DOCKER });
    expect(hash([...patterns, ...outside])).toBe(hash(patterns));
  });

  test('is left to CDK when the ignore file is not a plain allowlist', () => {
    const context = givenContext(true);
    expect(foldersOutsideAllowlist(context, ['node_modules', '!packages/api/src/'])).toEqual([]);
    expect(foldersOutsideAllowlist(context, ['*', '!packages/*/src/'])).toEqual([]);
    expect(foldersOutsideAllowlist(context, ['*', '!packages/api/', 'packages/api/test'])).toEqual([]);
    expect(foldersOutsideAllowlist(context, ['*', '!nowhere/src/'])).toEqual([]); // nothing there to list
  });
});
