import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import request from 'supertest';
import { createLogger } from '../../src/logger';
import { connectRedis } from '../../src/rate-limit/redis-connection';
import { RedisCredentials } from '../../src/rate-limit/redis-credentials';
import { testRedisUrl } from '../support/redis';
import { createTestApp, FIXED_CLOCK, testConfig } from '../support/test-app';

jest.setTimeout(20_000);

const redisUrl = testRedisUrl();
const silent = createLogger(testConfig({ LOG_LEVEL: 'silent' }));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 50) {
    if (waited > 10_000) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A real Redis server with role-based access, as ElastiCache's Valkey has it: the app's user exists, and the task
// holds a password the server does not (or no longer) accept(s), as after the secret changed under a running task.
(redisUrl ? describe : describe.skip)("when Redis refuses this instance's credentials (TEST_REDIS_URL)", () => {
  const user = `slipway-test-${randomUUID()}`;
  const admin = createClient({ url: redisUrl });
  let client: ReturnType<typeof connectRedis>;
  let credentials: RedisCredentials;

  beforeAll(async () => {
    await admin.connect();
    await admin.sendCommand(['ACL', 'SETUSER', user, 'on', '>current-password', '~*', '+@all']);
    const url = new URL(redisUrl!);
    url.username = user;
    url.password = 'previous-password';
    client = connectRedis(url.toString(), silent);
    credentials = new RedisCredentials(client, FIXED_CLOCK);
  });
  afterAll(async () => {
    client.destroy();
    await admin.sendCommand(['ACL', 'DELUSER', user]);
    await admin.close();
  });

  test('/api/health answers 503 naming the cache, so the task is replaced by one with the current secret', async () => {
    await until(() => credentials.credentialsRefusedSince !== undefined, 'Redis refused the password (WRONGPASS)');
    expect(credentials.credentialsRefusedSince).toEqual(FIXED_CLOCK.now());
    const { app } = createTestApp({}, () => ({ cacheCredentials: credentials }));
    const response = await request(app).get('/api/health').expect(503);
    expect(response.body.detail).toMatch(/^The cache has refused this instance's credentials since /);
  });

  test('and 200 again once a reconnection authenticates', async () => {
    // The server accepts the task's password again (the secret change was undone).
    await admin.sendCommand(['ACL', 'SETUSER', user, '>previous-password']);
    await until(() => client.isReady, 'the client reconnected');
    expect(credentials.credentialsRefusedSince).toBeUndefined();
    const { app } = createTestApp({}, () => ({ cacheCredentials: credentials }));
    await request(app).get('/api/health').expect(200, { status: 'ok' });
  });
});

test('an outage is not a refusal: an unreachable Redis leaves /api/health at 200 (the rate limit fails open)', async () => {
  const client = connectRedis('redis://127.0.0.1:1', silent);
  const credentials = new RedisCredentials(client, FIXED_CLOCK);
  const errors: Error[] = [];
  client.on('error', (error: Error) => errors.push(error));
  try {
    await until(() => errors.length > 0, 'the connection failed');
    expect(credentials.credentialsRefusedSince).toBeUndefined();
    const { app } = createTestApp({}, () => ({ cacheCredentials: credentials }));
    await request(app).get('/api/health').expect(200);
  } finally {
    client.destroy();
  }
});
