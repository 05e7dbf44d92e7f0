/**
 * A dependency the request needs (the database) cannot answer now. The error handler turns it into a 503 with
 * `Retry-After` and logs `cause`, which never reaches the client.
 */
export class DependencyUnavailable extends Error {
  /** What the client reads: which dependency, never why (addresses, users and messages stay in the log). */
  public readonly detail: string;
  /** Seconds after which a retry may succeed, sent as `Retry-After`. */
  public readonly retryAfterSeconds: number;

  constructor(options: { readonly detail: string; readonly cause?: unknown; readonly retryAfterSeconds?: number }) {
    super(options.detail, { cause: options.cause });
    this.name = 'DependencyUnavailable';
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }
}
