import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { testConfig } from './test-app';
import { compileWebAssemblyForShortRuns, startEmbeddedDatabase } from '../../dev/embedded-database';
import { migrate } from '../../src/database/migrations';
import { createLogger } from '../../src/logger';

/**
 * The embedded databases' starting points, made once per jest run: PGlite's initdb (most of its start-up) runs once,
 * the migrations are applied once, and each test file starts a PGlite of its own from a copy.
 */
export type PgliteImage = 'bare' | 'migrated';

// Every process that loads this (jest's, for the global setup, and each worker) starts PGlites for a few queries.
compileWebAssemblyForShortRuns();

// Set by the global setup for the workers it starts: the folder holding `<image>.tar`.
const IMAGES_ENV = 'SLIPWAY_TEST_PGLITE_IMAGES';

/** Jest's globalSetup: initdb once, dump the data folder, migrate it, dump it again. */
export async function createPgliteImages(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-pglite-'));
  const embedded = await startEmbeddedDatabase();
  try {
    await writeImage(dir, 'bare', await embedded.dump());
    await migrate({ databaseUrl: embedded.url, logger: createLogger(testConfig({ LOG_LEVEL: 'silent' })) });
    await writeImage(dir, 'migrated', await embedded.dump());
  } finally {
    await embedded.stop();
  }
  process.env[IMAGES_ENV] = dir;
}

/** Jest's globalTeardown. */
export function removePgliteImages(): void {
  const dir = process.env[IMAGES_ENV];
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A data folder made by {@link createPgliteImages}, for `startEmbeddedDatabase({ image })`. */
export function pgliteImage(image: PgliteImage): Blob {
  const dir = process.env[IMAGES_ENV];
  if (!dir) {
    throw new Error(
      `${IMAGES_ENV} is not set: the embedded databases start from images made by jest's globalSetup ` +
        '(test/support/global-setup.ts, set in package.json by packages/projen/src/workspace/backend.ts). Fix the jest config.',
    );
  }
  return new Blob([readFileSync(path.join(dir, `${image}.tar`))]);
}

async function writeImage(dir: string, image: PgliteImage, data: Blob): Promise<void> {
  writeFileSync(path.join(dir, `${image}.tar`), Buffer.from(await data.arrayBuffer()));
}
