import type { RedisClientType } from '@redis/client';
import type { Logger } from 'pino';
import { decide, type RateLimitDecision, type RateLimiter, type RateLimitOptions } from './rate-limiter';

// One round trip, atomic on the server: count the request, start the window on the first one, report its time left.
// A key without a TTL (PTTL -1) can only come from outside this script; giving it one keeps a stray key from
// blocking a client for ever.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if count == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** The subset of a node-redis client the limiter uses. */
export type RedisEvalClient = Pick<RedisClientType, 'eval' | 'isReady'>;

/**
 * Counts in Redis or Valkey, shared by every task of the service, so the limit holds however many tasks run.
 *
 * When Redis cannot answer, the request is allowed (fail open) and a warning logged: the limit protects the API
 * from one noisy client, and losing it for a while is better than refusing every client while the cache is down.
 */
export class RedisRateLimiter implements RateLimiter {
  private lastWarning = 0;

  constructor(
    private readonly client: RedisEvalClient,
    private readonly options: RateLimitOptions & {
      /** Prefix of the counters' keys, so several limits can share one Redis. */
      readonly keyPrefix: string;
      readonly logger: Logger;
    },
  ) {}

  public async hit(key: string): Promise<RateLimitDecision> {
    const { limit, windowMs } = this.options;
    if (!this.client.isReady) {
      // Not connected (yet, or any more): with the offline queue off, a command would fail at once anyway.
      this.warn(new Error('not connected'));
      return decide(0, windowMs, limit);
    }
    try {
      const [count, ttl] = (await this.client.eval(HIT_SCRIPT, {
        keys: [`${this.options.keyPrefix}${key}`],
        arguments: [String(windowMs)],
      })) as [number, number];
      return decide(count, ttl, limit);
    } catch (error) {
      this.warn(error);
      return decide(0, windowMs, limit);
    }
  }

  // At most one line per window: during an outage every request would otherwise log the same thing.
  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < this.options.windowMs) {
      return;
    }
    this.lastWarning = now;
    this.options.logger.warn(
      { err: error },
      `rate limit: Redis unavailable (${error instanceof Error ? error.message : String(error)}): requests are not limited until it is back`,
    );
  }
}
