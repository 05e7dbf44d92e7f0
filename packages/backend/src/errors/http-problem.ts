import { STATUS_CODES } from 'node:http';

/** One reason a request was rejected, pointing at the field at fault. */
export interface FieldError {
  /** Dotted path of the offending field in the request body, e.g. "name" or "items.0.id"; "" for the body itself. */
  readonly path: string;
  /** What is wrong and what is expected, for the person writing the client. */
  readonly message: string;
}

/** The JSON body of an `application/problem+json` response (RFC 9457), plus this API's extensions. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** Same value as the X-Request-Id response header; quote it to find the request's log lines. */
  readonly requestId: string;
  /** Present on validation failures: every field that failed, not just the first. */
  readonly errors?: readonly FieldError[];
}

/**
 * Problem types this API uses. `about:blank` means "nothing more to say than
 * the HTTP status" (RFC 9457 §4.2.1); the others are tag URIs (RFC 4151): stable
 * identifiers a client can branch on, which are not meant to be fetched.
 */
export const PROBLEM_TYPES = {
  http: 'about:blank',
  validation: 'tag:slipway.dev,2025:problems/validation-failed',
  malformedJson: 'tag:slipway.dev,2025:problems/malformed-json',
  dependencyUnavailable: 'tag:slipway.dev,2025:problems/dependency-unavailable',
  rateLimited: 'tag:slipway.dev,2025:problems/rate-limited',
} as const;

/**
 * An error that becomes an `application/problem+json` response. Throw it (or
 * pass it to `next`) from any route; the error handler renders it.
 */
export class HttpProblem extends Error {
  public readonly status: number;
  public readonly type: string;
  public readonly title: string;
  public readonly detail: string;
  public readonly errors?: readonly FieldError[];
  /** Response headers the status needs, e.g. `Allow` on a 405. */
  public readonly headers: Readonly<Record<string, string>>;

  constructor(options: {
    readonly status: number;
    readonly detail: string;
    readonly type?: string;
    readonly title?: string;
    readonly errors?: readonly FieldError[];
    readonly headers?: Readonly<Record<string, string>>;
  }) {
    super(options.detail);
    this.name = 'HttpProblem';
    this.status = options.status;
    this.type = options.type ?? PROBLEM_TYPES.http;
    this.title = options.title ?? STATUS_CODES[options.status] ?? 'Error';
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}
