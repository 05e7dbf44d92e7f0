import { gunzipSync } from 'node:zlib';
import { readSecurityHeaders } from '../../build-tools/security-headers';
import { request, RawResponse } from '../helpers/http';
import { NginxServer, startNginx } from '../helpers/nginx';
import { BuiltSite, buildSiteToTempDir } from '../helpers/site';

// The real nginx binary with the image's configuration (test/helpers/nginx.ts lists the only changes:
// port, /tmp and the site folder), serving a fresh production build.
jest.setTimeout(30_000);

const IMMUTABLE = 'public, max-age=31536000, immutable';
const GZIP = { 'accept-encoding': 'gzip' };

let site: BuiltSite;
let nginx: NginxServer;
let scriptPath: string;
let stylesheetPath: string;
let indexHtml: string;

beforeAll(async () => {
  site = await buildSiteToTempDir();
  nginx = await startNginx({ siteDir: site.dir });
  const files = [...site.build.files.keys()];
  scriptPath = `/${files.find((file) => /^assets\/main-.*\.js$/.test(file))}`;
  stylesheetPath = `/${files.find((file) => /^assets\/styles-.*\.css$/.test(file))}`;
  indexHtml = Buffer.from(site.build.files.get('index.html') ?? '').toString();
});

afterAll(async () => {
  await nginx?.stop();
  site?.remove();
});

const get = (path: string, headers: Record<string, string> = {}) => request(`${nginx.origin}${path}`, { headers });

function expectSecurityHeaders(response: RawResponse): void {
  for (const [name, value] of readSecurityHeaders()) {
    expect({ header: name, value: response.headers[name.toLowerCase()] }).toEqual({ header: name, value });
  }
  // server_tokens off: no version in the header.
  expect(response.headers.server).toBe('nginx');
}

describe('nginx serving the built site', () => {
  test('GET /healthz answers 200 for the load balancer', async () => {
    const response = await get('/healthz');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body.toString()).toBe('ok\n');
  });

  test.each(['/', '/index.html'])('GET %s serves the page, revalidated on every visit', async (path) => {
    const response = await get(path);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers.etag).toBeDefined();
    expect(response.body.toString()).toBe(indexHtml);
    expectSecurityHeaders(response);
  });

  test('an unchanged page costs a 304 and no body', async () => {
    const first = await get('/');
    const second = await get('/', { 'if-none-match': String(first.headers.etag) });

    expect(second.status).toBe(304);
    expect(second.body.length).toBe(0);
  });

  test.each(['/greetings', '/some/deep/route'])('GET %s (an app route) serves the page', async (path) => {
    const response = await get(path);

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body.toString()).toBe(indexHtml);
    expectSecurityHeaders(response);
  });

  test('hashed assets are cached for a year, as immutable', async () => {
    for (const [path, type] of [
      [scriptPath, /^(application|text)\/javascript/],
      [stylesheetPath, /^text\/css/],
    ] as const) {
      const response = await get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers['content-type']).toMatch(type);
      expect(response.headers['cache-control']).toBe(IMMUTABLE);
      expect(response.body.equals(Buffer.from(site.build.files.get(path.slice(1)) ?? []))).toBe(true);
      expectSecurityHeaders(response);
    }
  });

  test.each(['/assets/main-MISSING0.js', '/assets/', '/favicon.ico', '/robots.txt', '/some/route/app.js'])(
    'GET %s (a missing file) is a 404, never the page',
    async (path) => {
      const response = await get(path);

      expect(response.status).toBe(404);
      expect(response.body.toString()).not.toContain('<script');
      expect(response.headers['cache-control']).toBeUndefined();
      // Error pages carry the security headers too, and no nginx version.
      expectSecurityHeaders(response);
      expect(response.body.toString()).not.toMatch(/nginx\/\d/);
    },
  );

  test('source maps are not served', async () => {
    expect(site.build.sourcemaps.size).toBeGreaterThan(0);
    for (const map of site.build.sourcemaps.keys()) {
      expect((await get(`/${map}`)).status).toBe(404);
    }
  });

  test('compresses the page, scripts and stylesheets for clients that accept gzip', async () => {
    for (const path of ['/', scriptPath, stylesheetPath]) {
      const response = await get(path, GZIP);
      expect({ path, encoding: response.headers['content-encoding'] }).toEqual({ path, encoding: 'gzip' });
      expect(response.headers.vary).toMatch(/Accept-Encoding/i);
      const original = path === '/' ? Buffer.from(indexHtml) : Buffer.from(site.build.files.get(path.slice(1)) ?? []);
      expect(gunzipSync(response.body).equals(original)).toBe(true);
      expect(response.body.length).toBeLessThan(original.length);
    }
  });

  test('sends plain bytes to clients that do not accept gzip', async () => {
    const response = await get(scriptPath);

    expect(response.headers['content-encoding']).toBeUndefined();
  });

  test('serves only GET and HEAD', async () => {
    const response = await request(`${nginx.origin}/index.html`, { method: 'POST', body: 'x' });

    expect(response.status).toBe(405);
  });

  test("proxies nothing: /api/* is the load balancer's business in AWS", async () => {
    const response = await get('/api/health');

    // No proxy location in the image: an /api path is just another app route here.
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(nginx.errorLog()).not.toMatch(/\[(emerg|alert|crit|error)\]/);
  });
});
