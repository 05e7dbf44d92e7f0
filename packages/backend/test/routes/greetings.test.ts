import request from 'supertest';
import { Database } from '../../src/database/database';
import { databaseTargets, type TestDatabase } from '../support/databases';
import { createTestApp as createAppWithoutDatabase } from '../support/test-app';

jest.setTimeout(30_000);

// The request rules, against the embedded database (greetings-store.test.ts runs the storage against every target).
let database: TestDatabase;
const open: Database[] = [];
beforeAll(async () => {
  database = await databaseTargets()[0].create();
});
afterAll(async () => {
  await Promise.all(open.map((db) => db.close()));
  await database?.drop();
});

function createTestApp(env: Record<string, string> = {}) {
  return createAppWithoutDatabase(env, (logger) => {
    const db = new Database(database.url, logger);
    open.push(db);
    return { database: db };
  });
}

describe('POST /api/greetings', () => {
  test('greets the trimmed name with 201', async () => {
    const { app } = createTestApp();
    const response = await request(app).post('/api/greetings').send({ name: '  Ada Lovelace ' }).expect(201);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({
      id: expect.stringMatching(/^\d+$/),
      greeting: 'Hello, Ada Lovelace!',
      name: 'Ada Lovelace',
      createdAt: '2025-01-02T03:04:05.000Z',
    });
  });

  test('accepts names of exactly 100 characters and any script', async () => {
    const { app } = createTestApp();
    await request(app)
      .post('/api/greetings')
      .send({ name: 'a'.repeat(100) })
      .expect(201);
    const response = await request(app).post('/api/greetings').send({ name: 'Zoë 世界 🚀' }).expect(201);
    expect(response.body.greeting).toBe('Hello, Zoë 世界 🚀!');
  });

  test('ignores fields it does not know, so older servers accept newer clients', async () => {
    const { app } = createTestApp();
    const response = await request(app).post('/api/greetings').send({ name: 'Ada', locale: 'en' }).expect(201);
    expect(response.body).not.toHaveProperty('locale');
  });

  test('accepts a +json media type and a charset', async () => {
    const { app } = createTestApp();
    await request(app)
      .post('/api/greetings')
      .set('Content-Type', 'application/vnd.api+json; charset=utf-8')
      .send(JSON.stringify({ name: 'Ada' }))
      .expect(201);
  });

  test.each([
    [{}, 'name', 'name is required'],
    [{ name: 42 }, 'name', 'name must be a string'],
    [{ name: '   ' }, 'name', 'name must not be blank'],
    [{ name: 'a'.repeat(101) }, 'name', 'name must be at most 100 characters'],
    [{ name: 'Ada\u0000' }, 'name', 'name must not contain control characters'],
    [['Ada'], '', expect.stringMatching(/expected object/)],
  ])('rejects %j with a 400 validation problem naming the field', async (body, path, message) => {
    const { app } = createTestApp();
    const response = await request(app)
      .post('/api/greetings')
      .send(body as object)
      .expect(400);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toEqual({
      type: 'tag:slipway.dev,2025:problems/validation-failed',
      title: 'Your request is not valid',
      status: 400,
      detail: expect.any(String),
      instance: '/api/greetings',
      requestId: response.headers['x-request-id'],
      errors: [{ path, message }],
    });
  });

  test('a request without a body fails validation (400), not with 415', async () => {
    const { app } = createTestApp();
    const response = await request(app).post('/api/greetings').expect(400);
    expect(response.body.errors).toEqual([{ path: '', message: expect.stringMatching(/expected object/) }]);
  });

  test('rejects malformed JSON with 400', async () => {
    const { app } = createTestApp();
    const response = await request(app)
      .post('/api/greetings')
      .set('Content-Type', 'application/json')
      .send('{"name": "Ada"')
      .expect(400);
    expect(response.body).toMatchObject({
      type: 'tag:slipway.dev,2025:problems/malformed-json',
      title: 'The request body is not valid JSON',
      status: 400,
    });
    expect(response.body).not.toHaveProperty('errors');
  });

  test('rejects a JSON scalar body with 400: only objects and arrays are JSON documents here', async () => {
    const { app } = createTestApp();
    const response = await request(app)
      .post('/api/greetings')
      .set('Content-Type', 'application/json')
      .send('"Ada"')
      .expect(400);
    expect(response.body.type).toBe('tag:slipway.dev,2025:problems/malformed-json');
  });

  test('rejects a body over BODY_LIMIT_BYTES with 413', async () => {
    const { app } = createTestApp({ BODY_LIMIT_BYTES: '64' });
    const response = await request(app)
      .post('/api/greetings')
      .send({ name: 'a'.repeat(64) })
      .expect(413);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toMatchObject({
      status: 413,
      title: 'Payload Too Large',
      detail: 'The request body is larger than the 64-byte limit.',
    });
  });

  test.each([
    ['text/plain', 'Ada'],
    ['application/x-www-form-urlencoded', 'name=Ada'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('rejects a %s body with 415', async (contentType, body) => {
    const { app } = createTestApp();
    const response = await request(app).post('/api/greetings').set('Content-Type', contentType).send(body).expect(415);
    expect(response.body).toMatchObject({
      status: 415,
      title: 'Unsupported Media Type',
      detail: expect.stringContaining(contentType),
    });
  });

  test('rejects a JSON body in a charset other than UTF with 415', async () => {
    const { app } = createTestApp();
    const response = await request(app)
      .post('/api/greetings')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{"name":"Ada"}')
      .expect(415);
    expect(response.body.status).toBe(415);
  });

  test('rejects other methods with 405 and Allow: GET, POST', async () => {
    const { app } = createTestApp();
    const response = await request(app).delete('/api/greetings').expect(405);
    expect(response.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
  });
});
