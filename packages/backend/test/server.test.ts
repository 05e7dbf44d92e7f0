import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleServer } from '../build-tools/bundle';
import { DEAD_DATABASE_URL, databaseTargets, type TestDatabase } from './support/databases';
import { KeepAliveLoad } from './support/keep-alive-load';
import { openSocket, parseResponses, readUntil, readUntilClosed, sendRaw } from './support/raw-http';
import {
  type ServerProcess,
  spawnServer as spawnWithoutDatabase,
  startServer as startWithoutDatabase,
} from './support/spawn-server';

// Every process here is server.ts bundled as the image runs it (`node server.js`, built once for the file: starting
// the source through tsx took seconds per process), and stores greetings in an embedded PostgreSQL of this file's
// own (the slow request is a POST).
let database: TestDatabase;
let outdir: string;
let bundle: string;
beforeAll(async () => {
  outdir = mkdtempSync(path.join(os.tmpdir(), 'slipway-server-'));
  [database] = await Promise.all([databaseTargets()[0].create(), bundleServer(outdir)]);
  bundle = path.join(outdir, 'server.js');
}, 30_000);
afterAll(async () => {
  await database?.drop();
  rmSync(outdir, { recursive: true, force: true });
});
const spawnServer = (env: Record<string, string> = {}) =>
  spawnWithoutDatabase({ DATABASE_URL: database.url, ...env }, bundle);
const startServer = (env: Record<string, string> = {}) =>
  startWithoutDatabase({ DATABASE_URL: database.url, ...env }, bundle);

jest.setTimeout(30_000);

const GREETING = JSON.stringify({ name: 'Ada' });
const GREETING_HEAD = [
  'POST /api/greetings HTTP/1.1',
  'Host: test',
  'Content-Type: application/json',
  `Content-Length: ${Buffer.byteLength(GREETING)}`,
  // The server answers "100 Continue" once the request reached it: proof that it is in flight.
  'Expect: 100-continue',
  '',
  '',
].join('\r\n');

function connectionRefused(port: number): Promise<boolean> {
  return openSocket(port).then(
    (socket) => {
      socket.destroy();
      return false;
    },
    (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
  );
}

describe('server.ts, as a real process (the bundle)', () => {
  let server: ServerProcess | undefined;
  afterEach(() => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGKILL');
    }
  });

  test('SIGTERM with SHUTDOWN_DRAIN_DELAY_MS=0: the in-flight request completes, readiness reports 503, new connections are refused at once, exit code 0', async () => {
    const running = await startServer({ SHUTDOWN_DRAIN_DELAY_MS: '0' });
    server = running;

    // A slow client: its request is in flight, the body not sent yet.
    const slow = await openSocket(running.port);
    const slowResponse = readUntilClosed(slow);
    slow.write(GREETING_HEAD);
    await readUntil(slow, '100 Continue');

    // A keep-alive client that has begun its next request (a readiness probe) when the signal arrives.
    const prober = await openSocket(running.port);
    const proberResponse = readUntilClosed(prober);
    prober.write('GET /api/health HTTP/1.1\r\nHost: test\r\n\r\n');
    await readUntil(prober, '{"status":"ok"}');
    prober.write('GET /api/ready HTTP/1.1\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));

    running.child.kill('SIGTERM');
    await running.waitForLog(/^SIGTERM received: shutdown started/);
    expect(await connectionRefused(running.port)).toBe(true);

    prober.write('Host: test\r\n\r\n');
    const [health, ready] = parseResponses(await proberResponse);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(ready.headers.connection).toBe('close');

    slow.write(GREETING);
    const responses = parseResponses(await slowResponse);
    expect(responses.map((response) => response.status)).toEqual([100, 201]);
    expect(JSON.parse(responses[1].body)).toMatchObject({ greeting: 'Hello, Ada!' });
    expect(responses[1].headers.connection).toBe('close');

    expect(await running.exited).toBe(0);
    expect(running.logs.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['request completed', 'shutdown complete: every request answered, exiting with code 0']),
    );
    expect(running.logs.find((line) => line.msg === 'request completed')).toMatchObject({
      method: 'POST',
      path: '/api/greetings',
      status: 201,
    });
  });

  test('default settings: SIGTERM keeps serving for 15 s of a 25 s timeout, readiness 503 and Connection: close; a second signal exits 1 at once', async () => {
    const running = await startServer();
    server = running;
    running.child.kill('SIGTERM');
    const started = await running.waitForLog(/^SIGTERM received/);
    expect(started).toMatchObject({ drainDelayMs: 15_000, timeoutMs: 25_000 });

    const [ready] = parseResponses(await sendRaw(running.port, 'GET /api/ready HTTP/1.1\r\nHost: test\r\n\r\n'));
    expect(ready).toMatchObject({ status: 503, headers: expect.objectContaining({ connection: 'close' }) });

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(1);
    await running.waitForLog(/^SIGTERM during shutdown: exiting now/);
  });

  test('SIGINT (Ctrl-C) shuts down the same way, without the drain delay', async () => {
    const running = await startServer();
    server = running;
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    await running.waitForLog(/^SIGINT received: shutdown started, refusing new connections/);
  });

  test('past SHUTDOWN_TIMEOUT_MS: logs the request still open and exits 1', async () => {
    const running = await startServer({ SHUTDOWN_TIMEOUT_MS: '300', SHUTDOWN_DRAIN_DELAY_MS: '0' });
    server = running;
    const stuck = await openSocket(running.port);
    stuck.write(GREETING_HEAD);
    await readUntil(stuck, '100 Continue');

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(1);
    const timedOut = await running.waitForLog(/^shutdown timed out/);
    expect(timedOut).toMatchObject({
      level: 'error',
      inFlightRequests: [
        expect.objectContaining({ method: 'POST', path: '/api/greetings', requestId: expect.any(String) }),
      ],
      openConnections: 1,
    });
    stuck.destroy();
  });

  test('invalid configuration: exit code 1 and one line per bad variable on stderr, nothing else', async () => {
    server = spawnServer({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(await server.exited).toBe(1);
    expect(server.stderr().trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^PORT="eighty" is invalid: expected a whole number from 0 to 65535/),
      expect.stringMatching(/^LOG_LEVEL="loud" is invalid: expected one of fatal, error/),
    ]);
    expect(server.logs).toEqual([]);
  });

  test('a database that is down: the process starts and stays up, health 200, ready and greetings 503 problems', async () => {
    const running = await startServer({ DATABASE_URL: DEAD_DATABASE_URL, SHUTDOWN_DRAIN_DELAY_MS: '0' });
    server = running;
    const base = `http://127.0.0.1:${running.port}`;
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    const ready = await fetch(`${base}/api/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const posted = await fetch(`${base}/api/greetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: GREETING,
    });
    expect(posted.status).toBe(503);
    expect(await posted.json()).toMatchObject({
      status: 503,
      detail: 'The database is unavailable. Try again shortly.',
    });
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    expect(running.child.exitCode).toBeNull();
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  test('a database that accepts connections only after a wait, as Aurora does while it resumes from a pause: PGCONNECT_TIMEOUT decides whether the API waits', async () => {
    // Aurora Serverless v2 at 0 ACU resumes when a connection arrives and establishes it once resumed (about 15 s);
    // the construct library sets PGCONNECT_TIMEOUT=25 for such a database. Here a proxy holds each new connection
    // 2.5 s before passing it to the test database.
    const target = new URL(database.url);
    const proxy: Server = createServer((client) => {
      const timer = setTimeout(() => {
        const upstream = connect(Number(target.port), target.hostname);
        client.pipe(upstream).pipe(client);
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
      }, 2_500);
      client.on('error', () => clearTimeout(timer));
      client.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const slowUrl = new URL(database.url);
    slowUrl.port = String((proxy.address() as AddressInfo).port);
    const readyWith = async (env: Record<string, string>) => {
      const running = await startServer({ DATABASE_URL: slowUrl.toString(), SHUTDOWN_DRAIN_DELAY_MS: '0', ...env });
      server = running;
      try {
        return (await fetch(`http://127.0.0.1:${running.port}/api/ready`)).status;
      } finally {
        running.child.kill('SIGTERM');
        await running.exited;
      }
    };
    try {
      // By default the API gives up after 2 s: a 503 the client may retry.
      expect(await readyWith({})).toBe(503);
      // Given time, it waits for the database and answers.
      expect(await readyWith({ PGCONNECT_TIMEOUT: '6' })).toBe(200);
    } finally {
      proxy.close();
    }
  });

  test('no DATABASE_URL: a warning at start, and greetings answer 503 saying no database is configured', async () => {
    const running = await startWithoutDatabase({ SHUTDOWN_DRAIN_DELAY_MS: '0' }, bundle);
    server = running;
    expect(running.logs[0]).toMatchObject({ level: 'warn', msg: expect.stringMatching(/^no DATABASE_URL: /) });
    const listed = await fetch(`http://127.0.0.1:${running.port}/api/greetings`);
    expect(listed.status).toBe(503);
    expect(((await listed.json()) as { detail: string }).detail).toMatch(/^No database is configured/);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  test('a port already in use: a fatal log line and exit code 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      server = spawnServer({ PORT: String((blocker.address() as AddressInfo).port) });
      expect(await server.exited).toBe(1);
      expect(server.logs).toEqual([
        expect.objectContaining({ level: 'fatal', msg: expect.stringMatching(/EADDRINUSE/) }),
      ]);
    } finally {
      blocker.close();
    }
  });
});

/**
 * Issue 10: on the HTTP API ingress (API Gateway -> Cloud Map) and for calls between services through Cloud Map
 * DNS, nothing drains the task before ECS sends SIGTERM: ECS deregisters the task from Cloud Map at the same time,
 * and a client that resolved the name before that keeps the answer for the record's TTL (10 s, see
 * packages/constructs/src/service/service-base.ts) and keeps its open keep-alive connections regardless.
 */
describe('the bundled server (dist/server.js) on SIGTERM under keep-alive load, with no load balancer in front', () => {
  const CLIENTS = 50;
  // Scaled down from the defaults (Cloud Map's 10 s TTL, a 15 s drain delay, a 25 s timeout) to keep the test fast.
  const DNS_TTL_MS = 400;
  const DRAIN_DELAY_MS = 2_000;
  const SHUTDOWN_TIMEOUT_MS = 8_000;
  // ECS sends SIGKILL this long after SIGTERM: the container's stopTimeout in the task definition.
  const STOP_TIMEOUT_MS = 30_000;

  let server: ServerProcess | undefined;

  afterEach(() => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGKILL');
    }
  });

  test('50 clients sending back to back lose no request; each is told Connection: close, readiness is 503, then new connections are refused; exit 0 within the stop timeout', async () => {
    const running = await startServer({
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    server = running;
    let signalledAt: number | undefined;
    const load = new KeepAliveLoad({
      port: running.port,
      clients: CLIENTS,
      path: '/api/health',
      // A client that needs a new connection after its DNS answer expired resolves to another task.
      movedOn: () => signalledAt !== undefined && performance.now() - signalledAt > DNS_TTL_MS,
    });
    while (load.answered < 500) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // A request still in flight when the drain delay ends: its body is sent only after that.
    const slow = await openSocket(running.port);
    const slowResponse = readUntilClosed(slow);
    slow.write(GREETING_HEAD);
    await readUntil(slow, '100 Continue');
    const answeredBeforeSignal = load.answered;

    signalledAt = performance.now();
    running.child.kill('SIGTERM');
    // A client with a stale DNS answer opens a new connection while the drain has begun: still served.
    const lateProbe = running.waitForLog(/^SIGTERM received/).then(() =>
      openSocket(running.port).then(
        (socket) => {
          const answer = readUntilClosed(socket);
          socket.write('GET /api/ready HTTP/1.1\r\nHost: test\r\n\r\n');
          return answer.then((text) => parseResponses(text)[0]);
        },
        (error: NodeJS.ErrnoException) => error.code,
      ),
    );
    // Bounds the test only: clients end on their own once their DNS answer expired and they need a new connection.
    const stopAnyway = setTimeout(() => void load.stop(), SHUTDOWN_TIMEOUT_MS);
    const report = await load.finished();
    clearTimeout(stopAnyway);

    const lost = report.outcomes.filter((outcome) => outcome.kind === 'lost');
    expect(`${lost.length} of ${report.outcomes.length} requests lost`).toBe(
      `0 of ${report.outcomes.length} requests lost`,
    );
    expect(lost).toEqual([]);
    const answers = report.outcomes.flatMap((outcome) => (outcome.kind === 'answered' ? [outcome] : []));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    // Every client left because the server said Connection: close and its DNS answer had moved on; none was
    // refused while its DNS answer still pointed here.
    expect(report.ends).toEqual(Array(CLIENTS).fill('moved-on'));
    expect(answers.length).toBeGreaterThan(answeredBeforeSignal + CLIENTS);
    expect(await lateProbe).toMatchObject({ status: 503, headers: expect.objectContaining({ connection: 'close' }) });

    // The server writes this line once its listener is closed.
    await running.waitForLog(/^drain delay over/);
    expect(await connectionRefused(running.port)).toBe(true);
    slow.write(GREETING);
    const [, created] = parseResponses(await slowResponse);
    expect(created).toMatchObject({ status: 201, headers: expect.objectContaining({ connection: 'close' }) });
    expect(await running.exited).toBe(0);
    const exitedAfterMs = performance.now() - signalledAt;
    expect(exitedAfterMs).toBeGreaterThanOrEqual(DRAIN_DELAY_MS);
    expect(exitedAfterMs).toBeLessThan(Math.min(SHUTDOWN_TIMEOUT_MS, STOP_TIMEOUT_MS));
  });
});
