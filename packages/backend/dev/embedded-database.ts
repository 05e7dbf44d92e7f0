import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** PGlite behind its socket server: a PostgreSQL the API reaches through pg, as it reaches a real one. */
export interface EmbeddedDatabase {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and closes the open ones, as a server that goes down; {@link resume} undoes it. */
  suspend(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  /**
   * The data folder as an uncompressed tar, for {@link startEmbeddedDatabase}'s `image`: a copy of this database
   * that starts without running initdb again.
   */
  dump(): Promise<Blob>;
  /** Stops the server and closes the database (flushing it to `dataDir`). */
  stop(): Promise<void>;
}

/** The V8 flag {@link compileWebAssemblyForShortRuns} sets; `node --liftoff-only` sets it for a whole process. */
export const BASELINE_WASM_FLAG = '--liftoff-only';

/**
 * Makes V8 compile WebAssembly with its baseline compiler (Liftoff) only, never optimizing it, for a process that
 * starts PGlite and runs a few queries: the tests. Optimizing PGlite's PostgreSQL costs more CPU than a short run
 * of queries ever wins back; on 2 cores, starting one took about 3.4 CPU-seconds with it and 2.2 without, and the
 * backend's database tests 13.8 CPU-seconds instead of 10.8 (docs/performance.md). Unoptimized code runs queries
 * more slowly, so `npx projen dev` and the bench, which run many, leave it alone. Process-wide, for WebAssembly compiled after the call; JavaScript
 * is not affected.
 */
export function compileWebAssemblyForShortRuns(): void {
  setFlagsFromString(BASELINE_WASM_FLAG);
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly, in this process) and serves it on a loopback port. For
 * `npx projen dev` and the tests: nothing to install. PGlite runs one query at a time; the socket server queues
 * the pool's connections onto it.
 *
 * @param options.dataDir folder to keep the data in; in memory when undefined.
 * @param options.image a data folder to start from, as {@link EmbeddedDatabase.dump} wrote it; initdb when undefined.
 *   Starting from an image skips initdb, most of PGlite's start-up.
 */
export async function startEmbeddedDatabase(
  options: { readonly dataDir?: string; readonly port?: number; readonly image?: Blob } = {},
): Promise<EmbeddedDatabase> {
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true }); // PGlite creates the last folder, not its parents
  }
  const db = await PGlite.create(options.dataDir, { loadDataDir: options.image });
  let server: PGLiteSocketServer;
  let port = options.port ?? 0;
  ({ server, port } = await listen(db, port));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    suspend: () => server.stop(),
    resume: async () => {
      ({ server } = await listen(db, port));
    },
    dump: () => db.dumpDataDir('none'),
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

async function listen(db: PGlite, port: number): Promise<{ server: PGLiteSocketServer; port: number }> {
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 20 });
  let listeningPort = port;
  server.addEventListener('listening', (event) => {
    listeningPort = (event as CustomEvent<{ port: number }>).detail.port;
  });
  await server.start();
  return { server, port: listeningPort };
}
