import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { systemClock } from './clock';
import { ConfigError, loadConfig } from './config';
import { Database } from './database/database';
import { GracefulShutdown } from './graceful-shutdown';
import { createHttpServer } from './http-server';
import { createLogger } from './logger';
import { MemoryRateLimiter } from './rate-limit/memory-rate-limiter';
import type { RateLimiter } from './rate-limit/rate-limiter';
import { connectRedis } from './rate-limit/redis-connection';
import { RedisCredentials } from './rate-limit/redis-credentials';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter';
import { Readiness } from './readiness';

// The process around the app: configuration, listening, signals. Everything else is in app.ts.

function readConfig() {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.problems.map((problem) => `${problem}\n`).join(''));
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const logger = createLogger(config);

process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception: exiting with code 1');
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled promise rejection: exiting with code 1');
  process.exit(1);
});

// Connections open on first use: the API listens whether or not the database and Redis are up (/api/ready says).
const database = config.databaseUrl
  ? new Database(config.databaseUrl, logger, { connectMs: config.databaseConnectTimeoutMs })
  : undefined;
if (!database) {
  logger.warn('no DATABASE_URL: greetings cannot be stored, their routes answer 503 (see docs/backend.md)');
}

/** The greetings' rate limiter, and with Redis whether it refuses this instance's credentials (for /api/health). */
function greetingsRateLimiter(): { limiter?: RateLimiter; cacheCredentials?: RedisCredentials } {
  const options = { limit: config.greetingsRateLimit, windowMs: config.greetingsRateLimitWindowMs };
  if (options.limit === 0) {
    return {};
  }
  if (!config.redisUrl) {
    return { limiter: new MemoryRateLimiter(options, systemClock) };
  }
  const client = connectRedis(config.redisUrl, logger);
  return {
    limiter: new RedisRateLimiter(client, { ...options, keyPrefix: 'slipway:rate:greetings:', logger }),
    cacheCredentials: new RedisCredentials(client, systemClock),
  };
}

const readiness = new Readiness();
const rateLimit = greetingsRateLimiter();
const app = createApp({
  config,
  logger,
  clock: systemClock,
  readiness,
  database,
  greetingsRateLimiter: rateLimit.limiter,
  cacheCredentials: rateLimit.cacheCredentials,
});
const server = createHttpServer(app, config, logger);
const shutdown = new GracefulShutdown({
  server,
  readiness,
  logger,
  timeoutMs: config.shutdownTimeoutMs,
  drainDelayMs: config.shutdownDrainDelayMs,
});
process.on('SIGTERM', () => shutdown.begin('SIGTERM'));
// SIGINT comes from a terminal (Ctrl-C), never from ECS: no DNS or load balancer to wait for.
process.on('SIGINT', () => shutdown.begin('SIGINT', 0));

server.on('error', (err) => {
  logger.fatal({ err, port: config.port, host: config.host }, `server error (${err.message}): exiting with code 1`);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const { address, port } = server.address() as AddressInfo;
  logger.info({ address, port, startupMs: Math.round(performance.now()) }, `listening on ${address}:${port}`);
});
