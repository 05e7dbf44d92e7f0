import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Readiness } from './readiness';

/** What {@link GracefulShutdown} needs. */
export interface GracefulShutdownOptions {
  /** The server to drain; it must not have handled a request yet, so that every request is tracked. */
  readonly server: Server;
  readonly readiness: Readiness;
  readonly logger: Logger;
  /**
   * How long, from the signal, the whole shutdown (drain delay included) may take before the process exits 1
   * anyway.
   */
  readonly timeoutMs: number;
  /**
   * How long the server keeps accepting connections after the signal, answering every request with
   * `Connection: close`, before it stops listening. Covers the clients that learn of the shutdown only from DNS.
   */
  readonly drainDelayMs: number;
  /**
   * Ends the process.
   * @default process.exit
   */
  readonly exit?: (code: number) => void;
}

/**
 * Stops the server without failing a request, for rolling deployments and scale-in.
 *
 * Behind an ALB, ECS deregisters the task and waits for the target group's
 * deregistration delay before SIGTERM, so no new request is on its way. Through
 * Cloud Map (API Gateway's HTTP API, or one service calling another by DNS
 * name), ECS deregisters the task when it sends SIGTERM, and clients keep the
 * old DNS answer for its TTL, and their open keep-alive connections for as long
 * as they like. So:
 * 1. readiness turns 503, and every response from now on, including those of
 *    requests already in flight, carries `Connection: close`: the client knows
 *    not to reuse the connection, and the server closes it once the response is
 *    sent. Nothing else is closed, and new connections are still accepted, for
 *    `drainDelayMs`;
 * 2. then the listening socket closes, so new connections are refused, and the
 *    keep-alive connections still idle (idle since before the signal, as every
 *    one used since was closed after its response) are closed;
 * 3. once no connection is left the process exits 0; if that takes longer than
 *    `timeoutMs` from the signal, it logs the requests still open and exits 1.
 *
 * Closing an idle keep-alive connection races with a client that is sending
 * its next request on it at that moment: that request is reset unanswered. The
 * drain delay is what removes the race: a connection used after the signal is
 * closed by a response that says so, not while it looks idle.
 */
export class GracefulShutdown {
  private readonly server: Server;
  private readonly readiness: Readiness;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly drainDelayMs: number;
  private readonly exit: (code: number) => void;
  /** Responses not yet finished, with when their request arrived (performance.now()). */
  private readonly inFlight = new Map<ServerResponse, number>();
  private startedAt: number | undefined;
  /** True once the listening socket is closed, after the drain delay. */
  private listenerClosed = false;
  /** Ends the drain delay; cleared when the process exits 1 before that. */
  private drainTimer: NodeJS.Timeout | undefined;
  /** One listener shared by every response (`this` is the response): tracking allocates nothing per request. */
  private readonly untrack: (this: ServerResponse) => void;

  constructor(options: GracefulShutdownOptions) {
    this.server = options.server;
    this.readiness = options.readiness;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs;
    this.drainDelayMs = options.drainDelayMs;
    this.exit = options.exit ?? ((code) => process.exit(code));
    const shutdown = this;
    this.untrack = function untrack(this: ServerResponse) {
      shutdown.inFlight.delete(this);
      if (shutdown.listenerClosed) {
        // A response whose headers went out before the signal, without Connection: close, leaves its connection
        // open, idle unless the client already sent its next request; nothing else would close it now.
        setImmediate(() => shutdown.server.closeIdleConnections());
      }
    };
    // Ahead of the app's own listener, so a response can still be marked before the app sends it.
    this.server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => this.track(res));
  }

  /** True once {@link begin} was called. */
  public get draining(): boolean {
    return this.startedAt !== undefined;
  }

  /** Requests received and not yet answered. */
  public get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Starts the shutdown. A second call (a second Ctrl-C) exits 1 at once.
   * @param reason what asked for it, e.g. "SIGTERM", for the log.
   * @param drainDelayMs how long to keep accepting connections first; the configured drain delay unless given.
   */
  public begin(reason: string, drainDelayMs: number = this.drainDelayMs): void {
    if (this.startedAt !== undefined) {
      this.logger.warn(
        { reason, inFlightRequests: this.describeInFlight() },
        `${reason} during shutdown: exiting now without waiting`,
      );
      clearTimeout(this.drainTimer);
      this.exit(1);
      return;
    }
    this.startedAt = performance.now();
    this.readiness.beginDrain();
    for (const res of this.inFlight.keys()) {
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
      }
    }
    const timer = setTimeout(() => this.giveUp(), this.timeoutMs);
    // Each log line that says new connections are refused is written once they are.
    if (drainDelayMs === 0) {
      this.closeListener(timer);
    }
    this.logger.info(
      { reason, inFlightRequests: this.inFlight.size, drainDelayMs, timeoutMs: this.timeoutMs },
      drainDelayMs > 0
        ? `${reason} received: shutdown started, answering with Connection: close for ${drainDelayMs} ms, then refusing new connections and finishing in-flight requests`
        : `${reason} received: shutdown started, refusing new connections and finishing in-flight requests`,
    );
    if (drainDelayMs > 0) {
      this.drainTimer = setTimeout(() => {
        this.closeListener(timer);
        this.logger.info(
          { inFlightRequests: this.inFlight.size, durationMs: this.elapsedMs() },
          'drain delay over: refusing new connections and finishing in-flight requests',
        );
      }, drainDelayMs);
    }
  }

  private closeListener(timer: NodeJS.Timeout): void {
    this.listenerClosed = true;
    // Closes the listening socket and the idle keep-alive connections (Node >= 19); the callback runs when the
    // last connection is gone.
    this.server.close(() => {
      clearTimeout(timer);
      this.logger.info(
        { durationMs: this.elapsedMs() },
        'shutdown complete: every request answered, exiting with code 0',
      );
      this.exit(0);
    });
  }

  private track(res: ServerResponse): void {
    if (this.draining) {
      res.setHeader('Connection', 'close');
    }
    this.inFlight.set(res, performance.now());
    res.on('close', this.untrack);
  }

  private giveUp(): void {
    clearTimeout(this.drainTimer);
    const inFlightRequests = this.describeInFlight();
    this.server.getConnections((_err, openConnections) => {
      this.logger.error(
        { timeoutMs: this.timeoutMs, openConnections, inFlightRequests },
        `shutdown timed out after ${this.timeoutMs} ms with ${inFlightRequests.length} request(s) and ${openConnections} connection(s) still open; exiting with code 1`,
      );
      this.exit(1);
    });
  }

  private describeInFlight() {
    const now = performance.now();
    return [...this.inFlight.entries()].map(([res, startedAt]) => ({
      method: res.req.method,
      path: res.req.url?.split('?')[0],
      requestId: res.getHeader('x-request-id'),
      ageMs: Math.round(now - startedAt),
    }));
  }

  private elapsedMs(): number {
    return Math.round(performance.now() - (this.startedAt ?? performance.now()));
  }
}
