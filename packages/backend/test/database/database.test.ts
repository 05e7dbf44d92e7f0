import { Database, isDatabaseUnavailable } from '../../src/database/database';
import { DependencyUnavailable } from '../../src/errors/dependency-unavailable';
import { createLogger } from '../../src/logger';
import { DEAD_DATABASE_URL, databaseTargets, type TestDatabase } from '../support/databases';
import { testConfig } from '../support/test-app';

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
