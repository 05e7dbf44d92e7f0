import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

/**
 * Runs the jest this package installs over `config` in one worker, without coverage and colours, as a package's
 * test task would run it: for tests of what @slipway/projen gives jest (its runtime, its environment).
 */
export function runJest(config: string, options: { cwd: string; env?: NodeJS.ProcessEnv }): SpawnSyncReturns<string> {
  const jestBin = path.join(path.dirname(require.resolve('jest/package.json')), 'bin', 'jest.js');
  return spawnSync(process.execPath, [jestBin, '--config', config, '--ci', '-w', '1', '--coverage=false'], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
  });
}
