import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { dockerImage } from '../src/docker-image';

function givenContext(withIgnoreFile: boolean): string {
  const root = mkdtempSync(path.join(tmpdir(), 'slipway-context-'));
  const files: Record<string, string> = {
    'package-lock.json': '{}',
    'node_modules/left-pad/index.js': 'module.exports = 1;',
    'packages/api/Dockerfile': 'FROM scratch\nARG GIT_SHA\n',
    'packages/api/src/server.ts': 'export {};',
    'packages/api/test/server.test.ts': 'export {};',
    'packages/web/index.html': '<html></html>',
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
