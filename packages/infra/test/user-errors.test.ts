import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { SlipwayConfigError } from '@slipway/constructs';
import { build, type Plugin } from 'esbuild';
import { bundleOptions, ENTRY_POINTS } from '../build-tools/bundle';
import { CdkTaskError } from '../src/cdk-task';
import { describeFatalError, isUserError } from '../src/user-errors';

/** Replaces environments/index.ts in the bundle by a settings file with a bad value. */
function settingsFrom(file: string): Plugin {
  return {
    name: 'settings-from',
    setup(builder) {
      builder.onResolve({ filter: /^#environments$/ }, () => ({ path: file }));
    },
  };
}

/** Each entry point bundled as `npx projen synth`, `cdk deploy` (main) and `npx projen deploy` bundle it. */
async function bundleWith(settingsFile: string): Promise<string> {
  // Inside the package (lib/ is ignored by git), where the bundle's `require`s of npm packages resolve.
  const lib = path.join(__dirname, '..', 'lib');
  mkdirSync(lib, { recursive: true });
  const outdir = mkdtempSync(path.join(lib, 'user-errors-'));
  const options = bundleOptions(outdir);
  await build({ ...options, plugins: [...(options.plugins ?? []), settingsFrom(settingsFile)] });
  return outdir;
}

describe('a bad setting ends every entry point with its sentence, not a stack trace', () => {
  let outdir: string;
  beforeAll(async () => {
    outdir = await bundleWith(path.join(__dirname, 'support', 'bad-settings.ts'));
  }, 60_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test.each(ENTRY_POINTS.map((name) => [name]))('lib/%s.js', (name) => {
    // WHEN the bundled entry point runs with environments/ holding an invalid e-mail address
    const result = spawnSync(process.execPath, [path.join(outdir, `${name}.js`), 'deploy', 'dev'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    // THEN it prints the file, field, value and fix on one line, and exits 1 with nothing else on stderr
    expect(result.stderr).toBe(
      '✖ environments/index.ts: pipeline.notifyEmail must be an email address; got "not-an-email". ' +
        'Use a full address such as ops@example.org, or leave it out.\n',
    );
    expect(result.status).toBe(1);
  });
});

describe('describeFatalError', () => {
  test('a task argument mistake is a user error', () => {
    const error = new CdkTaskError('Unknown environment "stagin". Use one of: dev, prod, pipeline.');
    expect(isUserError(error)).toBe(true);
    expect(describeFatalError(error)).toBe('✖ Unknown environment "stagin". Use one of: dev, prod, pipeline.');
  });

  test('each issue of a settings error has its own line', () => {
    const error = new SlipwayConfigError('environments/prod.ts', [
      { field: 'a', value: 1, problem: 'must be 2', fix: 'Use 2.' },
      { field: 'b', value: 'x', problem: 'must be y', fix: 'Use y.' },
    ]);
    expect(describeFatalError(error)).toBe(
      '✖ environments/prod.ts: a must be 2; got 1. Use 2.\nenvironments/prod.ts: b must be y; got "x". Use y.',
    );
  });

  test('a crash inside Slipway keeps its stack trace, to be reported', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'port')");
    expect(isUserError(error)).toBe(false);
    expect(describeFatalError(error)).toMatch(
      /^TypeError: Cannot read properties of undefined \(reading 'port'\)\n {4}at /,
    );
  });
});
