import express from 'express';
import request from 'supertest';
import type { CredentialsCheck } from '../../src/routes/health';
import { healthRoutes } from '../../src/routes/health';
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

  describe("when the database refuses this instance's credentials (a password rotated after the task started)", () => {
    const credentials: { credentialsRefusedSince: Date | undefined } = { credentialsRefusedSince: undefined };
    const app = express();
    healthRoutes(app, { database: credentials satisfies CredentialsCheck });

    test('answers 503 problem+json saying since when, so the ALB and the container health check replace the task', async () => {
      credentials.credentialsRefusedSince = new Date('2026-12-02T10:00:00.000Z');
      const response = await request(app).get('/api/health').expect(503);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.body).toMatchObject({
        status: 503,
        instance: '/api/health',
        detail:
          "The database has refused this instance's credentials since 2026-12-02T10:00:00.000Z (its password changed " +
          'after the instance started): the instance needs replacing.',
      });
    });

    test('answers 200 again once a new connection authenticates', async () => {
      credentials.credentialsRefusedSince = undefined;
      await request(app).get('/api/health').expect(200, { status: 'ok' });
    });
  });

  describe("when the cache refuses this instance's credentials (its password changed after the task started)", () => {
    const database: { credentialsRefusedSince: Date | undefined } = { credentialsRefusedSince: undefined };
    const cache: { credentialsRefusedSince: Date | undefined } = { credentialsRefusedSince: undefined };
    const app = express();
    healthRoutes(app, { database, cache });

    test('answers 503 naming the cache, and both when both refuse', async () => {
      cache.credentialsRefusedSince = new Date('2026-12-02T11:00:00.000Z');
      const cacheOnly = await request(app).get('/api/health').expect(503);
      expect(cacheOnly.body.detail).toBe(
        "The cache has refused this instance's credentials since 2026-12-02T11:00:00.000Z (its password changed " +
          'after the instance started): the instance needs replacing.',
      );
      database.credentialsRefusedSince = new Date('2026-12-02T10:00:00.000Z');
      const both = await request(app).get('/api/health').expect(503);
      expect(both.body.detail).toMatch(/^The database has refused .*; The cache has refused /);
    });

    test('answers 200 once neither refuses', async () => {
      database.credentialsRefusedSince = undefined;
      cache.credentialsRefusedSince = undefined;
      await request(app).get('/api/health').expect(200, { status: 'ok' });
    });
  });
});
