import * as http from 'node:http';
import * as net from 'node:net';
import { AddressInfo } from 'node:net';
import { runSmokeTest, sameCommit, SmokeTestOptions } from '../../src/verify/smoke-test';
import { FakeClock, RecordedOutput } from '../fakes';
import { LocalStage, startLocalStage } from './local-stage';

const COMMIT = '3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345';

function options(baseUrl: string, overrides: Partial<SmokeTestOptions> = {}): SmokeTestOptions {
  return {
    baseUrl,
    expectedCommit: COMMIT,
    timeoutMs: 20_000,
    retryIntervalMs: 5_000,
    requestTimeoutMs: 5_000,
    clock: new FakeClock(),
    output: new RecordedOutput(),
    ...overrides,
  };
}

describe('against the real backend on loopback', () => {
  let stage: LocalStage;
  beforeAll(async () => {
    stage = await startLocalStage(COMMIT);
  }, 40_000);
  afterAll(() => stage?.stop());

  test('passes when the stage serves the expected commit', async () => {
    const result = await runSmokeTest(options(stage.url));
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([
      ['GET /api/health', true],
      ['GET /api/ready', true],
      ['GET /api/version', true],
      ['GET /', true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.attempts).toBe(1);
    expect(result.checks.find((check) => check.name === 'GET /api/version')!.detail).toContain(
      `commit ${COMMIT}, environment dev`,
    );
  });

  test('a trailing slash on the URL and an abbreviated commit are accepted', async () => {
    const result = await runSmokeTest(options(`${stage.url}/`, { expectedCommit: COMMIT.slice(0, 7) }));
    expect(result.ok).toBe(true);
  });

  test('fails, after retrying until the timeout, when the stage serves another commit', async () => {
    const clock = new FakeClock();
    const result = await runSmokeTest(
      options(stage.url, { expectedCommit: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', clock }),
    );
    expect(result.ok).toBe(false);
    expect(result.attempts).toBe(5);
    expect(clock.sleeps).toEqual([5_000, 5_000, 5_000, 5_000]);
    const version = result.checks.find((check) => check.name === 'GET /api/version')!;
    expect(version.ok).toBe(false);
    expect(version.detail).toBe(
      `serves commit ${COMMIT}, expected aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: the stage is not running the build this pipeline deployed`,
    );
  });
});

describe('against a stand-in server', () => {
  let server: http.Server;
  let url: string;
  let handler: http.RequestListener;
  beforeAll(async () => {
    server = http.createServer((request, response) => handler(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('a 503 that turns into 200 passes on a later attempt', async () => {
    let calls = 0;
    handler = (request, response) => {
      if (request.url === '/api/health') {
        calls += 1;
        response.writeHead(calls === 1 ? 503 : 200).end(calls === 1 ? 'starting' : 'ok');
      } else if (request.url === '/api/version') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ version: '1.0.0', gitSha: COMMIT, environment: 'dev' }));
      } else {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>app</body></html>');
      }
    };
    const output = new RecordedOutput();
    const result = await runSmokeTest(options(url, { output }));
    expect(result.ok).toBe(true);
    expect(result.attempts).toBe(2);
    expect(output.text).toContain('GET /api/health: expected 200, got 503 starting');
  });

  test('/ that is not HTML fails the frontend check', async () => {
    handler = (request, response) => {
      if (request.url === '/api/version') {
        response.writeHead(200).end(JSON.stringify({ gitSha: COMMIT }));
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      }
    };
    const result = await runSmokeTest(options(url, { timeoutMs: 1 }));
    expect(result.ok).toBe(false);
    expect(result.checks.find((check) => check.name === 'GET /')).toEqual({
      name: 'GET /',
      ok: false,
      detail: 'expected an HTML page, got application/json: {"status":"ok"}',
    });
  });

  test('a server that does not answer in time fails with the timeout named', async () => {
    handler = () => undefined; // never responds
    const result = await runSmokeTest(options(url, { timeoutMs: 1, requestTimeoutMs: 200 }));
    expect(result.ok).toBe(false);
    expect(result.checks[0].detail).toBe(`${url}/api/health failed: no answer within 200ms`);
  });

  test('nothing listening fails with the connection error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runSmokeTest(options(`http://127.0.0.1:${port}`, { timeoutMs: 1 }));
    expect(result.ok).toBe(false);
    expect(result.checks[0].detail).toBe(`http://127.0.0.1:${port}/api/health failed: ECONNREFUSED`);
  });
});

describe('against the real backend whose database cannot be reached', () => {
  let stage: LocalStage;
  let closed: net.Server;
  beforeAll(async () => {
    // GIVEN a DATABASE_URL whose port accepts connections and closes them at once, as a security group that lets the
    // handshake through to nothing, or a database on the wrong port, would leave the API
    closed = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    stage = await startLocalStage(COMMIT, {
      DATABASE_URL: `postgres://app:secret@127.0.0.1:${port}/app`,
      PGCONNECT_TIMEOUT: '1',
    });
  }, 40_000);
  afterAll(async () => {
    await stage?.stop();
    closed?.close();
  });

  test('fails on /api/ready, saying why, though health, version and the page pass', async () => {
    const result = await runSmokeTest(options(stage.url, { timeoutMs: 0 }));
    expect(result.ok).toBe(false);
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([
      ['GET /api/health', true],
      ['GET /api/ready', false],
      ['GET /api/version', true],
      ['GET /', true],
    ]);
    expect(result.checks.find((check) => check.name === 'GET /api/ready')!.detail).toMatch(
      /^expected 200, got 503 This instance cannot serve requests: /,
    );
  });
});

test('sameCommit matches full and abbreviated SHAs, not different ones', () => {
  expect(sameCommit(COMMIT, COMMIT.toUpperCase())).toBe(true);
  expect(sameCommit(COMMIT, COMMIT.slice(0, 7))).toBe(true);
  expect(sameCommit(COMMIT, COMMIT.slice(0, 6))).toBe(false);
  expect(sameCommit(COMMIT, 'bbbbbbb')).toBe(false);
});
