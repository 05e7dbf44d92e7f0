import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DevServer, startDevServer } from '../../build-tools/dev-server';
import { readSecurityHeaders } from '../../build-tools/security-headers';
import { freePort, request } from '../helpers/http';
import { copySources } from '../helpers/site';

jest.setTimeout(30_000);

// A real HTTP server in the API's place: it records what reaches it through the proxy.
let api: http.Server;
let apiUrl: string;
const received: { method?: string; url?: string; body: string; forwardedHost?: string }[] = [];

let sources: { dir: string; remove(): void };
let dev: DevServer;
const logs: string[] = [];

beforeAll(async () => {
  api = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        body,
        forwardedHost: req.headers['x-forwarded-host'] as string | undefined,
      });
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'from-api' });
      res.end(JSON.stringify({ greeting: 'Hello, Ada!' }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  sources = copySources();
  dev = await startDevServer({ port: 0, apiUrl, srcDir: sources.dir, log: (line) => logs.push(line) });
});

afterAll(async () => {
  await dev?.close();
  sources?.remove();
  api.closeAllConnections();
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

function scriptUrl(html: string): string {
  const match = /<script type="module" src="(\/assets\/[^"]+\.js)">/.exec(html);
  if (!match) throw new Error(`no module script in:\n${html}`);
  return match[1];
}

describe('the dev server', () => {
  test('serves the page and its assets with the same security headers as nginx', async () => {
    const page = await request(dev.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const [name, value] of readSecurityHeaders()) {
      expect(page.headers[name.toLowerCase()]).toBe(value);
    }

    const script = await request(new URL(scriptUrl(page.body.toString()), dev.url).href);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // A development build: readable, with a linked source map that is served too.
    const mapUrl = /\/\/# sourceMappingURL=(\S+)/.exec(script.body.toString())?.[1];
    expect(mapUrl).toBeDefined();
    expect((await request(new URL(mapUrl ?? '', new URL(scriptUrl(page.body.toString()), dev.url)).href)).status).toBe(
      200,
    );
  });

  test('answers routes with the page, and missing files with 404, like nginx', async () => {
    const route = await request(new URL('/some/route', dev.url).href);
    expect(route.status).toBe(200);
    expect(route.body.toString()).toContain('<script type="module"');

    expect((await request(new URL('/assets/missing.js', dev.url).href)).status).toBe(404);
    expect((await request(new URL('/favicon.ico', dev.url).href)).status).toBe(404);
    expect((await request(new URL('/healthz', dev.url).href)).status).toBe(200);
  });

  test('forwards /api/* to the API, body and answer unchanged', async () => {
    received.length = 0;
    const answer = await request(new URL('/api/greetings?x=1', dev.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Ada"}',
    });

    expect(answer.status).toBe(201);
    expect(answer.headers['x-request-id']).toBe('from-api');
    expect(JSON.parse(answer.body.toString())).toEqual({ greeting: 'Hello, Ada!' });
    expect(received).toEqual([
      { method: 'POST', url: '/api/greetings?x=1', body: '{"name":"Ada"}', forwardedHost: new URL(dev.url).host },
    ]);
  });

  test('answers 502 problem+json, saying what to start, when the API is down', async () => {
    const stopped = await startDevServer({
      port: 0,
      apiUrl: `http://127.0.0.1:${await freePort()}`,
      srcDir: sources.dir,
      log: () => undefined,
    });
    try {
      const answer = await request(new URL('/api/health', stopped.url).href);

      expect(answer.status).toBe(502);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(answer.body.toString())).toMatchObject({
        status: 502,
        title: 'Bad Gateway',
        detail: expect.stringMatching(/could not reach the API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/),
      });
    } finally {
      await stopped.close();
    }
  });

  test('rebuilds when a source or index.html changes', async () => {
    const before = (await request(dev.url)).body.toString();

    const rebuilt = dev.nextBuild();
    fs.appendFileSync(path.join(sources.dir, 'main.ts'), '\nconsole.info("changed by the dev server test");\n');
    await rebuilt;
    const afterSource = (await request(dev.url)).body.toString();
    expect(scriptUrl(afterSource)).not.toBe(scriptUrl(before));
    expect((await request(new URL(scriptUrl(afterSource), dev.url).href)).body.toString()).toContain(
      'changed by the dev server test',
    );

    const rebuiltAgain = dev.nextBuild();
    const template = path.join(sources.dir, 'index.html');
    fs.writeFileSync(
      template,
      fs.readFileSync(template, 'utf8').replace('<h1>Slipway status</h1>', '<h1>Changed heading</h1>'),
    );
    await rebuiltAgain;
    expect((await request(dev.url)).body.toString()).toContain('<h1>Changed heading</h1>');
    expect(logs.filter((line) => line.startsWith('built in')).length).toBeGreaterThanOrEqual(3);
  });
});
