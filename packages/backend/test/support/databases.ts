import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { pgliteImage } from './pglite-images';
import { testConfig } from './test-app';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../../dev/embedded-database';
import { migrate } from '../../src/database/migrations';
import { createLogger } from '../../src/logger';

/** A migrated database of its own for one test file. */
export interface TestDatabase {
  readonly url: string;
  /** The embedded server, which tests can take down and bring back; undefined for a real server. */
  readonly embedded?: EmbeddedDatabase;
  drop(): Promise<void>;
}

/** A kind of PostgreSQL the database tests run against. */
export interface DatabaseTarget {
  readonly name: string;
  create(options?: { readonly migrated?: boolean }): Promise<TestDatabase>;
}

const quietLogger = () => createLogger(testConfig({ LOG_LEVEL: 'silent' }));

/**
 * A PGlite of its own, in memory: a copy of the images the run's globalSetup made (pglite-images.ts), one where
 * node-pg-migrate applied migrations/ or one fresh from initdb. Nothing one test file writes reaches another.
 */
const pglite: DatabaseTarget = {
  name: 'PGlite (embedded)',
  async create({ migrated = true } = {}) {
    const embedded = await startEmbeddedDatabase({ image: pgliteImage(migrated ? 'migrated' : 'bare') });
    return { url: embedded.url, embedded, drop: () => embedded.stop() };
  },
};

/**
 * The real server named by TEST_DATABASE_URL (`.ci/run` starts Debian's PostgreSQL and sets it). Each test file
 * gets a database of its own, created here and dropped afterwards.
 */
function realServer(adminUrl: string): DatabaseTarget {
  return {
    name: 'PostgreSQL (TEST_DATABASE_URL)',
    async create({ migrated = true } = {}) {
      const name = `slipway_test_${randomBytes(6).toString('hex')}`;
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      if (migrated) {
        await migrate({ databaseUrl: url.toString(), logger: quietLogger() });
      }
      return {
        url: url.toString(),
        async drop() {
          const client = new Client({ connectionString: adminUrl });
          await client.connect();
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

/**
 * Every PostgreSQL the database tests run against: PGlite always, and the real server when TEST_DATABASE_URL is
 * set. In CI (CI=true) it must be set: a missing server fails the tests instead of quietly testing less.
 */
export function databaseTargets(): DatabaseTarget[] {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    return [pglite, realServer(url)];
  }
  if (process.env.CI === 'true') {
    return [
      pglite,
      {
        name: 'PostgreSQL (TEST_DATABASE_URL)',
        create: () =>
          Promise.reject(
            new Error(
              'CI=true but TEST_DATABASE_URL is not set: .ci/run starts PostgreSQL and exports it. Fix .ci/run.',
            ),
          ),
      },
    ];
  }
  return [pglite];
}

/** A URL where nothing listens: a database that is down. */
export const DEAD_DATABASE_URL = 'postgres://postgres@127.0.0.1:1/postgres';
