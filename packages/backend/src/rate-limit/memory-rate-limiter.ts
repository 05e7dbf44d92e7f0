import type { Clock } from '../clock';
import { decide, type RateLimitDecision, type RateLimiter, type RateLimitOptions } from './rate-limiter';

interface Window {
  count: number;
  readonly resetsAt: number;
}

/**
 * Counts in this process: each task of the service limits on its own, so N tasks allow up to N times the limit.
 * The fallback when no Redis is configured, and for local development.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly clock: Clock,
  ) {}

  public hit(key: string): Promise<RateLimitDecision> {
    const now = this.clock.now().getTime();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.resetsAt <= now) {
      window = { count: 0, resetsAt: now + this.options.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return Promise.resolve(decide(window.count, window.resetsAt - now, this.options.limit));
  }

  /** Keys seen in this process. */
  public get size(): number {
    return this.windows.size;
  }

  // Forgets expired windows at most once per window length, so memory follows the clients of the last window
  // rather than every client ever seen.
  private sweep(now: number): void {
    if (now < this.nextSweep) {
      return;
    }
    this.nextSweep = now + this.options.windowMs;
    for (const [key, window] of this.windows) {
      if (window.resetsAt <= now) {
        this.windows.delete(key);
      }
    }
  }
}
