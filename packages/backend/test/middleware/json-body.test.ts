import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/errors/error-handler';
import { createLogger } from '../../src/logger';
import { jsonBody } from '../../src/middleware/json-body';
import { requestId } from '../../src/middleware/request-id';
import { openSocket, parseResponses, portOf, sendRaw } from '../support/raw-http';
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

  test('rejects a compressed body with 415: JSON here is sent uncompressed', async () => {
    const response = await request(echoBodyApp(100))
      .post('/echo')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('{}')
      .expect(415);
    expect(response.body.detail).toBe('Send the body uncompressed; got Content-Encoding gzip.');
  });

  test.each(['utf-8', 'UTF-8', 'utf8', '"utf-8"'])('accepts charset=%s', async (charset) => {
    await request(echoBodyApp(100))
      .post('/echo')
      .set('Content-Type', `application/json; charset=${charset}`)
      .send('{"a":1}')
      .expect(200);
  });

  test('ignores a UTF-8 byte order mark', async () => {
    const response = await request(echoBodyApp(100))
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send('\uFEFF{"a":1}')
      .expect(200);
    expect(response.body).toEqual({ body: { a: 1 } });
  });

  test('stops keeping a chunked body once it passes the limit, and answers 413', async () => {
    const app = echoBodyApp(1000);
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const chunk = `${'a'.repeat(600)}`;
      const chunked = `${(600).toString(16)}\r\n${chunk}\r\n`.repeat(3) + '0\r\n\r\n';
      const raw = await sendRaw(
        portOf(server),
        `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`,
      );
      expect(parseResponses(raw)[0].status).toBe(413);
    } finally {
      server.close();
    }
  });

  test('an empty chunked body is malformed JSON (400)', async () => {
    const server: Server = echoBodyApp(100).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const raw = await sendRaw(
        portOf(server),
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
      );
      const [response] = parseResponses(raw);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).detail).toBe('The body is empty.');
    } finally {
      server.close();
    }
  });

  test('a client that disconnects mid-body breaks nothing', async () => {
    const server: Server = echoBodyApp(1000).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const socket = await openSocket(portOf(server));
      socket.write(
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const [response] = parseResponses(
        await sendRaw(
          portOf(server),
          'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
        ),
      );
      expect(response.status).toBe(200);
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
