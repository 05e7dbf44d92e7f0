import express from 'express';
import request from 'supertest';
import { errorHandler, toProblem } from '../../src/errors/error-handler';
import { HttpProblem } from '../../src/errors/http-problem';
import { createLogger } from '../../src/logger';
import { requestId } from '../../src/middleware/request-id';
import { LogCapture, testConfig } from '../support/test-app';

function failingApp(logs: LogCapture, fail: express.RequestHandler) {
  const app = express();
  app.use(requestId());
  app.get('/fail', fail);
  app.use(errorHandler(createLogger(testConfig(), logs.stream)));
  return app;
}

describe('errorHandler', () => {
  test('turns an unexpected error into a 500 problem without its message or stack', async () => {
    const logs = new LogCapture();
    const app = failingApp(logs, () => {
      throw new Error('connect ECONNREFUSED db.internal:5432 password=hunter2');
    });
    const response = await request(app).get('/fail').expect(500);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The server failed to handle this request. Quote the request id when you report it.',
      instance: '/fail',
      requestId: response.headers['x-request-id'],
    });
    expect(response.text).not.toMatch(/hunter2|ECONNREFUSED|at .*\.ts/);
  });

  test('logs the unexpected error with its stack and the request id, for whoever is on call', async () => {
    const logs = new LogCapture();
    const app = failingApp(logs, () => {
      throw new Error('boom');
    });
    const response = await request(app).get('/fail').expect(500);
    const [line] = logs.matching(/unexpected error/);
    expect(line).toMatchObject({
      level: 'error',
      requestId: response.headers['x-request-id'],
      method: 'GET',
      path: '/fail',
    });
    expect(line.err).toMatchObject({ message: 'boom', stack: expect.stringContaining('error-handler.test.ts') });
  });

  test('handles rejected promises from async handlers (Express 5)', async () => {
    const logs = new LogCapture();
    const app = failingApp(logs, async () => {
      await Promise.resolve();
      throw new Error('async boom');
    });
    await request(app).get('/fail').expect(500);
    expect(logs.matching(/unexpected error/)).toHaveLength(1);
  });

  test('renders an HttpProblem as is, with its headers, and does not log it as a fault', async () => {
    const logs = new LogCapture();
    const app = failingApp(logs, () => {
      throw new HttpProblem({ status: 409, detail: 'Already greeted.', headers: { 'Retry-After': '5' } });
    });
    const response = await request(app).get('/fail').expect(409);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toMatchObject({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'Already greeted.',
    });
    expect(logs.lines).toEqual([]);
  });

  test('cuts the connection when the response had already started: a half-sent body must not look complete', async () => {
    const logs = new LogCapture();
    const app = failingApp(logs, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      throw new Error('failed mid-stream');
    });
    await expect(request(app).get('/fail')).rejects.toThrow();
    expect(logs.matching(/unexpected error/)).toHaveLength(1);
  });
});

describe('toProblem', () => {
  function clientError(status: number, type: string, extra: Record<string, unknown> = {}) {
    return Object.assign(new Error('raw message'), { status, type, expose: true, ...extra });
  }

  test('malformed JSON becomes 400 with its own problem type', () => {
    expect(toProblem(clientError(400, 'entity.parse.failed'))).toMatchObject({
      status: 400,
      type: 'tag:slipway.dev,2025:problems/malformed-json',
    });
  });

  test('an oversized body becomes 413 naming the limit', () => {
    expect(toProblem(clientError(413, 'entity.too.large', { limit: 100 }))).toMatchObject({
      status: 413,
      detail: 'The request body is larger than the 100-byte limit.',
    });
  });

  test('a body shorter than its Content-Length becomes 400', () => {
    expect(toProblem(clientError(400, 'request.size.invalid')).status).toBe(400);
  });

  test('another client error keeps its status, and its message only when marked safe to expose', () => {
    expect(toProblem(clientError(415, 'charset.unsupported'))).toMatchObject({ status: 415, detail: 'raw message' });
    expect(toProblem(clientError(400, 'x', { expose: false }))).toMatchObject({
      status: 400,
      detail: 'The request could not be processed.',
    });
  });

  test('an error with a 5xx status is a server fault', () => {
    expect(toProblem(Object.assign(new Error('upstream'), { status: 502 })).status).toBe(500);
  });

  test('non-errors thrown are server faults too', () => {
    expect(toProblem('a string').status).toBe(500);
    expect(toProblem(undefined).status).toBe(500);
  });
});
