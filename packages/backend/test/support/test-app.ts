import type { Express } from 'express';
import { type AppDependencies, createApp } from '../../src/app';
import type { Clock } from '../../src/clock';
import { type Config, loadConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { Readiness } from '../../src/readiness';

/** A log line as pino wrote it. */
export type LogLine = Record<string, unknown> & { level: string; msg: string };

/** Collects a logger's output as parsed lines. */
export class LogCapture {
  public readonly lines: LogLine[] = [];

  /** A pino destination writing into {@link lines}. */
  public readonly stream = {
    write: (chunk: string) => {
      this.lines.push(JSON.parse(chunk) as LogLine);
    },
  };

  /** Lines whose message matches `pattern`. */
  public matching(pattern: RegExp): LogLine[] {
    return this.lines.filter((line) => pattern.test(line.msg));
  }
}

/** A clock that always says 2025-01-02T03:04:05.000Z. */
export const FIXED_CLOCK: Clock = { now: () => new Date('2025-01-02T03:04:05.000Z') };

/** Config as parsed from `env` (defaults for the rest). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    APP_ENV: 'test',
    GIT_SHA: '0123456789abcdef0123456789abcdef01234567',
    APP_VERSION: '1.2.3',
    ...env,
  });
}

export interface TestApp {
  readonly app: Express;
  readonly logs: LogCapture;
  readonly readiness: Readiness;
  readonly config: Config;
  readonly logger: Logger;
}

/** The real app with a fixed clock and captured logs, and `extra` dependencies (a database, a rate limiter). */
export function createTestApp(
  env: Record<string, string> = {},
  extra: (
    logger: Logger,
  ) => Partial<Pick<AppDependencies, 'database' | 'greetingsRateLimiter' | 'cacheCredentials' | 'clock'>> = () => ({}),
): TestApp {
  const config = testConfig(env);
  const logs = new LogCapture();
  const logger = createLogger(config, logs.stream);
  const readiness = new Readiness();
  const app = createApp({ config, logger, clock: FIXED_CLOCK, readiness, ...extra(logger) });
  return { app, logs, readiness, config, logger };
}
