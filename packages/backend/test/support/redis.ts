/**
 * The Redis (or Valkey) server the cache tests use: TEST_REDIS_URL, which `.ci/run` sets after starting Debian's
 * redis-server. Undefined locally when unset; in CI (CI=true) a missing server fails instead of testing less.
 */
export function testRedisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url && process.env.CI === 'true') {
    throw new Error('CI=true but TEST_REDIS_URL is not set: .ci/run starts redis-server and exports it. Fix .ci/run.');
  }
  return url || undefined;
}
