import { type AddressInfo, createServer, type Server } from 'node:net';
import { openSocket, parseResponses, readUntil, readUntilClosed } from './support/raw-http';
import { type ServerProcess, spawnServer, startServer } from './support/spawn-server';

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

describe('server.ts, as a real process', () => {
  let server: ServerProcess | undefined;
  afterEach(() => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGKILL');
    }
  });

  test('SIGTERM: the in-flight request completes, readiness reports 503, new connections are refused, exit code 0', async () => {
    const running = await startServer();
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

  test('SIGINT shuts down the same way', async () => {
    const running = await startServer();
    server = running;
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    await running.waitForLog(/^SIGINT received/);
  });

  test('past SHUTDOWN_TIMEOUT_MS: logs the request still open and exits 1', async () => {
    const running = await startServer({ SHUTDOWN_TIMEOUT_MS: '300' });
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
