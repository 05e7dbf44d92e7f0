import { createSecureContext } from 'node:tls';
import { type ClientConfig, Pool, type QueryResultRow } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import type { Logger } from 'pino';
import { DependencyUnavailable } from '../errors/dependency-unavailable';

/** How long a request waits for the database before it gets a 503 instead of hanging. */
export interface DatabaseTimeouts {
  /** Opening a connection (TCP, TLS, authentication). @default 2000 */
  readonly connectMs?: number;
  /** One query, enforced by the server (`statement_timeout`) and by the client if the server is silent. @default 5000 */
  readonly queryMs?: number;
}

// Node's errors for a server that is not there, or went away.
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

// Node's errors for a server whose TLS certificate fails the check (PGSSLMODE=verify-full): not a bug in a query,
// and the log says which (a certificate authority missing from PGSSLROOTCERT, or a host the certificate does not name).
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

// SQLSTATEs of a server that is up and refuses this instance's credentials: its password was rotated after the task
// read it, or its role may no longer log in. Only a new task, which reads the current secret, gets past them.
const CREDENTIALS_REFUSED = new Set([
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification
]);

// SQLSTATEs (PostgreSQL manual, appendix A) that say "not now" rather than "this query is wrong".
const UNAVAILABLE_SQLSTATES = new Set([
  ...CREDENTIALS_REFUSED,
  '57P01', // admin_shutdown: the server is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '53300', // too_many_connections
  '57014', // query_canceled: statement_timeout
  '3D000', // invalid_catalog_name: the database does not exist
]);

// What pg throws, as text, when a connection breaks or times out (pg has no codes for these).
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error)/;

/** The `code` pg and Node put on their errors (a SQLSTATE, or ECONNREFUSED and the like), if any. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `error` means the database cannot be reached or cannot serve now, as opposed to a bug in a query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  if (
    code !== undefined &&
    (NETWORK_ERRORS.has(code) ||
      CERTIFICATE_ERRORS.has(code) ||
      UNAVAILABLE_SQLSTATES.has(code) ||
      code.startsWith('08'))
  ) {
    return true; // class 08: connection exception
  }
  if (error instanceof AggregateError) {
    return error.errors.some(isDatabaseUnavailable); // a host name with several addresses, none answering
  }
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message);
}

/**
 * The connection settings of `connectionString`, read once. Given the string, node-postgres parses it again for each
 * connection it opens, so with `sslrootcert` it read the certificates' file and built a TLS context from them every
 * time, synchronously: for the ninety-odd RDS roots the image trusts, milliseconds of the event loop per connection.
 * One secure context serves every connection.
 */
function clientConfig(connectionString: string): ClientConfig {
  const config = parseIntoClientConfig(connectionString);
  if (typeof config.ssl !== 'object' || config.ssl.ca === undefined) return config;
  const { ca, ...tls } = config.ssl;
  return { ...config, ssl: { ...tls, secureContext: createSecureContext({ ca }) } };
}

/**
 * The API's PostgreSQL connections: a pg pool whose failures are sorted into "unavailable" (a 503 the client can
 * retry, see {@link DependencyUnavailable}) and everything else (a bug: a 500).
 */
export class Database {
  private readonly pool: Pool;
  private refusedSince: Date | undefined;

  constructor(
    connectionString: string,
    private readonly logger: Logger,
    timeouts: DatabaseTimeouts = {},
  ) {
    const queryMs = timeouts.queryMs ?? 5_000;
    this.pool = new Pool({
      max: 10,
      connectionTimeoutMillis: timeouts.connectMs ?? 2_000,
      statement_timeout: queryMs,
      // The client-side limit is a little longer, so the server's own timeout (57014) is what normally fires.
      query_timeout: queryMs + 1_000,
      idleTimeoutMillis: 30_000,
      application_name: 'slipway-backend',
      // What the URL says wins, as it does when node-postgres reads a `connectionString` itself.
      ...clientConfig(connectionString),
    });
    // An idle connection that breaks (the server restarts, a failover) is reported here. Without a listener the
    // pool's 'error' event would end the process; the next query opens a new connection instead.
    this.pool.on('error', (err) => {
      this.logger.warn({ err }, `database connection lost while idle (${err.message}): the next query reconnects`);
    });
    // A new connection authenticated: whatever refusal came before is over.
    this.pool.on('connect', () => {
      if (this.refusedSince !== undefined) {
        this.logger.info("the database accepts this instance's credentials again");
        this.refusedSince = undefined;
      }
    });
  }

  /**
   * Since when the database has refused this instance's credentials (a password rotated after the task read it):
   * set by the first refused connection, cleared by the next one that authenticates. Connections opened before the
   * refusal may still work meanwhile; new ones will not.
   */
  public get credentialsRefusedSince(): Date | undefined {
    return this.refusedSince;
  }

  /** Runs one parameterized statement. @throws DependencyUnavailable when the database cannot answer now. */
  public async query<Row extends QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    try {
      const result = await this.pool.query<Row>(text, values as unknown[]);
      return result.rows;
    } catch (error) {
      this.noteRefusal(error);
      throw this.unavailable(error) ?? error;
    }
  }

  /** Resolves once the database answers a trivial query. @throws DependencyUnavailable otherwise. */
  public async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  /** Closes every connection; queries after this fail. */
  public async close(): Promise<void> {
    await this.pool.end();
  }

  private noteRefusal(error: unknown): void {
    const code = errorCode(error);
    if (this.refusedSince !== undefined || code === undefined || !CREDENTIALS_REFUSED.has(code)) {
      return;
    }
    this.refusedSince = new Date();
    this.logger.error(
      { err: error },
      `the database refuses this instance's credentials (${code}): /api/health answers 503 from now on, so that ECS ` +
        'replaces the task with one that reads the current secret',
    );
  }

  private unavailable(error: unknown): DependencyUnavailable | undefined {
    if (errorCode(error) === '42P01') {
      // undefined_table: the release's migrations have not run against this database.
      return new DependencyUnavailable({
        detail: 'The database is not ready: its schema is not migrated yet. Try again later.',
        cause: error,
        retryAfterSeconds: 30,
      });
    }
    if (isDatabaseUnavailable(error)) {
      return new DependencyUnavailable({ detail: 'The database is unavailable. Try again shortly.', cause: error });
    }
    return undefined;
  }
}
