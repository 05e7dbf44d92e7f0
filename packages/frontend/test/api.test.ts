import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiClient } from '../src/api';
import { CLIENT_PROBLEM_TYPES } from '../src/problem';
import { freePort } from './helpers/http';

// A real HTTP server standing in for the API, answering what each test sets, so the client's parsing
// of odd answers (proxy error pages, wrong shapes, silence) is exercised over a real socket.
type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
let handler: Handler;
let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function json(res: http.ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

describe('createApiClient', () => {
  test('reads the version', async () => {
    const info = { version: '1.2.3', gitSha: 'abc123', environment: 'dev', startedAt: '2025-01-01T00:00:00.000Z' };
    let seen: http.IncomingMessage | undefined;
    handler = (req, _body, res) => {
      seen = req;
      json(res, 200, info);
    };

    await expect(createApiClient({ baseUrl: origin }).version()).resolves.toEqual({ ok: true, value: info });
    expect(seen?.url).toBe('/api/version');
    expect(seen?.headers.accept).toBe('application/json, application/problem+json');
  });

  test('posts a greeting as JSON', async () => {
    let request: { method?: string; url?: string; type?: string; body?: string } = {};
    handler = (req, body, res) => {
      request = { method: req.method, url: req.url, type: req.headers['content-type'], body };
      json(res, 201, { greeting: 'Hello, Ada!', name: 'Ada', createdAt: '2025-01-01T00:00:00.000Z' });
    };

    const answer = await createApiClient({ baseUrl: origin }).createGreeting('Ada');

    expect(answer).toEqual({
      ok: true,
      value: { greeting: 'Hello, Ada!', name: 'Ada', createdAt: '2025-01-01T00:00:00.000Z' },
    });
    expect(request).toEqual({
      method: 'POST',
      url: '/api/greetings',
      type: 'application/json',
      body: '{"name":"Ada"}',
    });
  });

  test('turns an application/problem+json answer into a problem', async () => {
    handler = (_req, _body, res) =>
      json(
        res,
        400,
        {
          type: 'tag:x',
          title: 'Validation failed',
          status: 400,
          detail: 'Bad body',
          requestId: 'r1',
          errors: [{ path: 'name', message: 'too long' }],
        },
        'application/problem+json; charset=utf-8',
      );

    const answer = await createApiClient({ baseUrl: origin }).createGreeting('x'.repeat(101));

    expect(answer).toEqual({
      ok: false,
      problem: {
        type: 'tag:x',
        title: 'Validation failed',
        status: 400,
        detail: 'Bad body',
        requestId: 'r1',
        errors: [{ path: 'name', message: 'too long' }],
      },
    });
  });

  test("explains a proxy's HTML error page by its status", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(503, 'Service Unavailable', { 'content-type': 'text/html' });
      res.end('<html><body>503</body></html>');
    };

    const answer = await createApiClient({ baseUrl: origin }).health();

    expect(answer).toMatchObject({
      ok: false,
      problem: {
        type: CLIENT_PROBLEM_TYPES.undescribed,
        status: 503,
        title: 'The API answered HTTP 503 Service Unavailable',
      },
    });
  });

  test('refuses a success whose body has the wrong shape', async () => {
    handler = (_req, _body, res) => json(res, 200, { version: 1 });

    const answer = await createApiClient({ baseUrl: origin }).version();

    expect(answer).toMatchObject({ ok: false, problem: { type: CLIENT_PROBLEM_TYPES.unexpectedBody, status: 200 } });
  });

  test('reports an API that is not listening', async () => {
    const closedPort = await freePort();

    const answer = await createApiClient({ baseUrl: `http://127.0.0.1:${closedPort}` }).health();

    expect(answer).toEqual({
      ok: false,
      problem: {
        type: CLIENT_PROBLEM_TYPES.network,
        title: 'The API could not be reached',
        detail: 'Check your network connection, or whether the API is running.',
      },
    });
  });

  test('gives up on an API that does not answer in time', async () => {
    handler = () => undefined; // never answers

    const answer = await createApiClient({ baseUrl: origin, timeoutMs: 200 }).health();

    expect(answer).toEqual({ ok: false, problem: expect.objectContaining({ type: CLIENT_PROBLEM_TYPES.timeout }) });
  });
});
