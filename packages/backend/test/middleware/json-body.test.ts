import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/errors/error-handler';
import { createLogger } from '../../src/logger';
import { jsonBody } from '../../src/middleware/json-body';
import { requestId } from '../../src/middleware/request-id';
import { parseResponses, portOf, sendRaw } from '../support/raw-http';
import { LogCapture, testConfig } from '../support/test-app';

function echoBodyApp(limitBytes: number) {
  const app = express();
  app.use(requestId());
  app.post('/echo', jsonBody({ limitBytes }), (req, res) => {
    res.json({ body: req.body ?? null });
  });
  app.get('/untouched', (req, res) => {
    res.json({ parsed: req.body !== undefined });
  });
  app.use(errorHandler(createLogger(testConfig(), new LogCapture().stream)));
  return app;
}

describe('jsonBody', () => {
  test('parses a JSON body', async () => {
    const response = await request(echoBodyApp(100))
      .post('/echo')
      .send({ a: [1, 2] })
      .expect(200);
    expect(response.body).toEqual({ body: { a: [1, 2] } });
  });

  test('leaves req.body undefined when there is no body', async () => {
    const response = await request(echoBodyApp(100)).post('/echo').expect(200);
    expect(response.body).toEqual({ body: null });
  });

  test('is only where a route mounts it: other routes never parse', async () => {
    const response = await request(echoBodyApp(100))
      .get('/untouched')
      .set('Content-Type', 'application/json')
      .send('{}')
      .expect(200);
    expect(response.body).toEqual({ parsed: false });
  });

  test('rejects a body of exactly one byte over the limit with 413, and accepts one at the limit', async () => {
    const app = echoBodyApp(10);
    await request(app).post('/echo').set('Content-Type', 'application/json').send('{"a":"123"}').expect(413);
    await request(app).post('/echo').set('Content-Type', 'application/json').send('{"a":"12"}').expect(200);
  });

  test('rejects a non-JSON media type with 415', async () => {
    await request(echoBodyApp(100)).post('/echo').set('Content-Type', 'text/csv').send('a,b').expect(415);
  });

  test('rejects a body without Content-Type with 415', async () => {
    const server: Server = echoBodyApp(100).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const raw = await sendRaw(
        portOf(server),
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      );
      expect(parseResponses(raw)[0].status).toBe(415);
    } finally {
      server.close();
    }
  });

  test('rejects an unknown Content-Encoding with 415', async () => {
    await request(echoBodyApp(100))
      .post('/echo')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'snappy')
      .send('{}')
      .expect(415);
  });

  test('rejects malformed JSON with 400', async () => {
    await request(echoBodyApp(100)).post('/echo').set('Content-Type', 'application/json').send('{').expect(400);
  });
});
