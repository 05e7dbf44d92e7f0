import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ALLOWED, ConfigError, loadConfig } from '../src/config';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  test('defaults: port 8000 on every interface, a shutdown that fits ECS stopTimeout, keep-alive above the ALB idle timeout', () => {
    expect(loadConfig({})).toEqual({
      port: 8000,
      host: undefined,
      environment: 'local',
      logLevel: 'info',
      gitSha: 'unknown',
      version: 'unknown',
      shutdownTimeoutMs: 25_000,
      shutdownDrainDelayMs: 15_000,
      keepAliveTimeoutMs: 65_000,
      bodyLimitBytes: 16_384,
      databaseUrl: undefined,
      databaseConnectTimeoutMs: 2_000,
      redisUrl: undefined,
      clientAddressFrom: 'x-forwarded-for',
      greetingsRateLimit: 10,
      greetingsRateLimitWindowMs: 60_000,
    });
  });

  test('the default shutdown fits the task definition: the drain outlasts the Cloud Map DNS TTL, the timeout ends before SIGKILL', () => {
    // packages/constructs/src/service/service-base.ts: Cloud Map records with a 10 s TTL, and a 30 s stopTimeout,
    // after which ECS sends SIGKILL. ECS deregisters a task from Cloud Map when it sends SIGTERM.
    const cloudMapDnsTtlMs = 10_000;
    const stopTimeoutMs = 30_000;
    const { shutdownDrainDelayMs, shutdownTimeoutMs } = loadConfig({});
    expect(shutdownDrainDelayMs).toBeGreaterThan(cloudMapDnsTtlMs);
    expect(shutdownTimeoutMs).toBeGreaterThan(shutdownDrainDelayMs);
    expect(shutdownTimeoutMs).toBeLessThan(stopTimeoutMs);
  });

  test('reads every variable', () => {
    const config = loadConfig({
      PORT: '3000',
      HOST: '127.0.0.1',
      APP_ENV: 'prod',
      LOG_LEVEL: 'warn',
      GIT_SHA: '0123456789abcdef0123456789abcdef01234567',
      APP_VERSION: '1.4.0-rc.1',
      SHUTDOWN_TIMEOUT_MS: '10000',
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      KEEP_ALIVE_TIMEOUT_MS: '120000',
      BODY_LIMIT_BYTES: '1024',
      DATABASE_URL: 'postgresql://app:secret@db.internal:5432/app?sslmode=require',
      REDIS_URL: 'rediss://cache.internal:6379',
      GREETINGS_RATE_LIMIT: '0',
      GREETINGS_RATE_LIMIT_WINDOW_MS: '1000',
      PGCONNECT_TIMEOUT: '25',
      CLIENT_ADDRESS_FROM: 'forwarded',
    });
    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      environment: 'prod',
      logLevel: 'warn',
      gitSha: '0123456789abcdef0123456789abcdef01234567',
      version: '1.4.0-rc.1',
      shutdownTimeoutMs: 10_000,
      shutdownDrainDelayMs: 0,
      keepAliveTimeoutMs: 120_000,
      bodyLimitBytes: 1024,
      databaseUrl: 'postgresql://app:secret@db.internal:5432/app?sslmode=require',
      databaseConnectTimeoutMs: 25_000,
      redisUrl: 'rediss://cache.internal:6379',
      clientAddressFrom: 'forwarded',
      greetingsRateLimit: 0,
      greetingsRateLimitWindowMs: 1000,
    });
  });

  test.each([
    ['DATABASE_URL', 'mysql://root:hunter2@db:3306/app'],
    ['DATABASE_URL', 'postgres://:hunter2@/app'],
    ['DATABASE_URL', 'hunter2'],
    ['REDIS_URL', 'http://user:hunter2@cache:6379'],
  ])('rejects %s=%s without writing the value, which may hold a password', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name} is invalid \\(its value is not shown`))]);
    expect(problems.join('')).not.toContain('hunter2');
  });

  test('without DATABASE_URL, assembles the database from libpq variables, as the deployment passes them', () => {
    const config = loadConfig({
      PGHOST: 'db.cluster-abc.eu-west-1.rds.amazonaws.com',
      PGPORT: '5432',
      PGDATABASE: 'app',
      PGUSER: 'app',
      PGPASSWORD: 'p@ss/w:rd?#',
      PGSSLMODE: 'no-verify',
    });
    expect(config.databaseUrl).toBe(
      'postgres://app:p%40ss%2Fw%3Ard%3F%23@db.cluster-abc.eu-west-1.rds.amazonaws.com:5432/app?sslmode=no-verify',
    );
    // The password comes back intact through the WHATWG URL parser node-postgres uses.
    expect(decodeURIComponent(new URL(config.databaseUrl!).password)).toBe('p@ss/w:rd?#');
  });

  test('PGSSLROOTCERT names the certificates to trust where the server is verified, as in libpq', () => {
    const deployed = { PGHOST: 'db.cluster-abc.eu-west-1.rds.amazonaws.com', PGUSER: 'app' };
    // THEN with verify-full (what a Slipway deployment sets) node-postgres reads the image's bundle
    const bundle = __filename;
    expect(
      new URL(
        loadConfig({ ...deployed, PGSSLMODE: 'verify-full', PGSSLROOTCERT: bundle }).databaseUrl!,
      ).searchParams.get('sslrootcert'),
    ).toBe(bundle);
    // AND where no certificate is checked it is left out: node-postgres would turn TLS on for it alone
    for (const mode of [undefined, 'disable', 'no-verify', 'require']) {
      expect(
        new URL(loadConfig({ ...deployed, PGSSLMODE: mode, PGSSLROOTCERT: bundle }).databaseUrl!).searchParams.has(
          'sslrootcert',
        ),
      ).toBe(false);
    }
    // AND a file that cannot be read fails at start, not at the first query
    expect(problemsOf({ PGSSLROOTCERT: '/nonexistent/rds-ca.pem' })).toEqual([
      expect.stringMatching(
        /^PGSSLROOTCERT="\/nonexistent\/rds-ca.pem" is invalid: expected the path of a readable PEM file/,
      ),
    ]);
  });

  test('DATABASE_URL wins over the libpq variables; PGUSER is required with PGHOST', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://a:b@h:5432/d', PGHOST: 'other', PGUSER: 'x' }).databaseUrl).toBe(
      'postgres://a:b@h:5432/d',
    );
    expect(problemsOf({ PGHOST: 'db.internal' })).toEqual([
      'PGUSER is required when PGHOST is set (and DATABASE_URL is not): set the database user.',
    ]);
  });

  test('without REDIS_URL, assembles a TLS (rediss://) URL from REDIS_HOST and its credentials', () => {
    expect(
      loadConfig({
        REDIS_HOST: 'cache-abc.serverless.euw1.cache.amazonaws.com',
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: 's3cr3t',
      }).redisUrl,
    ).toBe('rediss://app:s3cr3t@cache-abc.serverless.euw1.cache.amazonaws.com:6379');
    expect(loadConfig({}).redisUrl).toBeUndefined();
  });

  test('never writes PGPASSWORD or REDIS_PASSWORD into a problem', () => {
    const problems = problemsOf({ PGPASSWORD: 'x'.repeat(513), REDIS_PASSWORD: '' + 'y'.repeat(600) });
    expect(problems).toHaveLength(2);
    expect(problems.join('')).not.toMatch(/xxxx|yyyy/);
  });

  test('an empty variable means unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '' })).toMatchObject({ port: 8000, logLevel: 'info' });
  });

  test('ignores variables it does not own', () => {
    expect(loadConfig({ PATH: '/usr/bin', NODE_ENV: 'production' }).port).toBe(8000);
  });

  test.each([
    ['PORT', 'eighty', /^PORT="eighty" is invalid: expected a whole number from 0 to 65535/],
    ['PORT', '65536', /^PORT="65536" is invalid/],
    ['PORT', '-1', /^PORT="-1" is invalid/],
    ['PORT', '80.5', /^PORT="80.5" is invalid/],
    ['HOST', 'local host', /^HOST="local host" is invalid: expected a host name or IP address/],
    ['APP_ENV', 'Prod', /^APP_ENV="Prod" is invalid: expected a lower-case name/],
    [
      'LOG_LEVEL',
      'verbose',
      /^LOG_LEVEL="verbose" is invalid: expected one of fatal, error, warn, info, debug, trace, silent/,
    ],
    ['GIT_SHA', 'abc def', /^GIT_SHA="abc def" is invalid: expected 1 to 64 letters/],
    ['APP_VERSION', 'x'.repeat(65), /^APP_VERSION="x{65}" is invalid/],
    [
      'SHUTDOWN_TIMEOUT_MS',
      '50',
      /^SHUTDOWN_TIMEOUT_MS="50" is invalid: expected a whole number of milliseconds from 100 to 600000/,
    ],
    [
      'SHUTDOWN_DRAIN_DELAY_MS',
      '15s',
      /^SHUTDOWN_DRAIN_DELAY_MS="15s" is invalid: expected a whole number of milliseconds from 0 to 600000, shorter than SHUTDOWN_TIMEOUT_MS \(default 15000\)\.$/,
    ],
    ['SHUTDOWN_DRAIN_DELAY_MS', '-1', /^SHUTDOWN_DRAIN_DELAY_MS="-1" is invalid/],
    ['SHUTDOWN_DRAIN_DELAY_MS', '600001', /^SHUTDOWN_DRAIN_DELAY_MS="600001" is invalid/],
    [
      'KEEP_ALIVE_TIMEOUT_MS',
      '5s',
      /^KEEP_ALIVE_TIMEOUT_MS="5s" is invalid: expected a whole number of milliseconds from 1000/,
    ],
    ['BODY_LIMIT_BYTES', '0', /^BODY_LIMIT_BYTES="0" is invalid: expected a whole number of bytes from 1/],
  ])('rejects %s=%j naming the variable, the value and what is allowed', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test.each([
    [
      { SHUTDOWN_DRAIN_DELAY_MS: '25000' },
      'SHUTDOWN_DRAIN_DELAY_MS="25000" is invalid: expected less than SHUTDOWN_TIMEOUT_MS (default 25000), which counts from the signal and includes the drain delay. Lower SHUTDOWN_DRAIN_DELAY_MS or raise SHUTDOWN_TIMEOUT_MS.',
    ],
    [
      { SHUTDOWN_TIMEOUT_MS: '10000' },
      'SHUTDOWN_DRAIN_DELAY_MS (default 15000) is invalid: expected less than SHUTDOWN_TIMEOUT_MS="10000", which counts from the signal and includes the drain delay. Lower SHUTDOWN_DRAIN_DELAY_MS or raise SHUTDOWN_TIMEOUT_MS.',
    ],
  ])('rejects a drain delay that is not shorter than the shutdown timeout: %j', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  test("the package README's settings table states every default the code uses", () => {
    // The README ships with the sample, so a generated project's copy is held to its code too.
    const docs = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const documented = Object.fromEntries(
      [...docs.matchAll(/^\| `([A-Z_]+)` \| `([^`]+)` \|/gm)].map(([, name, value]) => [name, value]),
    );
    const inCode = Object.fromEntries(
      Object.entries(ALLOWED).flatMap(([name, text]) => {
        const fallback = /\(default "?([^)"]+)"?\)$/.exec(text);
        return fallback ? [[name, fallback[1]]] : [];
      }),
    );
    expect(documented).toEqual(inCode);
    const defaults = loadConfig({});
    expect(inCode).toMatchObject({
      SHUTDOWN_DRAIN_DELAY_MS: String(defaults.shutdownDrainDelayMs),
      SHUTDOWN_TIMEOUT_MS: String(defaults.shutdownTimeoutMs),
    });
  });

  test('reports every invalid variable, one line each, in a stable order', () => {
    const problems = problemsOf({ LOG_LEVEL: 'loud', PORT: 'x', SHUTDOWN_TIMEOUT_MS: 'soon' });
    expect(problems.map((line) => line.split('=')[0])).toEqual(['PORT', 'LOG_LEVEL', 'SHUTDOWN_TIMEOUT_MS']);
    expect(problems.every((line) => !line.includes('\n'))).toBe(true);
  });

  test('the error message lists the problems for whoever catches it', () => {
    expect(() => loadConfig({ PORT: 'x' })).toThrow(/Invalid configuration:\nPORT="x" is invalid/);
  });
});
