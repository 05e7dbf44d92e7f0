/**
 * jest's node test environment with one change: each test file gets a temporary directory of its own, removed
 * when the file is done, and `os.tmpdir()` points into it while the file runs.
 *
 * Without it a test run leaves its temporary files behind: every CDK `App` created without an `outdir` writes
 * its cloud assembly to a fresh `cdk.out*` directory there, and so does every test that makes a directory to
 * synthesize, bundle or run something in and does not remove it. One run of this repository's tests left about
 * 250 of them (75 MB) in /tmp; a developer running the tests all day fills the disk.
 *
 * - The directory is the environment's: the test file, the modules it loads (aws-cdk-lib included) and every
 *   process it starts without an `env` of its own see it, through the worker's `TMPDIR` (`os.tmpdir()` reads it
 *   on every call) and the copy of `process.env` jest gives the test file (what a test passes on as `env`).
 *   `TMP` and `TEMP`, which Windows reads instead, follow it.
 * - It has /tmp's mode (1777): a process that a test starts as another user, such as nginx's workers, reaches the
 *   files the test made for it, as it would under /tmp.
 * - It is removed in the environment's teardown, after the file's `afterAll` hooks, whether its tests passed or
 *   not; the variables get their values back, so the next file in the worker starts where this one did.
 * - A jest worker runs one test file at a time, so changing the worker's environment variables is safe.
 *
 * A package's jest config names it as `testEnvironment` (see `useFastTests`). It loads the jest-environment-node
 * of the jest that loaded it, so it works with whichever jest 30 the package installs.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type NodeEnvironment from 'jest-environment-node';

/** The variables `os.tmpdir()` reads: TMPDIR on POSIX systems, TEMP and TMP on Windows. */
const TEMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;

/** What a test file's temporary directory is called, under the temporary directory of the run. */
export const TEST_FILE_TEMP_PREFIX = 'slipway-jest-';

type NodeEnvironmentClass = typeof NodeEnvironment;

/**
 * The jest-environment-node of the jest that is running: resolved from jest's own entry point (the worker, or the
 * CLI when jest runs in band), then from the package under test, then from here.
 */
function loadNodeEnvironment(): NodeEnvironmentClass {
  const load = createRequire(__filename);
  const from = [require.main ? dirname(require.main.filename) : undefined, process.cwd(), __dirname];
  const resolved = load.resolve('jest-environment-node', {
    paths: from.filter((dir): dir is string => dir !== undefined),
  });
  return (load(resolved) as { default: NodeEnvironmentClass }).default;
}

/**
 * Points the temporary-directory variables of `env` at `dir`. Returns what they were, for `restoreTempVariables`.
 */
export function pointTempVariablesAt(env: NodeJS.ProcessEnv, dir: string): Record<string, string | undefined> {
  const previous: Record<string, string | undefined> = {};
  for (const name of TEMP_VARIABLES) {
    previous[name] = env[name];
    env[name] = dir;
  }
  return previous;
}

/** Gives the temporary-directory variables of `env` back the values `pointTempVariablesAt` returned. */
export function restoreTempVariables(env: NodeJS.ProcessEnv, previous: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
}

const Environment = loadNodeEnvironment();

/** jest's node environment, with the temporary directory described at the top of this file. */
export class SlipwayTestEnvironment extends Environment {
  private tempDir: string | undefined;
  private previousWorkerVariables: Record<string, string | undefined> = {};

  override async setup(): Promise<void> {
    await super.setup();
    const dir = mkdtempSync(join(tmpdir(), TEST_FILE_TEMP_PREFIX));
    // The mode of /tmp: processes a test runs as another user (nginx's workers) reach their files as they would there.
    chmodSync(dir, 0o1777);
    this.tempDir = dir;
    this.previousWorkerVariables = pointTempVariablesAt(process.env, dir);
    // The test file's own copy of process.env is discarded with the file: nothing to restore there.
    pointTempVariablesAt(this.global.process.env, dir);
  }

  override async teardown(): Promise<void> {
    try {
      await super.teardown();
    } finally {
      restoreTempVariables(process.env, this.previousWorkerVariables);
      if (this.tempDir !== undefined) {
        // Retries: a process the file stopped in afterAll may still be closing files in it.
        rmSync(this.tempDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      }
    }
  }
}

export default SlipwayTestEnvironment;
