import request from 'supertest';
import type { Clock } from '../../src/clock';
import { createLogger } from '../../src/logger';
import { MemoryRateLimiter } from '../../src/rate-limit/memory-rate-limiter';
import type { RateLimiter } from '../../src/rate-limit/rate-limiter';
import { connectRedis } from '../../src/rate-limit/redis-connection';
import { RedisRateLimiter } from '../../src/rate-limit/redis-rate-limiter';
import { testRedisUrl } from '../support/redis';
import { createTestApp, testConfig } from '../support/test-app';

jest.setTimeout(20_000);

/** A clock the test moves by hand. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.parse('2025-01-02T03:04:05.000Z');
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

const silent = createLogger(testConfig({ LOG_LEVEL: 'silent' }));
const redisUrl = testRedisUrl();
const clients: { close(): Promise<unknown> }[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
});

async function redisLimiter(url: string, limit: number, windowMs: number): Promise<RedisRateLimiter> {
  const client = connectRedis(url, silent);
  clients.push(client);
  for (let i = 0; i < 50 && !client.isReady; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return new RedisRateLimiter(client, { limit, windowMs, keyPrefix: `test:${Date.now()}:`, logger: silent });
}

const kinds: [string, (limit: number, windowMs: number) => Promise<RateLimiter>][] = [
  ['in-process', (limit, windowMs) => Promise.resolve(new MemoryRateLimiter({ limit, windowMs }, manualClock()))],
  ...(redisUrl
    ? [
        ['Redis (TEST_REDIS_URL)', (limit: number, windowMs: number) => redisLimiter(redisUrl, limit, windowMs)] as [
          string,
          (limit: number, windowMs: number) => Promise<RateLimiter>,
        ],
      ]
    : []),
];

describe.each(kinds)('the %s rate limiter', (_name, create) => {
  test('allows `limit` requests per key per window, then says how long until the window resets', async () => {
    const limiter = await create(3, 60_000);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.hit('10.0.0.1'));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((decision) => decision.remaining)).toEqual([2, 1, 0, 0]);
    expect(decisions[3].resetInMs).toBeGreaterThan(55_000);
    expect(decisions[3].resetInMs).toBeLessThanOrEqual(60_000);
    // Another client has its own count.
    expect((await limiter.hit('10.0.0.2')).allowed).toBe(true);
  });

  test('a new window starts once the old one is over', async () => {
    const limiter = await create(1, 1_000);
    expect((await limiter.hit('k')).allowed).toBe(true);
    expect((await limiter.hit('k')).allowed).toBe(false);
    if (limiter instanceof MemoryRateLimiter) {
      (limiter as unknown as { clock: ReturnType<typeof manualClock> }).clock.advance(1_000);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    expect((await limiter.hit('k')).allowed).toBe(true);
  });
});

describe('the Redis rate limiter when Redis is down', () => {
  test('lets requests through (fail open) and warns once, instead of failing or holding them', async () => {
    const lines: string[] = [];
    const logger = createLogger(testConfig({ LOG_LEVEL: 'warn' }), { write: (line: string) => lines.push(line) });
    const client = connectRedis('redis://127.0.0.1:1', logger);
    clients.push(client);
    const limiter = new RedisRateLimiter(client, { limit: 1, windowMs: 60_000, keyPrefix: 't:', logger });
    const started = Date.now();
    const decisions = await Promise.all([limiter.hit('a'), limiter.hit('a'), limiter.hit('a')]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(decisions.every((decision) => decision.allowed)).toBe(true);
    expect(lines.filter((line) => line.includes('requests are not limited'))).toHaveLength(1);
  });
});

describe('POST /api/greetings rate limit', () => {
  test('answers 429 with Retry-After once a client is over its limit; other clients are not affected', async () => {
    const clock = manualClock();
    const limiter = new MemoryRateLimiter({ limit: 2, windowMs: 60_000 }, clock);
    const { app } = createTestApp({ GREETINGS_RATE_LIMIT: '2' }, () => ({ greetingsRateLimiter: limiter }));
    // No database here: an allowed request gets as far as the store (503); a limited one never does.
    const from = (ip: string) => request(app).post('/api/greetings').set('X-Forwarded-For', ip).send({ name: 'Ada' });
    await from('203.0.113.1').expect(503);
    await from('203.0.113.1').expect(503);
    const limited = await from('203.0.113.1').expect(429);
    expect(limited.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.body).toMatchObject({
      type: 'tag:slipway.dev,2025:problems/rate-limited',
      status: 429,
      detail: 'Too many requests from this client: at most 2 per window. Retry in 60 s.',
    });
    await from('203.0.113.2').expect(503);
    clock.advance(59_500);
    expect((await from('203.0.113.1').expect(429)).headers['retry-after']).toBe('1');
    clock.advance(500);
    await from('203.0.113.1').expect(503);
  });

  test('a client cannot pick its own key: only the address the ALB appended counts', async () => {
    const limiter = new MemoryRateLimiter({ limit: 1, windowMs: 60_000 }, manualClock());
    const { app } = createTestApp({ GREETINGS_RATE_LIMIT: '1' }, () => ({ greetingsRateLimiter: limiter }));
    await request(app).post('/api/greetings').set('X-Forwarded-For', '1.1.1.1, 203.0.113.9').send({}).expect(400);
    await request(app).post('/api/greetings').set('X-Forwarded-For', '2.2.2.2, 203.0.113.9').send({}).expect(429);
  });

  test("behind the HTTP API (CLIENT_ADDRESS_FROM=forwarded): the client is the Forwarded header's last element, the one the gateway appended, and X-Forwarded-For counts for nothing", async () => {
    // API Gateway HTTP APIs send no X-Forwarded-For to a private integration: every request reached the API from a
    // VPC link address, so all clients shared one bucket per subnet, and a client-written X-Forwarded-For was trusted.
    const limiter = new MemoryRateLimiter({ limit: 1, windowMs: 60_000 }, manualClock());
    const { app } = createTestApp({ GREETINGS_RATE_LIMIT: '1', CLIENT_ADDRESS_FROM: 'forwarded' }, () => ({
      greetingsRateLimiter: limiter,
    }));
    const via = (forwarded: string, xForwardedFor: string) =>
      request(app).post('/api/greetings').set('Forwarded', forwarded).set('X-Forwarded-For', xForwardedFor).send({});
    const gateway = ';by=10.0.1.23;host=abc123.execute-api.eu-west-1.amazonaws.com;proto=https';
    await via(`for=198.51.100.7${gateway}`, '1.1.1.1').expect(400);
    // The same client again, with another X-Forwarded-For and a Forwarded element of its own in front: limited.
    await via(`for=1.2.3.4, for=198.51.100.7${gateway}`, '2.2.2.2').expect(429);
    // Another client is counted on its own, IPv6 included.
    await via(`for=203.0.113.50${gateway}`, '1.1.1.1').expect(400);
    await via(`for="[2001:db8:cafe::17]:4711"${gateway}`, '1.1.1.1').expect(400);
    await via(`for="[2001:db8:cafe::17]"${gateway}`, '1.1.1.1').expect(429);
  });
});
