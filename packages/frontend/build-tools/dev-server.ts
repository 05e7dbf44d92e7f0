import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { readSecurityHeaders } from './security-headers';
import { createSiteBuilder, SiteBuild } from './site-build';

/** Options for {@link startDevServer}. */
export interface DevServerOptions {
  /** TCP port to listen on; 0 picks a free one. */
  readonly port: number;
  /**
   * Address to listen on.
   * @default "127.0.0.1"
   */
  readonly host?: string;
  /** Base URL of the API that `/api/*` is forwarded to, e.g. "http://127.0.0.1:8000". */
  readonly apiUrl: string;
  /**
   * Folder holding index.html and the sources.
   * @default "<package>/src"
   */
  readonly srcDir?: string;
  /**
   * Where progress lines go.
   * @default console.log
   */
  readonly log?: (line: string) => void;
}

/** A running dev server. */
export interface DevServer {
  /** Where the page is, e.g. "http://127.0.0.1:3000/". */
  readonly url: string;
  /** Resolves after the next build finishes (successful or not), e.g. after a source file changed. */
  nextBuild(): Promise<void>;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the site for local development the way nginx and the load balancer
 * serve it in AWS, on one origin: a development build (readable, with source
 * maps) kept in memory and rebuilt when a source changes, the same security
 * headers and route fallback as nginx, and `/api/*` forwarded to the local API.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const api = new URL(options.apiUrl);
  if (api.protocol !== 'http:') {
    throw new Error(
      `API_URL must be an http:// URL of the local API, e.g. http://127.0.0.1:8000; got ${options.apiUrl}`,
    );
  }
  const securityHeaders = readSecurityHeaders();

  let site: SiteBuild | undefined;
  let buildErrors: readonly string[] = [];
  let waiting: (() => void)[] = [];
  const nextBuild = () => new Promise<void>((resolve) => waiting.push(resolve));
  const firstBuild = nextBuild();

  const builder = await createSiteBuilder({ mode: 'development', srcDir: options.srcDir });
  await builder.watch((build, errors, took) => {
    buildErrors = errors;
    if (build) {
      site = build;
      log(`built in ${took} ms`);
    } else {
      log(`build failed; serving the last good build until the sources are fixed:\n  ${errors.join('\n  ')}`);
    }
    const resolved = waiting;
    waiting = [];
    resolved.forEach((resolve) => resolve());
  });
  await firstBuild;

  function serveSite(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    res.setHeader('Cache-Control', 'no-cache');
    if (pathname === '/healthz') {
      send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
      return;
    }
    if (!site) {
      send(res, 500, 'text/plain; charset=utf-8', `The first build failed:\n${buildErrors.join('\n')}\n`);
      return;
    }
    const requested = pathname === '/' ? 'index.html' : pathname.slice(1);
    // The same rule as nginx: a path with an extension is a file or a 404, any other path is a route of the app.
    const served = site.files.has(requested)
      ? requested
      : path.posix.extname(pathname) === ''
        ? 'index.html'
        : undefined;
    const file = served === undefined ? undefined : site.files.get(served);
    if (served === undefined || file === undefined) {
      send(res, 404, 'text/plain; charset=utf-8', `Not found: ${pathname}\n`);
      return;
    }
    const type = CONTENT_TYPES[path.posix.extname(served)] ?? 'application/octet-stream';
    send(res, 200, type, req.method === 'HEAD' ? undefined : file, file.length);
  }

  function proxyToApi(req: http.IncomingMessage, res: http.ServerResponse): void {
    const upstream = http.request(
      {
        host: api.hostname,
        port: api.port || 80,
        method: req.method,
        path: `${api.pathname.replace(/\/$/, '')}${req.url}`,
        headers: {
          ...req.headers,
          'x-forwarded-for': req.socket.remoteAddress ?? '',
          'x-forwarded-proto': 'http',
          'x-forwarded-host': req.headers.host ?? '',
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy(error);
        return;
      }
      // The same problem+json shape the API uses, so the page shows it like any other API error.
      const problem = {
        type: 'about:blank',
        title: 'Bad Gateway',
        status: 502,
        detail: `The dev server could not reach the API at ${api.origin} (${error.code ?? error.message}). Start it with "npx projen dev" in packages/backend, or run "npx projen dev" at the repository root to start both.`,
      };
      send(res, 502, 'application/problem+json', JSON.stringify(problem));
    });
    req.pipe(upstream);
  }

  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://dev.invalid').pathname;
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      proxyToApi(req, res);
    } else {
      serveSite(req, res, pathname);
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

  return {
    url,
    nextBuild,
    async close() {
      await builder.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array | undefined,
  length?: number,
): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', length ?? (body === undefined ? 0 : Buffer.byteLength(body)));
  res.end(body);
}
