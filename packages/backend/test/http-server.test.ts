import type { Server } from 'node:http';
import { createHttpServer } from '../src/http-server';
import { createLogger } from '../src/logger';
import { parseResponses, portOf, sendRaw } from './support/raw-http';
import { createTestApp, LogCapture, testConfig } from './support/test-app';

describe('createHttpServer', () => {
  let server: Server;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  async function listen(env: Record<string, string> = {}): Promise<number> {
    const { app, config } = createTestApp(env);
    server = createHttpServer(app, config, createLogger(testConfig(), new LogCapture().stream));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return portOf(server);
  }

  test('keeps idle connections longer than the ALB (60 s) and waits for headers longer still', async () => {
    await listen();
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBe(66_000);
    expect(server.requestTimeout === 0 || server.requestTimeout >= server.headersTimeout).toBe(true);
  });

  test('follows KEEP_ALIVE_TIMEOUT_MS, e.g. for an ALB with a longer idle timeout', async () => {
    await listen({ KEEP_ALIVE_TIMEOUT_MS: '400000' });
    expect(server.keepAliveTimeout).toBe(400_000);
    expect(server.headersTimeout).toBe(401_000);
    expect(server.requestTimeout).toBeGreaterThanOrEqual(401_000);
  });

  test('tells clients how long it keeps the connection', async () => {
    const port = await listen();
    const [response] = parseResponses(await sendRaw(port, 'GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(response.headers['keep-alive']).toBe('timeout=65');
  });

  test('answers a request the HTTP parser rejects with a 400 problem and closes', async () => {
    const port = await listen();
    const [response] = parseResponses(await sendRaw(port, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is not valid HTTP/1.1.',
      requestId: response.headers['x-request-id'],
    });
  });

  test('answers oversized headers with 431', async () => {
    const port = await listen();
    const [response] = parseResponses(
      await sendRaw(port, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    );
    expect(response.status).toBe(431);
    expect(JSON.parse(response.body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });

  test('answers an Expect other than 100-continue with a 417 problem', async () => {
    const port = await listen();
    const [response] = parseResponses(
      await sendRaw(port, 'GET /api/health HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n'),
    );
    expect(response.status).toBe(417);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(response.body)).toMatchObject({
      status: 417,
      title: 'Expectation Failed',
      detail: expect.stringContaining('teapot'),
    });
  });
});
