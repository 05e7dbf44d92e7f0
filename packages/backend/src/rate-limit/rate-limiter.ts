/** The outcome of counting one request against a client's limit. */
export interface RateLimitDecision {
  /** False once the client has used up its window. */
  readonly allowed: boolean;
  /** Requests left in the current window. */
  readonly remaining: number;
  /** Milliseconds until the window resets and the client may send again. */
  readonly resetInMs: number;
}

/**
 * Counts requests per key in fixed windows: at most `limit` per `windowMs`, the window starting at a key's first
 * request. A fixed window lets a client send up to twice the limit across a window boundary; for a per-client
 * abuse limit that is an accepted trade for one counter per client.
 */
export interface RateLimiter {
  /** Counts one request for `key` and says whether it is within the limit. */
  hit(key: string): Promise<RateLimitDecision>;
}

/** The settings every limiter takes. */
export interface RateLimitOptions {
  /** Requests allowed per window per key (at least 1). */
  readonly limit: number;
  /** The window's length in milliseconds. */
  readonly windowMs: number;
}

/** A decision from a count and the window's remaining time. */
export function decide(count: number, resetInMs: number, limit: number): RateLimitDecision {
  return { allowed: count <= limit, remaining: Math.max(0, limit - count), resetInMs: Math.max(0, resetInMs) };
}
