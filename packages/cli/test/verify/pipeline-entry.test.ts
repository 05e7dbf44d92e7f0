import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

// The file the pipeline's verification steps run: built by the bundle:verify task (post-compile).
const BUNDLE = path.join(__dirname, '..', '..', 'lib', 'slipway-verify.js');

test('the verify bundle runs with node alone, from a folder with no node_modules anywhere above it', () => {
  // GIVEN the bundle alone in an empty folder, as in the cloud assembly a verification step unpacks
  expect(existsSync(BUNDLE)).toBe(true);
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-bundle-'));
  copyFileSync(BUNDLE, path.join(dir, 'slipway-verify.js'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['slipway-verify.js', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, NODE_PATH: '' },
    });
  // WHEN it is asked for help, and given a template that is not there
  const help = run('verify', '--help');
  const missing = run('verify', '--cluster', 'c', '--service', 's', '--template', 'assembly-X/X.template.json');
  // THEN it loads every module it needs from itself and answers as the CLI does
  expect(help.stderr).not.toMatch(/Cannot find module/);
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('usage: slipway verify');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('--template assembly-X/X.template.json does not exist');
  // AND it carries only verify: the other commands (and the CDK they load) are not in it
  expect(run('cost').stderr).toContain('unknown command "cost"');
});
