import { type IncomingHttpHeaders, request, type Server } from 'node:http';
import * as fc from 'fast-check';
import { createHttpServer } from '../src/http-server';
import { databaseTargets, type TestDatabase } from './support/databases';
import { parseResponses, portOf, sendRaw } from './support/raw-http';
import { createTestApp, type TestApp } from './support/test-app';
import { Database } from '../src/database/database';

// Fixed seed: the same cases on every run, so CI is deterministic. Set FUZZ_SEED (and FUZZ_RUNS) to explore more.
const SEED = Number(process.env.FUZZ_SEED ?? 20250102);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

jest.setTimeout(60_000);

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

const method = fc.oneof(
  fc.constantFrom(
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'OPTIONS',
    'TRACE',
    'PROPFIND',
    'SEARCH',
    'PURGE',
    'LOCK',
  ),
  // Tokens Node's parser does not know: rejected before Express.
  fc.stringMatching(/^[A-Z]{1,10}$/),
);

const segment = fc.oneof(
  fc.constantFrom(
    'api',
    'health',
    'ready',
    'version',
    'greetings',
    'greetings?limit=5',
    'greetings?limit=0',
    '',
    '.',
    '..',
    '%2e%2e',
    '%00',
    '%ZZ',
    '%E0%A4%A',
    'API',
  ),
  fc.webSegment(),
  fc.stringMatching(/^[\x21-\x7e]{1,20}$/),
);
const path = fc
  .tuple(fc.boolean(), fc.array(segment, { maxLength: 5 }), fc.option(fc.stringMatching(/^[\x21-\x7e]{0,30}$/)))
  .map(
    ([api, segments, query]) =>
      `/${[...(api ? ['api'] : []), ...segments].join('/')}${query === null ? '' : `?${query}`}`,
  );

const headers = fc.record(
  {
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        'application/problem+json',
        'text/plain',
        'multipart/form-data',
        'application/json; charset=utf-16',
      ),
      printable(40),
    ),
    'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'zstd', 'x'),
    'x-request-id': printable(200),
    'x-amzn-trace-id': fc.oneof(printable(100), fc.constant('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1')),
    'x-forwarded-for': printable(60),
    accept: printable(40),
    expect: fc.constantFrom('100-continue', 'something-else'),
    'transfer-encoding': fc.constantFrom('chunked', 'gzip, chunked'),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.json().map((text) => Buffer.from(text)),
  fc
    .record({ name: fc.oneof(fc.string({ maxLength: 120 }), fc.integer(), fc.constant(null)) })
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc.string({ maxLength: 300 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 16_000, max: 40_000 }).map((size) => Buffer.alloc(size, 'a')),
);

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
}

function send(
  port: number,
  options: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, agent: false, method: options.method, path: options.path, headers: options.headers },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
        res.once('error', reject);
      },
    );
    // The server may answer and close before the whole body is sent (e.g. 413): that is an answer, not a failure.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve({ status: 0, headers: {} }) : reject(error),
    );
    req.end(options.body);
  });
}

describe('the API under random input', () => {
  let api: TestApp;
  let server: Server;
  let port: number;
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    // A real (embedded) database: greetings are stored and listed, so a 5xx from the storage path would show.
    database = await databaseTargets()[0].create();
    api = createTestApp({}, (logger) => {
      db = new Database(database.url, logger);
      return { database: db };
    });
    server = createHttpServer(api.app, api.config, api.logger);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = portOf(server);
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await db.close();
    await database.drop();
  });

  test('random methods, paths, headers, bodies and content types never get a 5xx, and every error is a problem', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, async (verb, target, given, payload) => {
        const answer = await send(port, { method: verb, path: target, headers: given, body: payload });
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400 && verb !== 'HEAD') {
          expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
          expect(answer.headers['x-request-id']).toEqual(expect.any(String));
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('random bytes on the socket never get a 5xx', async () => {
    const raw = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
      fc
        .tuple(method, printable(60), printable(200))
        .map(([verb, target, rest]) => Buffer.from(`${verb} ${target} HTTP/1.1\r\n${rest}\r\n\r\n`)),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (bytes) => {
        for (const response of parseResponses(await sendRaw(port, bytes))) {
          expect(response.status).toBeLessThan(500);
        }
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 3) },
    );
  });

  test('afterwards the process is alive and healthy, and nothing was logged as a server fault', async () => {
    expect((await send(port, { method: 'GET', path: '/api/health', headers: {} })).status).toBe(200);
    expect(api.logs.lines.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
  });
});
