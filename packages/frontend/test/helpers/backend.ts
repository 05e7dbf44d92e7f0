import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, waitForOk } from './http';
import { PACKAGE_DIR } from '../../build-tools/site-build';

/** The monorepo's API package, which the browser tests run for real. */
export const BACKEND_DIR = path.resolve(PACKAGE_DIR, '..', 'backend');

/** A real API process. */
export interface Backend {
  /** e.g. "http://127.0.0.1:41235" (no trailing slash). */
  readonly origin: string;
  /** The database it uses: another API started with this DATABASE_URL shares it, as two tasks of a service do. */
  readonly databaseUrl: string;
  /** What the process printed so far (its logs). */
  output(): string;
  stop(): Promise<void>;
}

/** A migrated, in-memory PostgreSQL (PGlite) in a process of its own: packages/backend/dev/database-process.ts. */
interface Database {
  readonly url: string;
  stop(): Promise<void>;
}

async function startDatabase(): Promise<Database> {
  const script = path.join(BACKEND_DIR, 'dev', 'database-process.ts');
  // --liftoff-only: V8 compiles PGlite's WebAssembly without optimizing it, as the backend's tests do
  // (compileWebAssemblyForShortRuns in packages/backend/dev/embedded-database.ts): about a third less CPU to start.
  const child = spawn(process.execPath, ['--liftoff-only', '--import', 'tsx', script], {
    cwd: BACKEND_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready:\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * Starts the monorepo's API the way its container does (its bundle,
 * `dist/server.js`, when built) or else from source with tsx, on a free
 * loopback port, and waits until /api/health answers. Unless `env` names a
 * DATABASE_URL, it gets a migrated embedded PostgreSQL of its own (the
 * container never migrates or embeds one: greetings would answer 503).
 */
export async function startBackend(env: Record<string, string>): Promise<Backend> {
  const bundle = path.join(BACKEND_DIR, 'dist', 'server.js');
  const source = path.join(BACKEND_DIR, 'src', 'server.ts');
  let args: string[];
  if (fs.existsSync(bundle)) {
    args = [bundle];
  } else if (fs.existsSync(source)) {
    const tsx = require.resolve('tsx/package.json');
    const bin = (JSON.parse(fs.readFileSync(tsx, 'utf8')) as { bin: string }).bin;
    args = [path.resolve(path.dirname(tsx), bin), source];
  } else {
    throw new Error(
      `The API is missing: neither ${bundle} nor ${source} exists. The browser tests run the real API from packages/backend.`,
    );
  }

  let database: Database | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (databaseUrl === undefined) {
    database = await startDatabase();
    databaseUrl = database.url;
  }
  const port = await freePort();
  let output = '';
  let exit: string | undefined;
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: BACKEND_DIR,
    // No drain after SIGTERM (it keeps a stopping task reachable through Cloud Map): the tests stop it at once.
    env: {
      ...process.env,
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      ...env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = `The API (${args.join(' ')}) exited (${signal ?? code}) before /api/health answered:\n${output}`;
      resolve();
    }),
  );
  child.on('error', (error) => (exit = `The API failed to start: ${error.message}`));

  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await database?.stop();
  };
  try {
    // From source, tsx compiles the API first: allow for a slow, shared CI machine.
    await waitForOk(`${origin}/api/health`, 30_000, () => exit);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, databaseUrl, output: () => output, stop };
}
