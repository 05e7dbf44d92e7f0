import { accessSync, constants } from 'node:fs';
import * as z from 'zod';

/** The settings the API runs with, parsed once from environment variables at startup. */
export interface Config {
  /** TCP port to listen on (`PORT`); 0 picks a free port. */
  readonly port: number;
  /** Address to bind (`HOST`); undefined listens on every interface, IPv4 and IPv6. */
  readonly host: string | undefined;
  /** Name of the deployment environment (`APP_ENV`), reported by /api/version and in every log line. */
  readonly environment: string;
  /** Lowest pino level written (`LOG_LEVEL`). */
  readonly logLevel: LogLevel;
  /** Commit the running build came from (`GIT_SHA`). */
  readonly gitSha: string;
  /** Release version of the running build (`APP_VERSION`). */
  readonly version: string;
  /**
   * How long a graceful shutdown may take, counted from the signal and including the drain delay, before the
   * process gives up and exits 1 (`SHUTDOWN_TIMEOUT_MS`).
   */
  readonly shutdownTimeoutMs: number;
  /**
   * How long the API keeps accepting connections after SIGTERM, answering every request with `Connection: close`,
   * before it stops listening (`SHUTDOWN_DRAIN_DELAY_MS`); shorter than `shutdownTimeoutMs`.
   */
  readonly shutdownDrainDelayMs: number;
  /** How long an idle keep-alive connection stays open (`KEEP_ALIVE_TIMEOUT_MS`); must outlast the load balancer's idle timeout. */
  readonly keepAliveTimeoutMs: number;
  /** Largest request body accepted, in bytes (`BODY_LIMIT_BYTES`); larger bodies get 413. */
  readonly bodyLimitBytes: number;
  /**
   * PostgreSQL server to store greetings in (`DATABASE_URL`, else assembled from libpq's `PGHOST`, `PGPORT`,
   * `PGDATABASE`, `PGUSER`, `PGPASSWORD`, `PGSSLMODE`, `PGSSLROOTCERT` when `PGHOST` is set); undefined runs without
   * a database, and the routes that need one answer 503.
   */
  readonly databaseUrl: string | undefined;
  /**
   * How long opening a database connection may take before the request gets a 503 (libpq's `PGCONNECT_TIMEOUT`, in
   * seconds): 2 s by default; longer for a database that pauses when idle and resumes when a connection arrives.
   */
  readonly databaseConnectTimeoutMs: number;
  /**
   * Redis or Valkey server holding the rate limit's counters (`REDIS_URL`, else `rediss://` assembled from
   * `REDIS_HOST`, `REDIS_PORT`, `REDIS_USERNAME`, `REDIS_PASSWORD` when `REDIS_HOST` is set); undefined counts in
   * this process.
   */
  readonly redisUrl: string | undefined;
  /**
   * Where the client's address comes from (`CLIENT_ADDRESS_FROM`): `x-forwarded-for` behind a load balancer,
   * `forwarded` behind an API Gateway HTTP API (its RFC 7239 header); the rate limit counts per address.
   */
  readonly clientAddressFrom: ClientAddressSource;
  /** Greetings one client may create per window (`GREETINGS_RATE_LIMIT`); 0 turns the limit off. */
  readonly greetingsRateLimit: number;
  /** The rate limit's window (`GREETINGS_RATE_LIMIT_WINDOW_MS`). */
  readonly greetingsRateLimitWindowMs: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Where the address of the client that made a request comes from, by what stands in front of the API:
 * - `x-forwarded-for`: an Application Load Balancer, which appends the address it saw to `X-Forwarded-For`
 *   (Express's `req.ip` with `trust proxy` at one hop);
 * - `forwarded`: an API Gateway HTTP API, which sends the address only in RFC 7239's `Forwarded` header, as the
 *   last element (`for=…;by=…;host=…;proto=…`) after any a client wrote itself.
 */
export const CLIENT_ADDRESS_SOURCES = ['x-forwarded-for', 'forwarded'] as const;
export type ClientAddressSource = (typeof CLIENT_ADDRESS_SOURCES)[number];

/** Thrown by {@link loadConfig}; `problems` holds one line per invalid variable. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

function integer(min: number, max: number, fallback: number) {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max)).default(fallback);
}

/** A URL with one of `protocols` and a host: what pg and redis would otherwise reject only at the first query. */
function connectionUrl(protocols: readonly string[]) {
  return z.string().refine((text) => {
    try {
      const url = new URL(text);
      return protocols.includes(url.protocol) && url.hostname !== '';
    } catch {
      return false;
    }
  });
}

const HOST_NAME = /^[A-Za-z0-9.:-]{1,253}$/;
const IDENTIFIER = /^[A-Za-z_][\w-]{0,62}$/;
// What node-postgres' connection-string parser accepts for sslmode.
const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;

// Free text that ends up in responses and log lines: printable, no spaces, bounded.
const LABEL = /^[\w.+\-/]{1,64}$/;

/** Every environment variable the API reads. Keep {@link ALLOWED} and docs/backend.md in step with it. */
const environmentSchema = z.object({
  PORT: integer(0, 65535, 8000),
  HOST: z
    .string()
    .regex(/^[\w.:-]{1,253}$/)
    .optional(),
  APP_ENV: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/)
    .default('local'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  GIT_SHA: z.string().regex(LABEL).default('unknown'),
  APP_VERSION: z.string().regex(LABEL).default('unknown'),
  // The default leaves 5 s of ECS's default 30 s stopTimeout for the last logs before SIGKILL.
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000, 25_000),
  // ECS deregisters a task from Cloud Map when it sends SIGTERM, and resolvers may keep the old answer for the
  // record's TTL (10 s): 15 s outlasts it with time for the deregistration to reach DNS, and leaves 10 s of the
  // shutdown timeout for the requests still running when the listener closes.
  SHUTDOWN_DRAIN_DELAY_MS: integer(0, 600_000, 15_000),
  // The ALB's default idle timeout is 60 s: the target must keep idle connections open longer than the ALB does.
  KEEP_ALIVE_TIMEOUT_MS: integer(1_000, 3_600_000, 65_000),
  BODY_LIMIT_BYTES: integer(1, 10_485_760, 16_384),
  DATABASE_URL: connectionUrl(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: connectionUrl(['redis:', 'rediss:']).optional(),
  CLIENT_ADDRESS_FROM: z.enum(CLIENT_ADDRESS_SOURCES).default('x-forwarded-for'),
  GREETINGS_RATE_LIMIT: integer(0, 1_000_000, 10),
  GREETINGS_RATE_LIMIT_WINDOW_MS: integer(1_000, 86_400_000, 60_000),
  // libpq's variables, as the deployment sets them (docs/data.md): the password arrives as an ECS secret.
  PGHOST: z.string().regex(HOST_NAME).optional(),
  PGPORT: integer(1, 65535, 5432),
  PGDATABASE: z.string().regex(IDENTIFIER).optional(),
  PGUSER: z.string().regex(IDENTIFIER).optional(),
  PGPASSWORD: z.string().min(1).max(512).optional(),
  PGSSLMODE: z.enum(SSL_MODES).optional(),
  PGSSLROOTCERT: z.string().refine(isReadableFile).optional(),
  PGCONNECT_TIMEOUT: integer(1, 60, 2),
  REDIS_HOST: z.string().regex(HOST_NAME).optional(),
  REDIS_PORT: integer(1, 65535, 6379),
  REDIS_USERNAME: z.string().regex(IDENTIFIER).optional(),
  REDIS_PASSWORD: z.string().min(1).max(512).optional(),
});

type VariableName = keyof z.input<typeof environmentSchema>;

/** What each variable accepts, as printed when its value is invalid. */
export const ALLOWED: Readonly<Record<VariableName, string>> = {
  PORT: 'a whole number from 0 to 65535 (default 8000)',
  HOST: 'a host name or IP address to bind, e.g. 127.0.0.1 (default: every interface)',
  APP_ENV: 'a lower-case name: a letter, then up to 31 letters, digits or "-" (default "local")',
  LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')} (default info)`,
  GIT_SHA: '1 to 64 letters, digits or . _ - + / (default "unknown")',
  APP_VERSION: '1 to 64 letters, digits or . _ - + / (default "unknown")',
  SHUTDOWN_TIMEOUT_MS: 'a whole number of milliseconds from 100 to 600000 (default 25000)',
  SHUTDOWN_DRAIN_DELAY_MS:
    'a whole number of milliseconds from 0 to 600000, shorter than SHUTDOWN_TIMEOUT_MS (default 15000)',
  KEEP_ALIVE_TIMEOUT_MS: 'a whole number of milliseconds from 1000 to 3600000 (default 65000)',
  BODY_LIMIT_BYTES: 'a whole number of bytes from 1 to 10485760 (default 16384)',
  DATABASE_URL:
    'a postgres:// or postgresql:// URL with a host, e.g. postgres://user:password@host:5432/app (default: none)',
  REDIS_URL: 'a redis:// or rediss:// URL with a host, e.g. rediss://host:6379 (default: none)',
  GREETINGS_RATE_LIMIT: 'a whole number from 0 (no limit) to 1000000 (default 10)',
  GREETINGS_RATE_LIMIT_WINDOW_MS: 'a whole number of milliseconds from 1000 to 86400000 (default 60000)',
  PGHOST: 'the PostgreSQL host name, used when DATABASE_URL is unset (default: none)',
  PGPORT: 'a whole number from 1 to 65535 (default 5432)',
  PGDATABASE: 'a database name: a letter or _, then letters, digits, _ or - (default: the user name)',
  PGUSER: 'a user name: a letter or _, then letters, digits, _ or - (required with PGHOST)',
  PGPASSWORD: '1 to 512 characters (default: none)',
  PGSSLMODE: `one of ${SSL_MODES.join(', ')} (default: node-postgres's)`,
  CLIENT_ADDRESS_FROM: `one of ${CLIENT_ADDRESS_SOURCES.join(', ')}: the header the proxy in front of the API puts the client's address in (default x-forwarded-for)`,
  PGCONNECT_TIMEOUT:
    'seconds to wait for a new database connection before answering 503 (a deployment sets 25 for a database that pauses when idle): a whole number from 1 to 60 (default 2)',
  PGSSLROOTCERT:
    'the path of a readable PEM file of the certificate authorities to trust for the database, instead of the public ones, with PGSSLMODE verify-ca or verify-full (default: none)',
  REDIS_HOST: 'the Redis/Valkey host name, reached over TLS, used when REDIS_URL is unset (default: none)',
  REDIS_PORT: 'a whole number from 1 to 65535 (default 6379)',
  REDIS_USERNAME: 'a user name: a letter or _, then letters, digits, _ or - (default: none)',
  REDIS_PASSWORD: '1 to 512 characters (default: none)',
};

/** Connection URLs carry passwords: a problem with one names the variable, never its value. */
const SECRET_VARIABLES: ReadonlySet<VariableName> = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'PGPASSWORD',
  'REDIS_PASSWORD',
]);

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Parses the API's settings from environment variables.
 *
 * An empty variable counts as unset, so `PORT=` in a compose file means "the default".
 *
 * @throws ConfigError naming every invalid variable, its value and what it accepts.
 */
export function loadConfig(env: Environment): Config {
  const names = Object.keys(ALLOWED) as VariableName[];
  const input = Object.fromEntries(names.map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const result = environmentSchema.safeParse(input);
  if (!result.success) {
    const invalid = new Set(result.error.issues.map((issue) => issue.path[0]));
    throw new ConfigError(
      names
        .filter((name) => invalid.has(name))
        .map((name) =>
          SECRET_VARIABLES.has(name)
            ? `${name} is invalid (its value is not shown: it may hold a password): expected ${ALLOWED[name]}.`
            : `${name}=${JSON.stringify(input[name])} is invalid: expected ${ALLOWED[name]}.`,
        ),
    );
  }
  const values = result.data;
  if (values.SHUTDOWN_DRAIN_DELAY_MS >= values.SHUTDOWN_TIMEOUT_MS) {
    throw new ConfigError([drainDelayProblem(values.SHUTDOWN_DRAIN_DELAY_MS, values.SHUTDOWN_TIMEOUT_MS, input)]);
  }
  return {
    port: values.PORT,
    host: values.HOST,
    environment: values.APP_ENV,
    logLevel: values.LOG_LEVEL,
    gitSha: values.GIT_SHA,
    version: values.APP_VERSION,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainDelayMs: values.SHUTDOWN_DRAIN_DELAY_MS,
    keepAliveTimeoutMs: values.KEEP_ALIVE_TIMEOUT_MS,
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    databaseUrl: values.DATABASE_URL ?? libpqDatabaseUrl(values),
    databaseConnectTimeoutMs: values.PGCONNECT_TIMEOUT * 1000,
    redisUrl: values.REDIS_URL ?? redisUrlFromParts(values),
    clientAddressFrom: values.CLIENT_ADDRESS_FROM,
    greetingsRateLimit: values.GREETINGS_RATE_LIMIT,
    greetingsRateLimitWindowMs: values.GREETINGS_RATE_LIMIT_WINDOW_MS,
  };
}

type Values = z.output<typeof environmentSchema>;

/**
 * DATABASE_URL from libpq's variables, which is how a Slipway deployment passes the database (the password as an
 * ECS secret): percent-encoded, so any password survives.
 */
function libpqDatabaseUrl(values: Values): string | undefined {
  if (values.PGHOST === undefined) return undefined;
  if (values.PGUSER === undefined) {
    throw new ConfigError(['PGUSER is required when PGHOST is set (and DATABASE_URL is not): set the database user.']);
  }
  const url = new URL(`postgres://${values.PGHOST}`);
  url.port = String(values.PGPORT);
  url.username = encodeURIComponent(values.PGUSER);
  if (values.PGPASSWORD !== undefined) url.password = encodeURIComponent(values.PGPASSWORD);
  url.pathname = `/${encodeURIComponent(values.PGDATABASE ?? values.PGUSER)}`;
  if (values.PGSSLMODE !== undefined) url.searchParams.set('sslmode', values.PGSSLMODE);
  // As in libpq, the root certificates matter only where the server's certificate is checked.
  if (values.PGSSLROOTCERT !== undefined && (values.PGSSLMODE === 'verify-ca' || values.PGSSLMODE === 'verify-full')) {
    url.searchParams.set('sslrootcert', values.PGSSLROOTCERT);
  }
  return url.toString();
}

function isReadableFile(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** REDIS_URL from its parts: always `rediss://` (TLS), as ElastiCache with in-transit encryption requires. */
function redisUrlFromParts(values: Values): string | undefined {
  if (values.REDIS_HOST === undefined) return undefined;
  const url = new URL(`rediss://${values.REDIS_HOST}`);
  url.port = String(values.REDIS_PORT);
  if (values.REDIS_USERNAME !== undefined) url.username = encodeURIComponent(values.REDIS_USERNAME);
  if (values.REDIS_PASSWORD !== undefined) url.password = encodeURIComponent(values.REDIS_PASSWORD);
  return url.toString();
}

/** The drain delay is part of the shutdown timeout: a delay that fills it would end every shutdown in exit 1. */
function drainDelayProblem(drainDelayMs: number, timeoutMs: number, input: Record<string, string | undefined>): string {
  const setting = (name: VariableName, value: number) =>
    input[name] === undefined ? `${name} (default ${value})` : `${name}=${JSON.stringify(input[name])}`;
  return (
    `${setting('SHUTDOWN_DRAIN_DELAY_MS', drainDelayMs)} is invalid: expected less than ` +
    `${setting('SHUTDOWN_TIMEOUT_MS', timeoutMs)}, which counts from the signal and includes the drain delay. ` +
    'Lower SHUTDOWN_DRAIN_DELAY_MS or raise SHUTDOWN_TIMEOUT_MS.'
  );
}
