import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const PACKAGE_DIR = path.join(__dirname, '..');

test('the synth task works with no AWS credentials, no AWS config and no network', () => {
  // GIVEN an empty home and working directory, every AWS setting removed, and network access made to throw
  const workDir = mkdtempSync(path.join(tmpdir(), 'slipway-offline-synth-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: workDir,
    AWS_CONFIG_FILE: path.join(workDir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // tsx reads tsconfig.json from the working directory; the package's declares the #environments alias.
    TSX_TSCONFIG_PATH: path.join(PACKAGE_DIR, 'tsconfig.json'),
  };
  // WHEN the synth entry point runs from source
  const result = spawnSync(
    process.execPath,
    [
      '--require',
      path.join(__dirname, 'support', 'block-network.cjs'),
      '--require',
      require.resolve('tsx/cjs'),
      path.join(PACKAGE_DIR, 'src', 'synth.ts'),
    ],
    { cwd: workDir, env, encoding: 'utf8', timeout: 240_000 },
  );
  // THEN it writes the cloud assembly and reports each environment
  expect(result.stderr).not.toMatch(/network access attempted/);
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(
    /^Synthesized packages\/infra\/cdk\.out in [\d.]+s: 2 environments and the pipeline, no unacknowledged findings\.$/m,
  );
  expect(result.stdout).toMatch(/^dev +Delivery\/Dev +\S+-dev +\d+ +passed, \d+ acknowledged$/m);
  expect(result.stdout).toMatch(/^prod +Delivery\/Prod +\S+-prod +\d+ +passed, \d+ acknowledged$/m);
  expect(result.stdout).toMatch(/^pipeline +Delivery +\S+-pipeline +\d+ +passed, \d+ acknowledged$/m);
  const outdir = path.join(workDir, 'cdk.out');
  expect(existsSync(path.join(outdir, 'Delivery.template.json'))).toBe(true);
  expect(
    readdirSync(outdir)
      .filter((name) => name.startsWith('assembly-'))
      .sort(),
  ).toEqual(['assembly-Delivery-Dev', 'assembly-Delivery-Prod']);
}, 300_000);

test('the blocker really refuses connections', () => {
  const result = spawnSync(
    process.execPath,
    [
      '--require',
      path.join(__dirname, 'support', 'block-network.cjs'),
      '-e',
      "require('node:net').connect(443, 'example.org')",
    ],
    { encoding: 'utf8' },
  );
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('network access attempted during synth: net.Socket#connect');
});
