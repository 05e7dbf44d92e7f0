import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { LogLine } from './test-app';

/** The API running as a real process, as in the container. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Parsed stdout lines so far. */
  readonly logs: LogLine[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first log line whose message matches, waiting for it if needed. */
  waitForLog(pattern: RegExp): Promise<LogLine>;
}

/**
 * Starts `node <bundle>` (a server.js that bundleServer wrote) on 127.0.0.1 and a free port unless `env` says
 * otherwise.
 */
export function spawnServer(env: Record<string, string>, bundle: string): ServerProcess {
  const child = spawn(process.execPath, [bundle], {
    cwd: path.join(__dirname, '..', '..'),
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', APP_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters: { pattern: RegExp; resolve: (line: LogLine) => void }[] = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as LogLine;
    logs.push(line);
    for (const waiter of waiters.filter((candidate) => candidate.pattern.test(line.msg))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog(pattern) {
      const seen = logs.find((line) => pattern.test(line.msg));
      if (seen) {
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((code) =>
          reject(new Error(`server exited (${code}) before logging ${pattern}; stderr: ${stderr}`)),
        );
      });
    },
  };
}

/** Starts the server and resolves with it and its port once it listens. */
export async function startServer(
  env: Record<string, string>,
  bundle: string,
): Promise<ServerProcess & { port: number }> {
  const server = spawnServer(env, bundle);
  const listening = await server.waitForLog(/^listening on /);
  return Object.assign(server, { port: listening.port as number });
}
