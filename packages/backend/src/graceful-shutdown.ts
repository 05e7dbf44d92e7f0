import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Readiness } from './readiness';

/** What {@link GracefulShutdown} needs. */
export interface GracefulShutdownOptions {
  /** The server to drain; it must not have handled a request yet, so that every request is tracked. */
  readonly server: Server;
  readonly readiness: Readiness;
  readonly logger: Logger;
  /** How long in-flight requests may take to finish before the process exits 1 anyway. */
  readonly timeoutMs: number;
  /**
   * Ends the process.
   * @default process.exit
   */
  readonly exit?: (code: number) => void;
}

/**
 * Stops the server without failing a request, for rolling deployments.
 *
 * On ECS the task is deregistered from the ALB before it gets SIGTERM; what
 * is left is to finish what is in flight:
 * 1. readiness turns 503;
 * 2. the listening socket closes, so new connections are refused;
 * 3. idle keep-alive connections close now, busy ones as soon as their
 *    response is sent (with `Connection: close`, so clients do not reuse them);
 * 4. once no connection is left the process exits 0; if that takes longer
 *    than `timeoutMs`, it logs the requests still open and exits 1.
 */
export class GracefulShutdown {
  private readonly server: Server;
  private readonly readiness: Readiness;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly exit: (code: number) => void;
  /** Responses not yet finished, with when their request arrived (performance.now()). */
  private readonly inFlight = new Map<ServerResponse, number>();
  private startedAt: number | undefined;
  /** One listener shared by every response (`this` is the response): tracking allocates nothing per request. */
  private readonly untrack: (this: ServerResponse) => void;

  constructor(options: GracefulShutdownOptions) {
    this.server = options.server;
    this.readiness = options.readiness;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs;
    this.exit = options.exit ?? ((code) => process.exit(code));
    const shutdown = this;
    this.untrack = function untrack(this: ServerResponse) {
      shutdown.inFlight.delete(this);
      if (shutdown.draining) {
        // The connection this response used is idle now, unless the client already sent its next request.
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
   */
  public begin(reason: string): void {
    if (this.startedAt !== undefined) {
      this.logger.warn(
        { reason, inFlightRequests: this.describeInFlight() },
        `${reason} during shutdown: exiting now without waiting`,
      );
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
    // Closes the listening socket at once; the callback runs when the last connection is gone.
    this.server.close(() => {
      clearTimeout(timer);
      this.logger.info(
        { durationMs: this.elapsedMs() },
        'shutdown complete: every request answered, exiting with code 0',
      );
      this.exit(0);
    });
    this.logger.info(
      { reason, inFlightRequests: this.inFlight.size, timeoutMs: this.timeoutMs },
      `${reason} received: shutdown started, refusing new connections and finishing in-flight requests`,
    );
  }

  private track(res: ServerResponse): void {
    if (this.draining) {
      res.setHeader('Connection', 'close');
    }
    this.inFlight.set(res, performance.now());
    res.on('close', this.untrack);
  }

  private giveUp(): void {
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
