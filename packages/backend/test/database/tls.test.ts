import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSecureContext, TLSSocket } from 'node:tls';
import { rdsCertificateBundle } from '../../build-tools/bundle';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/database/database';
import { migrate } from '../../src/database/migrations';
import { DependencyUnavailable } from '../../src/errors/dependency-unavailable';
import { createLogger } from '../../src/logger';
import { testConfig } from '../support/test-app';

jest.setTimeout(30_000);

/** What the endpoint answers a client that completed the TLS handshake and sent its startup message. */
const AFTER_HANDSHAKE = 'slipway-test: TLS handshake completed';

/** PostgreSQL's SSLRequest: length 8, then the code 80877103 (protocol manual, "SSL Session Encryption"). */
function isSslRequest(message: Buffer): boolean {
  return message.length === 8 && message.readInt32BE(0) === 8 && message.readInt32BE(4) === 80877103;
}

/** A PostgreSQL ErrorResponse (severity FATAL, SQLSTATE 28000) carrying `text`. */
function errorResponse(text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0C28000\0M${text}\0\0`, 'utf8');
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

/**
 * The first steps of a PostgreSQL server with TLS, as RDS runs them (rds.force_ssl): it agrees to TLS ('S'),
 * completes the handshake with `certificate`, then refuses the startup message with {@link AFTER_HANDSHAKE}, so a
 * client reports that text exactly when its certificate check passed.
 */
function tlsPostgresEndpoint(certificate: { key: string; cert: string }): Promise<{ server: Server; port: number }> {
  const secureContext = createSecureContext(certificate);
  const server = createServer((socket: Socket) => {
    socket.once('data', (message) => {
      if (!isSslRequest(message)) return void socket.destroy();
      socket.write('S');
      const tls = new TLSSocket(socket, { isServer: true, secureContext });
      tls.on('error', () => tls.destroy()); // the client gave up on the certificate
      tls.once('data', () => tls.end(errorResponse(AFTER_HANDSHAKE)));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 });
    }),
  );
}

describe('the database connection checks the server certificate (PGSSLMODE=verify-full, PGSSLROOTCERT)', () => {
  const logger = createLogger(testConfig({ LOG_LEVEL: 'silent' }));
  let dir: string;
  let server: Server;
  let port: number;
  const file = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    // GIVEN two certificate authorities, and a server certificate for "localhost" from the first
    dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    for (const ca of ['trusted-ca', 'other-ca']) {
      openssl(
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${ca}`,
        '-keyout',
        `${ca}.key`,
        '-out',
        `${ca}.pem`,
      );
    }
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    );
    writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'trusted-ca.pem',
      '-CAkey',
      'trusted-ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'server.ext',
      '-out',
      'server.pem',
    );
    writeFileSync(file('rds-ca.pem'), rdsCertificateBundle());
    ({ server, port } = await tlsPostgresEndpoint({
      key: readFileSync(file('server.key'), 'utf8'),
      cert: readFileSync(file('server.pem'), 'utf8'),
    }));
  }, 30_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** What pg reported: the cause of a DependencyUnavailable (the 503 the request gets), else the error itself. */
  const reported = (error: unknown) => (error instanceof DependencyUnavailable ? error.cause : error);

  /** The error of one query through the app's Database, configured as a deployed task is. */
  async function queryError(variables: Record<string, string>): Promise<unknown> {
    const config = loadConfig({ PGPORT: String(port), PGUSER: 'app', PGDATABASE: 'app', ...variables });
    const database = new Database(config.databaseUrl!, logger);
    try {
      return await database.query('SELECT 1').then(
        () => new Error('the query succeeded'),
        (error: unknown) => error,
      );
    } finally {
      await database.close();
    }
  }

  test('GIVEN the certificate authority in PGSSLROOTCERT and the host its certificate names THEN the handshake completes', async () => {
    const error = await queryError({
      PGHOST: 'localhost',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: file('trusted-ca.pem'),
    });
    expect(reported(error)).toMatchObject({ message: AFTER_HANDSHAKE });
  });

  test.each([
    ['a server certificate from another authority', 'localhost', 'other-ca.pem', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['a host the certificate does not name', '127.0.0.1', 'trusted-ca.pem', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    [
      "the image's RDS bundle and a certificate from outside it",
      'localhost',
      'rds-ca.pem',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ],
  ])('GIVEN %s THEN the connection is refused, and the request gets a 503', async (_case, host, roots, code) => {
    const error = await queryError({ PGHOST: host, PGSSLMODE: 'verify-full', PGSSLROOTCERT: file(roots) });
    expect(error).toBeInstanceOf(DependencyUnavailable);
    expect(reported(error)).toMatchObject({ code });
  });

  test('GIVEN several connections THEN the certificates are read once, not for each connection', async () => {
    const roots = file('trusted-ca.pem');
    // The module itself: an `import * as` namespace is a copy, where a spy would see nothing.
    const reads = jest.spyOn(jest.requireActual<typeof import('node:fs')>('node:fs'), 'readFileSync');
    try {
      const config = loadConfig({
        PGHOST: 'localhost',
        PGPORT: String(port),
        PGUSER: 'app',
        PGSSLMODE: 'verify-full',
        PGSSLROOTCERT: roots,
      });
      const database = new Database(config.databaseUrl!, logger);
      try {
        // The endpoint ends each connection after its handshake: every query opens a new one, and each is verified
        for (let query = 0; query < 3; query++) {
          expect(reported(await database.query('SELECT 1').catch((error: unknown) => error))).toMatchObject({
            message: AFTER_HANDSHAKE,
          });
        }
      } finally {
        await database.close();
      }
      expect(reads.mock.calls.filter(([read]) => read === roots)).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }
  });

  test('GIVEN the migration task, configured the same way THEN it checks the certificate too', async () => {
    const run = (variables: Record<string, string>) => {
      const config = loadConfig({
        PGPORT: String(port),
        PGUSER: 'app',
        PGHOST: 'localhost',
        PGSSLMODE: 'verify-full',
        ...variables,
      });
      return migrate({ databaseUrl: config.databaseUrl!, logger }).catch((error: unknown) => error);
    };
    expect(await run({ PGSSLROOTCERT: file('trusted-ca.pem') })).toMatchObject({ message: AFTER_HANDSHAKE });
    expect(await run({ PGSSLROOTCERT: file('other-ca.pem') })).toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  test('GIVEN no-verify, what deployments used before THEN any certificate passes: the check above is what refuses', async () => {
    const error = await queryError({ PGHOST: '127.0.0.1', PGSSLMODE: 'no-verify' });
    expect(reported(error)).toMatchObject({ message: AFTER_HANDSHAKE });
  });
});
