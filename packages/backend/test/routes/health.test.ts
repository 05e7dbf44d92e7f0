import request from 'supertest';
import { createTestApp } from '../support/test-app';

describe('GET /api/health', () => {
  test('answers 200 {"status":"ok"} as JSON', async () => {
    const { app } = createTestApp();
    const response = await request(app).get('/api/health').expect(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({ status: 'ok' });
  });

  test('answers HEAD too, for load balancers that probe with it', async () => {
    const { app } = createTestApp();
    await request(app).head('/api/health').expect(200);
  });

  test('stays 200 while the instance drains: liveness is not readiness', async () => {
    const { app, readiness } = createTestApp();
    readiness.beginDrain();
    await request(app).get('/api/health').expect(200);
  });

  test('is not written to the access log', async () => {
    const { app, logs } = createTestApp();
    await request(app).get('/api/health').expect(200);
    expect(logs.lines).toEqual([]);
  });

  test('rejects other methods with 405 and the methods it allows', async () => {
    const { app } = createTestApp();
    const response = await request(app).post('/api/health').expect(405);
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toMatchObject({ status: 405, title: 'Method Not Allowed', instance: '/api/health' });
  });

  test('answers OPTIONS with 204 and Allow', async () => {
    const { app } = createTestApp();
    const response = await request(app).options('/api/health').expect(204);
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
  });
});
