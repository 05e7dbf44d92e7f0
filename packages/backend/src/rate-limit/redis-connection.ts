import { createClient } from '@redis/client';
import type { Logger } from 'pino';

/** How long a rate-limit check waits for Redis before the request goes ahead without it. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * A node-redis client for the rate limit, connecting in the background: the API starts and serves whether or not
 * Redis is up, and reconnects (backing off to 5 s) whenever the connection drops. Commands sent while it is
 * disconnected fail at once instead of queueing, so a Redis outage never holds a request.
 */
export function connectRedis(url: string, logger: Logger) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000),
    },
  }).withCommandOptions({ timeout: COMMAND_TIMEOUT_MS });
  let lastError = '';
  // Without a listener, a connection error would end the process. The same error repeats on every reconnect: log
  // it when it changes, and once when the connection is back.
  client.on('error', (err: Error) => {
    if (err.message !== lastError) {
      lastError = err.message;
      logger.warn({ err }, `redis: ${err.message}: reconnecting; rate limits are not enforced meanwhile`);
    }
  });
  client.on('ready', () => {
    if (lastError !== '') {
      logger.info('redis: connected again');
    }
    lastError = '';
  });
  client.connect().catch((err: unknown) => {
    logger.error({ err }, 'redis: gave up connecting: rate limits are not enforced');
  });
  return client;
}
