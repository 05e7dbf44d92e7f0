import type { Server } from 'node:http';
import express from 'express';
import request from 'supertest';
import { createLogger } from '../../src/logger';
import { accessLog } from '../../src/middleware/access-log';
import { requestId } from '../../src/middleware/request-id';
import { openSocket, portOf } from '../support/raw-http';
import { LogCapture, testConfig } from '../support/test-app';

function loggedApp(logs: LogCapture) {
  const app = express();
  app.use(requestId());
  app.use(accessLog(createLogger(testConfig(), logs.stream)));
  app.get('/things/:id', (_req, res) => {
    res.status(202).json({});
  });
  app.get('/never', () => {
    // Answers nothing: the client gives up first.
  });
  return app;
}

describe('accessLog', () => {
  test('writes one line per request: method, path, status, duration and request id', async () => {
    const logs = new LogCapture();
    const response = await request(loggedApp(logs)).get('/things/7').set('X-Request-Id', 'req-1').expect(202);
    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toMatchObject({
      level: 'info',
      msg: 'request completed',
      requestId: 'req-1',
      method: 'GET',
      path: '/things/7',
      status: 202,
      durationMs: expect.any(Number),
    });
    expect(response.headers['x-request-id']).toBe('req-1');
  });

  test('leaves the query string out: it may hold tokens', async () => {
    const logs = new LogCapture();
    await request(loggedApp(logs)).get('/things/7?token=secret').expect(202);
    expect(logs.lines[0].path).toBe('/things/7');
    expect(JSON.stringify(logs.lines)).not.toContain('secret');
  });

  test('logs requests that end in an error status too', async () => {
    const logs = new LogCapture();
    await request(loggedApp(logs)).get('/nothing-here').expect(404);
    expect(logs.lines[0]).toMatchObject({ status: 404, path: '/nothing-here' });
  });

  test('every line carries the environment, version and commit', async () => {
    const logs = new LogCapture();
    await request(loggedApp(logs)).get('/things/1');
    expect(logs.lines[0]).toMatchObject({
      environment: 'test',
      version: '1.2.3',
      gitSha: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(logs.lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('logs a request whose client left before the response as aborted', async () => {
    const logs = new LogCapture();
    const server: Server = loggedApp(logs).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const socket = await openSocket(portOf(server));
      socket.write('GET /never HTTP/1.1\r\nHost: x\r\nX-Request-Id: gone-1\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      for (let wait = 0; wait < 100 && logs.lines.length === 0; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(logs.lines).toEqual([
        expect.objectContaining({
          msg: 'request aborted before the response was sent',
          requestId: 'gone-1',
          path: '/never',
          aborted: true,
        }),
      ]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
