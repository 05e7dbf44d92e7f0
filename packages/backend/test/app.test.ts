import type { Express } from 'express';
import request from 'supertest';
import { createTestApp } from './support/test-app';

// Every response, success or error, from the probes to the fallback 404.
const RESPONSES: [string, (app: Express) => request.Test][] = [
  ['GET /api/health', (app) => request(app).get('/api/health')],
  ['GET /api/ready', (app) => request(app).get('/api/ready')],
  ['GET /api/version', (app) => request(app).get('/api/version')],
  ['POST /api/greetings', (app) => request(app).post('/api/greetings').send({ name: 'Ada' })],
  ['400', (app) => request(app).post('/api/greetings').send({})],
  ['404', (app) => request(app).get('/nowhere')],
  ['405', (app) => request(app).patch('/api/version')],
  ['415', (app) => request(app).post('/api/greetings').set('Content-Type', 'text/plain').send('x')],
];

describe('createApp', () => {
  test.each(RESPONSES)('%s carries the security headers and a request id', async (_name, send) => {
    const { app } = createTestApp();
    const { headers } = await send(app);
    expect(headers['x-request-id']).toEqual(expect.any(String));
    expect(headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toMatch(/^max-age=/);
    expect(headers).not.toHaveProperty('x-powered-by');
    expect(headers).not.toHaveProperty('etag');
  });

  test('the request id in a problem body is the one in the header and in the log line', async () => {
    const { app, logs } = createTestApp();
    const response = await request(app).get('/nowhere').set('X-Request-Id', 'trace-me').expect(404);
    expect(response.body.requestId).toBe('trace-me');
    expect(logs.lines).toEqual([expect.objectContaining({ requestId: 'trace-me', status: 404 })]);
  });

  test('trusts one proxy hop: req.ip is the address the ALB saw, not what the client claims', async () => {
    const { app } = createTestApp();
    expect(app.get('trust proxy')).toBe(1);
    expect(app.get('trust proxy fn')('127.0.0.1', 0)).toBe(true);
    expect(app.get('trust proxy fn')('203.0.113.9', 1)).toBe(false);
  });

  test('never lists a stack trace or module path in an error body', async () => {
    const { app } = createTestApp();
    const responses = await Promise.all(RESPONSES.slice(4).map(([, send]) => send(app)));
    for (const response of responses) {
      expect(response.text).not.toMatch(/node_modules|\.ts:\d|\n\s+at /);
    }
  });
});
