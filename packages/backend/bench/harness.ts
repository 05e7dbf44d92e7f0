import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { bundleOptions } from '../build-tools/bundle';

/** A benchmark target listening on loopback in its own process. */
export interface RunningTarget {
  readonly origin: string;
  readonly pid: number;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<void>;
}

/** One autocannon run, reduced to what the report shows. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** CPU time the target process spent per request (user + system), in microseconds: steadier than req/s on a busy machine. */
  readonly cpuMicrosPerRequest: number;
}

/** What every autocannon run shares, so targets are compared like for like. */
export interface LoadProfile {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
}

/**
 * Bundles a benchmark target with the same esbuild settings as the app, so
 * that every target runs as one plain JavaScript file under plain `node`.
 */
export async function bundleTarget(entry: string, outdir: string): Promise<string> {
  // The app's options name two entry points and an outdir: this one entry lands in outdir as <name>.js.
  await build({ ...bundleOptions(outdir), entryPoints: [entry], sourcemap: false, metafile: false });
  return path.join(outdir, `${path.basename(entry, '.ts')}.js`);
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `file` with `node` on a free loopback port and resolves once its
 * /api/health answers 200. Its stdout goes to a separate process that reads
 * and drops it, as a container runtime reads a container's output: log lines
 * cost the target a real pipe write, and cost the load generator nothing.
 */
export async function startTarget(file: string, env: Record<string, string> = {}): Promise<RunningTarget> {
  const port = await freePort();
  const sink = spawn('cat', [], { stdio: ['pipe', 'ignore', 'inherit'] });
  const child = spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', sink.stdin!, 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(child);
    sink.kill();
  };
  for (;;) {
    if (child.exitCode !== null) {
      sink.kill();
      throw new Error(`${file} exited with code ${child.exitCode} before answering`);
    }
    if ((await getStatus(`${origin}/api/health`)) === 200) {
      return { origin, pid: child.pid!, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The bench's PostgreSQL (dev/database-process.ts), running in a process of its own. */
export interface BenchDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a fresh, migrated embedded PostgreSQL for the targets that store greetings. */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'dev', 'database-process.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) =>
      resolve((JSON.parse(line) as { url: string }).url),
    );
    child.once('exit', (code) =>
      reject(new Error(`dev/database-process.ts exited with code ${code} before it was ready`)),
    );
  });
  return { url, stop: () => stopProcess(child) };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Runs autocannon against `url` after a warm-up, and fails if any response
 * had another status than `expectedStatus`: a fast error is not a fast route.
 */
export async function load(
  target: RunningTarget,
  route: string,
  profile: LoadProfile,
  expectedStatus: number,
  request: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {},
): Promise<LoadResult> {
  const url = `${target.origin}${route}`;
  const options = { url, connections: profile.connections, ...request };
  await autocannon({ ...options, duration: profile.warmupSeconds });
  const cpuBefore = cpuMicros(target.pid);
  const result = await autocannon({ ...options, duration: profile.durationSeconds });
  const cpuUsed = cpuMicros(target.pid) - cpuBefore;
  const statuses = Object.keys(result.statusCodeStats ?? {});
  if (result.errors > 0 || result.timeouts > 0 || statuses.some((status) => Number(status) !== expectedStatus)) {
    throw new Error(
      `${request.method ?? 'GET'} ${url}: expected only ${expectedStatus}, got statuses ${statuses.join(', ')} and ${result.errors} errors`,
    );
  }
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    cpuMicrosPerRequest: cpuUsed / result.requests.total,
  };
}

/** User + system CPU time a process used so far, in microseconds (Linux /proc). */
export function cpuMicros(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

// USER_HZ is 100 on every Linux architecture Node supports.
const CLOCK_TICKS_PER_SECOND = 100;

/** Milliseconds from spawning `file` to its first 200 on `/api/health`, polling every 2 ms. */
export async function timeToFirstOk(file: string, env: Record<string, string>, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`${file} exited with code ${child.exitCode} before answering`);
      }
      if ((await getStatus(`http://127.0.0.1:${port}/api/health`)) === 200) {
        return performance.now() - started;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    await stopProcess(child);
  }
}

/** Status of a GET, or undefined when nothing answers. */
export function getStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Resident set size of a process in MiB (Linux /proc; the bench runs on Linux). */
export function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kib / 1024;
}
