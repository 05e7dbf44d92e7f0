import request from 'supertest';
import { createTestApp } from '../support/test-app';

describe('GET /api/ready', () => {
  test('answers 200 while the instance takes traffic', async () => {
    const { app } = createTestApp();
    const response = await request(app).get('/api/ready').expect(200);
    expect(response.body).toEqual({ status: 'ready' });
  });

  test('answers 503 as a problem once shutdown has begun', async () => {
    const { app, readiness } = createTestApp();
    readiness.beginDrain();
    const response = await request(app).get('/api/ready').expect(503);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toMatchObject({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: expect.stringMatching(/shutting down/),
      requestId: response.headers['x-request-id'],
    });
  });

  test('is not written to the access log', async () => {
    const { app, logs } = createTestApp();
    await request(app).get('/api/ready').expect(200);
    expect(logs.lines).toEqual([]);
  });

  test('rejects other methods with 405', async () => {
    const { app } = createTestApp();
    const response = await request(app).delete('/api/ready').expect(405);
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
  });
});
