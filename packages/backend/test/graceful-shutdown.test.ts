import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { GracefulShutdown } from '../src/graceful-shutdown';
import { createLogger } from '../src/logger';
import { Readiness } from '../src/readiness';
import { openSocket, parseResponses, portOf, readUntil, readUntilClosed, sendRaw } from './support/raw-http';
import { LogCapture, testConfig } from './support/test-app';

/** A server whose /hold requests wait until the test releases them. */
class Harness {
  public readonly server: Server;
  public readonly readiness = new Readiness();
  public readonly logs = new LogCapture();
  public readonly exited: Promise<number>;
  public readonly shutdown: GracefulShutdown;
  private readonly held: ServerResponse[] = [];
  private readonly arrivals: (() => void)[] = [];

  constructor({ timeoutMs = 5_000, drainDelayMs = 0 }: { timeoutMs?: number; drainDelayMs?: number } = {}) {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      res.setHeader('X-Request-Id', `id-${req.url}`);
      if (req.url?.startsWith('/hold')) {
        this.held.push(res);
        this.arrivals.shift()?.();
        return;
      }
      res.end(this.readiness.ready ? 'ready' : 'draining');
    });
    let resolveExit!: (code: number) => void;
    this.exited = new Promise((resolve) => {
      resolveExit = resolve;
    });
    this.shutdown = new GracefulShutdown({
      server: this.server,
      readiness: this.readiness,
      logger: createLogger(testConfig(), this.logs.stream),
      timeoutMs,
      drainDelayMs,
      exit: resolveExit,
    });
  }

  public async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return portOf(this.server);
  }

  /** Resolves when the next /hold request reached the handler. */
  public nextHeld(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  public release(body = 'released'): void {
    for (const res of this.held.splice(0)) {
      res.end(body);
    }
  }

  public close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      resolve(false);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    req.end();
  });
}

describe('GracefulShutdown', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  describe('during the drain delay', () => {
    // Long enough that a busy machine does not end it before each test's next step.
    const DRAIN_DELAY_MS = 800;

    test('new connections are still served, with Connection: close, and readiness is off; then they are refused; exit 0', async () => {
      harness = new Harness({ drainDelayMs: DRAIN_DELAY_MS });
      const port = await harness.listen();
      harness.shutdown.begin('SIGTERM');
      expect(harness.readiness.ready).toBe(false);

      const answer = parseResponses(await sendRaw(port, 'GET /late HTTP/1.1\r\nHost: test\r\n\r\n'));
      expect(answer).toEqual([
        expect.objectContaining({
          status: 200,
          body: 'draining',
          headers: expect.objectContaining({ connection: 'close' }),
        }),
      ]);
      let exitCode: number | undefined;
      void harness.exited.then((code) => (exitCode = code));
      expect(exitCode).toBeUndefined();

      await expect(harness.exited).resolves.toBe(0);
      expect(await connectionRefused(port)).toBe(true);
      expect(harness.logs.lines.map((line) => line.msg)).toEqual([
        `SIGTERM received: shutdown started, answering with Connection: close for ${DRAIN_DELAY_MS} ms, then refusing new connections and finishing in-flight requests`,
        'drain delay over: refusing new connections and finishing in-flight requests',
        'shutdown complete: every request answered, exiting with code 0',
      ]);
      expect(harness.logs.lines[0]).toMatchObject({ drainDelayMs: DRAIN_DELAY_MS, timeoutMs: 5_000 });
    });

    test('an idle keep-alive connection stays open: its next request is answered with Connection: close, then the server closes it', async () => {
      harness = new Harness({ drainDelayMs: DRAIN_DELAY_MS });
      const port = await harness.listen();
      const socket = await openSocket(port);
      const everything = readUntilClosed(socket);
      socket.write('GET /before HTTP/1.1\r\nHost: test\r\n\r\n');
      await readUntil(socket, 'ready');

      harness.shutdown.begin('SIGTERM');
      // Closing it now would reset a request the client may be sending this very moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(socket.destroyed).toBe(false);
      socket.write('GET /after HTTP/1.1\r\nHost: test\r\n\r\n');
      const [before, after] = parseResponses(await everything);
      expect(before).toMatchObject({
        status: 200,
        body: 'ready',
        headers: expect.objectContaining({ connection: 'keep-alive' }),
      });
      expect(after).toMatchObject({
        status: 200,
        body: 'draining',
        headers: expect.objectContaining({ connection: 'close' }),
      });
      await expect(harness.exited).resolves.toBe(0);
    });

    test('a request in flight when the delay ends still finishes, with Connection: close; a connection idle since before the signal is closed then', async () => {
      harness = new Harness({ drainDelayMs: DRAIN_DELAY_MS });
      const port = await harness.listen();
      const idle = await openSocket(port);
      const idleClosed = readUntilClosed(idle);
      idle.write('GET /quick HTTP/1.1\r\nHost: test\r\n\r\n');
      await readUntil(idle, 'ready');
      const holder = await openSocket(port);
      const held = harness.nextHeld();
      const heldResponse = readUntilClosed(holder);
      holder.write('GET /hold HTTP/1.1\r\nHost: test\r\n\r\n');
      await held;

      const signalledAt = performance.now();
      harness.shutdown.begin('SIGTERM');
      while (harness.logs.matching(/^drain delay over/).length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(performance.now() - signalledAt).toBeGreaterThanOrEqual(DRAIN_DELAY_MS - 1);
      await idleClosed;
      expect(await connectionRefused(port)).toBe(true);
      expect(harness.shutdown.inFlightCount).toBe(1);

      harness.release();
      const [answer] = parseResponses(await heldResponse);
      expect(answer).toMatchObject({
        status: 200,
        body: 'released',
        headers: expect.objectContaining({ connection: 'close' }),
      });
      await expect(harness.exited).resolves.toBe(0);
    });

    test('the timeout counts from the signal, drain delay included', async () => {
      // A timeout shorter than the delay (config refuses it; here it makes the two easy to tell apart).
      harness = new Harness({ timeoutMs: 200, drainDelayMs: 1_000 });
      await harness.listen();
      const signalledAt = performance.now();
      harness.shutdown.begin('SIGTERM');
      await expect(harness.exited).resolves.toBe(1);
      expect(performance.now() - signalledAt).toBeLessThan(1_000);
      expect(harness.logs.matching(/^drain delay over/)).toEqual([]);
    });

    test('a zero delay given to begin() (Ctrl-C) skips it', async () => {
      harness = new Harness({ drainDelayMs: 60_000 });
      const port = await harness.listen();
      harness.shutdown.begin('SIGINT', 0);
      await expect(harness.exited).resolves.toBe(0);
      expect(await connectionRefused(port)).toBe(true);
    });
  });

  describe('with no drain delay', () => {
    test('with nothing in flight: readiness turns off and the process exits 0 at once', async () => {
      harness = new Harness();
      await harness.listen();
      harness.shutdown.begin('SIGTERM');
      expect(harness.readiness.ready).toBe(false);
      expect(harness.shutdown.draining).toBe(true);
      await expect(harness.exited).resolves.toBe(0);
      expect(harness.logs.lines.map((line) => line.msg)).toEqual([
        'SIGTERM received: shutdown started, refusing new connections and finishing in-flight requests',
        'shutdown complete: every request answered, exiting with code 0',
      ]);
    });

    test('an in-flight request finishes, with Connection: close, while new connections are refused; then exit 0', async () => {
      harness = new Harness();
      const port = await harness.listen();
      const socket = await openSocket(port);
      const response = readUntilClosed(socket);
      const held = harness.nextHeld();
      socket.write('GET /hold HTTP/1.1\r\nHost: test\r\n\r\n');
      await held;

      harness.shutdown.begin('SIGTERM');
      expect(harness.shutdown.inFlightCount).toBe(1);
      expect(await connectionRefused(port)).toBe(true);
      let exitCode: number | undefined;
      void harness.exited.then((code) => (exitCode = code));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(exitCode).toBeUndefined();

      harness.release();
      const [answer] = parseResponses(await response);
      expect(answer).toMatchObject({
        status: 200,
        body: 'released',
        headers: expect.objectContaining({ connection: 'close' }),
      });
      await expect(harness.exited).resolves.toBe(0);
    });

    test('idle keep-alive connections are closed at once and do not hold the shutdown up', async () => {
      harness = new Harness();
      const port = await harness.listen();
      const socket = await openSocket(port);
      const closed = readUntilClosed(socket);
      socket.write('GET /quick HTTP/1.1\r\nHost: test\r\n\r\n');
      await new Promise((resolve) => socket.once('data', resolve));

      harness.shutdown.begin('SIGTERM');
      await closed;
      await expect(harness.exited).resolves.toBe(0);
    });

    test('a request arriving on an open connection during the drain is answered with Connection: close', async () => {
      harness = new Harness();
      const port = await harness.listen();
      const holder = await openSocket(port);
      const held = harness.nextHeld();
      holder.write('GET /hold HTTP/1.1\r\nHost: test\r\n\r\n');
      await held;
      // A connection that has started sending a request is busy, not idle: it survives the start of the drain.
      const late = await openSocket(port);
      const lateResponse = readUntilClosed(late);
      late.write('GET /late HTTP/1.1\r\n');
      await new Promise((resolve) => setTimeout(resolve, 50));

      harness.shutdown.begin('SIGTERM');
      late.write('Host: test\r\n\r\n');
      const [answer] = parseResponses(await lateResponse);
      expect(answer).toMatchObject({
        status: 200,
        body: 'draining',
        headers: expect.objectContaining({ connection: 'close' }),
      });
      harness.release();
      await expect(harness.exited).resolves.toBe(0);
    });

    test('past the timeout: logs the requests still open and exits 1', async () => {
      harness = new Harness({ timeoutMs: 150 });
      const port = await harness.listen();
      const socket = await openSocket(port);
      const held = harness.nextHeld();
      socket.write('GET /hold?secret=1 HTTP/1.1\r\nHost: test\r\n\r\n');
      await held;

      harness.shutdown.begin('SIGTERM');
      await expect(harness.exited).resolves.toBe(1);
      const [line] = harness.logs.matching(/timed out/);
      expect(line).toMatchObject({
        level: 'error',
        timeoutMs: 150,
        openConnections: 1,
        inFlightRequests: [{ method: 'GET', path: '/hold', requestId: 'id-/hold?secret=1', ageMs: expect.any(Number) }],
      });
      expect(line.msg).toBe(
        'shutdown timed out after 150 ms with 1 request(s) and 1 connection(s) still open; exiting with code 1',
      );
      socket.destroy();
    });

    test('a second signal exits 1 at once', async () => {
      harness = new Harness();
      const port = await harness.listen();
      const socket = await openSocket(port);
      const held = harness.nextHeld();
      socket.write('GET /hold HTTP/1.1\r\nHost: test\r\n\r\n');
      await held;

      harness.shutdown.begin('SIGINT');
      harness.shutdown.begin('SIGINT');
      await expect(harness.exited).resolves.toBe(1);
      expect(harness.logs.matching(/SIGINT during shutdown/)).toHaveLength(1);
      socket.destroy();
    });
  });
});
