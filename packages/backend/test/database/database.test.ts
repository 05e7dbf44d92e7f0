import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { Database, isDatabaseUnavailable } from '../../src/database/database';
import { DependencyUnavailable } from '../../src/errors/dependency-unavailable';
import { createLogger } from '../../src/logger';
import { DEAD_DATABASE_URL, databaseTargets, type TestDatabase } from '../support/databases';
import { createTestApp, testConfig } from '../support/test-app';

jest.setTimeout(30_000);

const logger = createLogger(testConfig({ LOG_LEVEL: 'silent' }));

describe.each(databaseTargets().map((target) => [target.name, target] as const))('Database on %s', (_name, target) => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await target.create();
    db = new Database(database.url, logger);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  test('runs parameterized statements: values never become SQL', async () => {
    const hostile = "x'); DROP TABLE greetings; --";
    const [row] = await db.query<{ name: string }>('SELECT $1::text AS name', [hostile]);
    expect(row.name).toBe(hostile);
    await db.ping();
  });

  test('a broken query is a bug, not an outage: the error is passed on as is (a 500), not turned into a 503', async () => {
    const error = await db.query('SELEC 1').catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(DependencyUnavailable);
    expect(error).toMatchObject({ code: '42601' }); // syntax_error
  });

  test('a statement over the time limit is a 503 (57014 query_canceled)', async () => {
    const slow = new Database(database.url, logger, { queryMs: 200 });
    try {
      await expect(slow.query('SELECT pg_sleep(2)')).rejects.toBeInstanceOf(DependencyUnavailable);
    } finally {
      await slow.close();
    }
  });
});

describe('isDatabaseUnavailable', () => {
  test('a refused connection is unavailable, and so is a database that does not exist', async () => {
    const dead = new Database(DEAD_DATABASE_URL, logger, { connectMs: 1000 });
    try {
      await expect(dead.ping()).rejects.toBeInstanceOf(DependencyUnavailable);
    } finally {
      await dead.close();
    }
    expect(isDatabaseUnavailable({ code: '3D000', message: 'database "x" does not exist' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '08006', message: 'connection failure' })).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key value' })).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
  });
});

// PGlite has no roles to refuse (every connection is its one user), so this needs the real server: CI sets
// TEST_DATABASE_URL and databaseTargets() fails the run without it; elsewhere it runs when you set it.
const realServer = databaseTargets().find((target) => target.name.startsWith('PostgreSQL'));
(realServer ? describe : describe.skip)(
  `refused credentials (a password rotated after the task started), on ${realServer?.name ?? 'PostgreSQL: set TEST_DATABASE_URL'}`,
  () => {
    let database: TestDatabase;
    let admin: Client;
    const role = `slipway_test_${randomBytes(6).toString('hex')}`;
    beforeAll(async () => {
      database = await realServer!.create({ migrated: false });
      admin = new Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'first'`);
    });
    afterAll(async () => {
      await admin?.query(`DROP ROLE IF EXISTS ${role}`);
      await admin?.end();
      await database?.drop();
    });

    test('are noted from the first refused connection until the next one authenticates, and answered with 503', async () => {
      const url = new URL(database.url);
      url.username = role;
      url.password = 'first';
      const db = new Database(url.toString(), logger);
      try {
        // GIVEN an instance whose credentials work
        await db.ping();
        expect(db.credentialsRefusedSince).toBeUndefined();
        // WHEN the server stops taking them (as after a rotation) and the instance's connections are gone
        await admin.query(`ALTER ROLE ${role} NOLOGIN`);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
        // THEN every query that needs a new connection is a 503, and the refusal is noted with its time
        const before = Date.now();
        const causes: unknown[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const caught: unknown = await db.ping().catch((reason: unknown) => reason);
          expect(caught).toBeInstanceOf(DependencyUnavailable);
          causes.push((caught as DependencyUnavailable).cause);
        }
        // (the first may still reach the terminated connection, 57P01; after that the pool connects anew)
        expect(causes.at(-1)).toMatchObject({ code: '28000' });
        const since = db.credentialsRefusedSince;
        expect(since).toBeInstanceOf(Date);
        expect(since!.getTime()).toBeGreaterThanOrEqual(before - 1000);
        // AND the app's liveness fails, so that ECS replaces the task (its readiness and greetings were 503 already)
        const { app } = createTestApp({}, () => ({ database: db }));
        const health = await request(app).get('/api/health').expect(503);
        expect(health.body.detail).toContain(`since ${since!.toISOString()}`);
        // WHEN the server takes them again THEN the next connection clears it
        await admin.query(`ALTER ROLE ${role} LOGIN`);
        await db.ping();
        expect(db.credentialsRefusedSince).toBeUndefined();
        await request(app).get('/api/health').expect(200);
      } finally {
        await db.close();
      }
    });
  },
);

test('a server that is down is not a refusal: liveness stays 200 through an outage', async () => {
  const dead = new Database(DEAD_DATABASE_URL, logger, { connectMs: 1000 });
  try {
    await expect(dead.ping()).rejects.toBeInstanceOf(DependencyUnavailable);
    expect(dead.credentialsRefusedSince).toBeUndefined();
  } finally {
    await dead.close();
  }
});
