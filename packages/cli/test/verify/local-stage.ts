import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const BACKEND_DIR = path.join(REPO_ROOT, 'packages', 'backend');

/** A stage on loopback: the real backend API behind a router that plays the load balancer's part. */
export interface LocalStage {
  /** `http://127.0.0.1:<port>`, what `slipway verify --url` gets. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Start the real backend (its built `dist/server.js`, else `src/server.ts`
 * through tsx) with `GIT_SHA=gitSha` and `env`, and in front of it a small router that
 * does what the ALB's listener rules do: `/api/*` to the backend, everything
 * else to the frontend, here a static HTML page standing in for nginx.
 */
export async function startLocalStage(gitSha: string, env: Record<string, string> = {}): Promise<LocalStage> {
  const backendPort = await freePort();
  const backend = startBackend(backendPort, gitSha, env);
  try {
    await waitForHealth(`http://127.0.0.1:${backendPort}/api/health`, backend, 30_000);
  } catch (error) {
    backend.kill('SIGTERM');
    throw error;
  }

  const router = http.createServer((request, response) => {
    if (request.url?.startsWith('/api/')) {
      const upstream = http.request(
        { host: '127.0.0.1', port: backendPort, path: request.url, method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => {
        response.writeHead(502).end('bad gateway');
      });
      request.pipe(upstream);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      '<!doctype html><html lang="en"><head><title>Slipway</title></head><body><main id="app"></main></body></html>',
    );
  });
  await new Promise<void>((resolve) => router.listen(0, '127.0.0.1', resolve));
  const { port } = router.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => router.close(() => resolve()));
      await stopProcess(backend);
    },
  };
}

function startBackend(port: number, gitSha: string, env: Record<string, string>): ChildProcess {
  const built = path.join(BACKEND_DIR, 'dist', 'server.js');
  const source = path.join(BACKEND_DIR, 'src', 'server.ts');
  const args = existsSync(built) ? [built] : ['--import', 'tsx', source];
  if (!existsSync(built) && !existsSync(source)) {
    throw new Error(`The backend has no server entrypoint yet: neither ${built} nor ${source} exists.`);
  }
  return spawn(process.execPath, args, {
    cwd: BACKEND_DIR,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      GIT_SHA: gitSha,
      // No drain after SIGTERM: it keeps a stopping task reachable through Cloud Map, which a test does not need.
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      APP_ENV: 'dev',
      APP_VERSION: '0.0.0',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`The backend exited with code ${child.exitCode} before it was healthy:\n${stderr}`);
    }
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The backend did not answer ${url} within ${timeoutMs} ms:\n${stderr}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
