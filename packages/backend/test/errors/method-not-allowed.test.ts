import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/errors/error-handler';
import { methodNotAllowed } from '../../src/errors/method-not-allowed';
import { createLogger } from '../../src/logger';
import { requestId } from '../../src/middleware/request-id';
import { LogCapture, testConfig } from '../support/test-app';

function app(...methods: string[]) {
  const result = express();
  result.use(requestId());
  result
    .route('/thing')
    .get((_req, res) => {
      res.end();
    })
    .put((_req, res) => {
      res.end();
    })
    .all(methodNotAllowed(...methods));
  result.use(errorHandler(createLogger(testConfig(), new LogCapture().stream)));
  return result;
}

describe('methodNotAllowed', () => {
  test('lists the given methods, HEAD with GET, and OPTIONS', async () => {
    const response = await request(app('GET', 'PUT')).delete('/thing').expect(405);
    expect(response.headers.allow).toBe('GET, PUT, HEAD, OPTIONS');
    expect(response.body.detail).toBe('/thing does not support DELETE; use GET, PUT, HEAD, OPTIONS.');
  });

  test('does not add HEAD without GET', async () => {
    const response = await request(app('PUT')).post('/thing').expect(405);
    expect(response.headers.allow).toBe('PUT, OPTIONS');
  });

  test('lets the route handlers answer their own methods', async () => {
    await request(app('GET', 'PUT')).put('/thing').expect(200);
  });
});
