import request from 'supertest';
import { createTestApp } from '../support/test-app';

describe('GET /api/version', () => {
  test('reports the version, commit and environment from config, and when the app started', async () => {
    const { app } = createTestApp({ APP_VERSION: '2.0.1', GIT_SHA: 'abc1234', APP_ENV: 'staging' });
    const response = await request(app).get('/api/version').expect(200);
    expect(response.body).toEqual({
      version: '2.0.1',
      gitSha: 'abc1234',
      environment: 'staging',
      startedAt: '2025-01-02T03:04:05.000Z',
    });
  });

  test('is written to the access log', async () => {
    const { app, logs } = createTestApp();
    await request(app).get('/api/version').expect(200);
    expect(logs.matching(/request completed/)).toHaveLength(1);
  });

  test('rejects other methods with 405', async () => {
    const { app } = createTestApp();
    const response = await request(app).put('/api/version').send({}).expect(405);
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
  });
});
