import request from 'supertest';
import type { Clock } from '../../src/clock';
import { Database } from '../../src/database/database';
import { createLogger } from '../../src/logger';
import { DEAD_DATABASE_URL, databaseTargets, type TestDatabase } from '../support/databases';
import { createTestApp, testConfig } from '../support/test-app';

jest.setTimeout(30_000);

/** A clock that moves one second on every reading, so each greeting is newer than the last. */
function tickingClock(): Clock {
  let now = Date.parse('2025-01-02T03:04:05.000Z');
  return { now: () => new Date((now += 1000)) };
}

describe.each(databaseTargets().map((target) => [target.name, target] as const))(
  'greetings stored in %s',
  (_name, target) => {
    let database: TestDatabase;
    const open: Database[] = [];

    function appOn(url: string, env: Record<string, string> = {}) {
      return createTestApp(env, (logger) => {
        const db = new Database(url, logger, { connectMs: 1000 });
        open.push(db);
        return { database: db, clock: tickingClock() };
      });
    }

    beforeAll(async () => {
      database = await target.create();
    });
    afterAll(async () => {
      await Promise.all(open.map((db) => db.close()));
      await database?.drop();
    });

    test('POST stores the greeting (201) and GET lists the latest first, as many as limit asks', async () => {
      const { app } = appOn(database.url);
      const created = await request(app).post('/api/greetings').send({ name: ' Ada ' }).expect(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^\d+$/),
        greeting: 'Hello, Ada!',
        name: 'Ada',
        createdAt: '2025-01-02T03:04:07.000Z', // the clock's second reading: the app read it once at start
      });
      for (const name of ['Grace', 'Edsger', 'Barbara']) {
        await request(app).post('/api/greetings').send({ name }).expect(201);
      }
      const listed = await request(app).get('/api/greetings?limit=3').expect(200);
      expect(listed.body.greetings.map((greeting: { name: string }) => greeting.name)).toEqual([
        'Barbara',
        'Edsger',
        'Grace',
      ]);
      const all = await request(app).get('/api/greetings').expect(200);
      expect(all.body.greetings).toContainEqual(created.body);
    });

    test('what one app instance stores, another reads: the data is in the database, not the process', async () => {
      await request(appOn(database.url).app).post('/api/greetings').send({ name: 'Shared' }).expect(201);
      const listed = await request(appOn(database.url).app).get('/api/greetings?limit=100').expect(200);
      expect(listed.body.greetings.map((greeting: { name: string }) => greeting.name)).toContain('Shared');
    });

    test.each([
      ['limit=0', 'limit must be at least 1'],
      ['limit=101', 'limit must be at most 100'],
      ['limit=ten', 'limit must be a whole number from 1 to 100'],
      ['limit=-1', 'limit must be a whole number from 1 to 100'],
      ['limit=1.5', 'limit must be a whole number from 1 to 100'],
      ['limit=', 'limit must be a whole number from 1 to 100'],
      ['limit=1&limit=2', 'limit must be one whole number from 1 to 100'],
    ])('GET with %s is a 400 validation problem, never a 500', async (query, message) => {
      const { app, logs } = appOn(database.url);
      const response = await request(app).get(`/api/greetings?${query}`).expect(400);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.body).toMatchObject({
        type: 'tag:slipway.dev,2025:problems/validation-failed',
        status: 400,
        detail: 'The request query string failed validation; see errors for each field.',
        errors: [{ path: 'limit', message }],
      });
      expect(logs.lines.filter((line) => line.level === 'error')).toEqual([]);
    });

    test('a database that cannot be reached gives 503 problems with Retry-After, and /api/health stays 200', async () => {
      const { app, logs } = appOn(DEAD_DATABASE_URL);
      for (const call of [
        request(app).post('/api/greetings').send({ name: 'Ada' }),
        request(app).get('/api/greetings'),
      ]) {
        const response = await call.expect(503);
        expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        expect(response.headers['retry-after']).toBe('5');
        expect(response.body).toMatchObject({
          type: 'tag:slipway.dev,2025:problems/dependency-unavailable',
          status: 503,
          detail: 'The database is unavailable. Try again shortly.',
        });
        // Nothing about the database's address or the driver's message reaches the client.
        expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      }
      await request(app).get('/api/health').expect(200);
      const ready = await request(app).get('/api/ready').expect(503);
      expect(ready.body.detail).toBe(
        'This instance cannot serve requests: The database is unavailable. Try again shortly.',
      );
      expect(logs.matching(/^The database is unavailable\. Try again shortly\. .*: answered 503$/)).toHaveLength(2);
      expect(logs.matching(/answered 503$/)[0]).toMatchObject({ level: 'error', code: 'ECONNREFUSED' });
    });

    test('a database without the migrations gives a 503 that says so', async () => {
      const bare = await target.create({ migrated: false });
      try {
        const response = await request(appOn(bare.url).app).get('/api/greetings').expect(503);
        expect(response.body.detail).toBe(
          'The database is not ready: its schema is not migrated yet. Try again later.',
        );
        expect(response.headers['retry-after']).toBe('30');
      } finally {
        await Promise.all(open.splice(0).map((db) => db.close()));
        await bare.drop();
      }
    });
  },
);

describe('a database that goes down and comes back (PGlite)', () => {
  test('requests get 503 while it is down, idle connections breaking do not end the process, and it recovers', async () => {
    const [pglite] = databaseTargets();
    const database = await pglite.create();
    const logs: string[] = [];
    const logger = createLogger(testConfig({ LOG_LEVEL: 'warn' }), { write: (line: string) => logs.push(line) });
    const db = new Database(database.url, logger, { connectMs: 1000 });
    const { app } = createTestApp({}, () => ({ database: db }));
    try {
      await request(app).post('/api/greetings').send({ name: 'Before' }).expect(201);
      // The pool now holds an idle connection; the server closing it is what crashed the process without a listener.
      await database.embedded!.suspend();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(logs.join('')).toMatch(/database connection lost while idle/);
      await request(app).post('/api/greetings').send({ name: 'During' }).expect(503);
      await request(app).get('/api/ready').expect(503);
      await database.embedded!.resume();
      await request(app).get('/api/ready').expect(200);
      await request(app).post('/api/greetings').send({ name: 'After' }).expect(201);
      const listed = await request(app).get('/api/greetings').expect(200);
      expect(listed.body.greetings.map((greeting: { name: string }) => greeting.name)).toEqual(['After', 'Before']);
    } finally {
      await db.close();
      await database.drop();
    }
  });
});

describe('no database configured', () => {
  test('the greetings routes answer 503 saying so; readiness does not depend on a database it does not have', async () => {
    const { app } = createTestApp();
    const response = await request(app).get('/api/greetings').expect(503);
    expect(response.body.detail).toBe(
      'No database is configured for this service, so it cannot store or list greetings.',
    );
    await request(app).get('/api/ready').expect(200);
  });
});
