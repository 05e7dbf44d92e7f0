import express from 'express';
import request from 'supertest';
import { requestId } from '../../src/middleware/request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function echoApp() {
  const app = express();
  app.use(requestId());
  app.get('/', (req, res) => {
    res.json({ id: req.requestId });
  });
  return app;
}

describe('requestId', () => {
  test('generates a UUID when the caller sends none, and returns it as X-Request-Id', async () => {
    const response = await request(echoApp()).get('/').expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(response.body.id).toBe(response.headers['x-request-id']);
  });

  test('gives every request its own id', async () => {
    const app = echoApp();
    const first = await request(app).get('/');
    const second = await request(app).get('/');
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
  });

  test("reuses the caller's X-Request-Id", async () => {
    const response = await request(echoApp()).get('/').set('X-Request-Id', 'checkout-42.a:b/c').expect(200);
    expect(response.headers['x-request-id']).toBe('checkout-42.a:b/c');
  });

  test("falls back to the ALB's X-Amzn-Trace-Id root", async () => {
    const response = await request(echoApp())
      .get('/')
      .set(
        'X-Amzn-Trace-Id',
        'Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;Sampled=1',
      )
      .expect(200);
    expect(response.headers['x-request-id']).toBe('1-67891233-abcdef012345678912345678');
  });

  test('prefers X-Request-Id over the trace id', async () => {
    const response = await request(echoApp())
      .get('/')
      .set('X-Request-Id', 'mine')
      .set('X-Amzn-Trace-Id', 'Root=1-2-3')
      .expect(200);
    expect(response.headers['x-request-id']).toBe('mine');
  });

  test.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'a b'],
    ['with a quote', 'a"b'],
    ['with JSON', '{"level":"fatal"}'],
  ])('replaces an X-Request-Id %s with a fresh UUID rather than echo it into logs', async (_case, value) => {
    const response = await request(echoApp()).get('/').set('X-Request-Id', value).expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  test('ignores a trace id without a usable root', async () => {
    const response = await request(echoApp()).get('/').set('X-Amzn-Trace-Id', 'Self=1-2-3;Root=').expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });
});
