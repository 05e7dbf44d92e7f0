import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Database } from './database/database';
import { PostgresGreetingStore } from './database/greeting-store';
import { errorHandler } from './errors/error-handler';
import { notFound } from './errors/not-found';
import { accessLog } from './middleware/access-log';
import { rateLimit } from './middleware/rate-limit';
import { requestId } from './middleware/request-id';
import { securityHeaders } from './middleware/security-headers';
import type { RateLimiter } from './rate-limit/rate-limiter';
import { Readiness } from './readiness';
import { greetingsRoutes } from './routes/greetings';
import { CredentialsCheck, healthRoutes } from './routes/health';
import { readyRoutes } from './routes/ready';
import { versionRoutes } from './routes/version';

/** What {@link createApp} builds the API from. */
export interface AppDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  /**
   * Shared with the graceful shutdown, which turns it off.
   * @default - always ready
   */
  readonly readiness?: Readiness;
  /**
   * Where greetings are stored; `/api/ready` also checks it.
   * @default - no database: the greetings routes answer 503
   */
  readonly database?: Database;
  /**
   * Counts `POST /api/greetings` per client (`config.greetingsRateLimit` per window).
   * @default - no limit
   */
  readonly greetingsRateLimiter?: RateLimiter;
  /**
   * Whether the cache behind the rate limit refuses this instance's credentials; `/api/health` answers 503 then.
   * @default - no cache
   */
  readonly cacheCredentials?: CredentialsCheck;
}

/**
 * Builds the Express app: middleware, routes, errors. It never listens; see
 * server.ts for the process around it.
 */
export function createApp({
  config,
  logger,
  clock,
  readiness = new Readiness(),
  database,
  greetingsRateLimiter,
  cacheCredentials,
}: AppDependencies): Express {
  const app = express();
  // One proxy in front. Behind an ALB, req.ip is the client address it appended to X-Forwarded-For, not an entry a
  // client forged; behind the HTTP API, which does not set X-Forwarded-For, no entry is trusted (clientAddress reads
  // the Forwarded header it sets).
  app.set('trust proxy', config.clientAddressFrom === 'x-forwarded-for' ? 1 : false);
  // Responses are per request, never revalidated: an ETag would cost a hash per response for nothing.
  app.set('etag', false);
  app.disable('x-powered-by');

  app.use(requestId());
  app.use(securityHeaders());

  // Probes first: they skip the access log, which would otherwise be mostly health checks.
  healthRoutes(app, { database, cache: cacheCredentials });
  readyRoutes(app, readiness, database);

  app.use(accessLog(logger));
  versionRoutes(app, config, clock.now());
  greetingsRoutes(app, {
    clock,
    bodyLimitBytes: config.bodyLimitBytes,
    store: database && new PostgresGreetingStore(database),
    beforeCreate: greetingsRateLimiter
      ? [
          rateLimit(greetingsRateLimiter, {
            limit: config.greetingsRateLimit,
            clientAddressFrom: config.clientAddressFrom,
          }),
        ]
      : [],
  });

  app.use(notFound());
  app.use(errorHandler(logger));
  return app;
}
