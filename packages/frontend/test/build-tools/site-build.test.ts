import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSite } from '../../build-tools/site-build';
import { BuiltSite, buildSiteToTempDir, copySources } from '../helpers/site';

/** Budget for a first visit: index.html and everything it loads, gzip-compressed as nginx sends it. */
const FIRST_LOAD_BUDGET_BYTES = 50 * 1024;

/**
 * Absolute URLs allowed in the output because no browser ever fetches them: XML namespace names.
 * A framework may add its own here (React's production build, for one, links its error decoder);
 * never a script, stylesheet, font or image host.
 */
const ALLOWED_ABSOLUTE_URLS = ['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink'];

const ABSOLUTE_URL = /\b(?:https?|wss?|ftp):\/\/[^\s"'`)<>\\]+/gi;
const PROTOCOL_RELATIVE_URL = /(?:\b(?:src|href|action)\s*=\s*["']?|url\(\s*["']?|import\s*\(?\s*["'])\/\//gi;

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('the production build', () => {
  let site: BuiltSite;
  let files: string[];
  let html: string;

  beforeAll(async () => {
    site = await buildSiteToTempDir();
    files = listFiles(site.dir);
    html = fs.readFileSync(path.join(site.dir, 'index.html'), 'utf8');
  });

  afterAll(() => site?.remove());

  test('writes index.html and content-hashed assets, nothing else', () => {
    expect(files).toContain('index.html');
    const assets = files.filter((file) => file !== 'index.html');
    expect(assets.some((file) => file.endsWith('.js'))).toBe(true);
    expect(assets.some((file) => file.endsWith('.css'))).toBe(true);
    for (const file of assets) {
      expect(file).toMatch(/^assets\/[\w-]+-[A-Z0-9]{8,}\.(js|css|svg|png|jpg|webp|avif|woff2)$/);
    }
  });

  test('index.html loads one module script and one stylesheet, and every file it names exists', () => {
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    const local = urls.filter((url) => !url.startsWith('#'));

    expect(local.length).toBeGreaterThanOrEqual(3);
    for (const url of local) {
      expect(url).toMatch(/^\/assets\//);
      expect(files).toContain(url.slice(1));
    }
    expect(html.match(/<script type="module" src="\/assets\/main-[A-Z0-9]+\.js"><\/script>/g)).toHaveLength(1);
    expect(html.match(/<link rel="stylesheet" href="\/assets\/styles-[A-Z0-9]+\.css" \/>/g)).toHaveLength(1);
    expect(html).not.toContain('"./');
  });

  test('has nothing inline that a CSP without unsafe-inline would block', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  test(`loads at most ${FIRST_LOAD_BUDGET_BYTES / 1024} KB (gzip) on a first visit`, () => {
    expect(site.build.firstLoad).toEqual(
      expect.arrayContaining(['index.html', expect.stringMatching(/\.js$/), expect.stringMatching(/\.css$/)]),
    );
    const sizes = site.build.firstLoad.map(
      (file) => gzipSync(fs.readFileSync(path.join(site.dir, file)), { level: 6 }).length,
    );
    const total = sizes.reduce((sum, size) => sum + size, 0);

    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);
  });

  test('names no third-party URL anywhere', () => {
    const found: string[] = [];
    for (const file of files) {
      let text = fs.readFileSync(path.join(site.dir, file), 'latin1');
      for (const allowed of ALLOWED_ABSOLUTE_URLS) text = text.split(allowed).join('');
      for (const match of text.matchAll(ABSOLUTE_URL)) found.push(`${file}: ${match[0]}`);
      for (const match of text.matchAll(PROTOCOL_RELATIVE_URL)) {
        found.push(`${file}: protocol-relative URL after ${match[0]}`);
      }
    }
    expect(found).toEqual([]);
  });

  test('is minified, and keeps its source maps out of the site', () => {
    const scripts = files.filter((file) => /\.(js|css)$/.test(file));
    for (const file of scripts) {
      const text = fs.readFileSync(path.join(site.dir, file), 'utf8');
      expect(text.trim().split('\n').length).toBeLessThanOrEqual(3);
      expect(text).not.toContain('sourceMappingURL');
    }
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect([...site.build.sourcemaps.keys()].sort()).toEqual(scripts.map((file) => `${file}.map`).sort());
  });
});

describe('content hashing', () => {
  let sources: { dir: string; remove(): void };
  afterEach(() => sources?.remove());

  test('renames exactly the files whose content changed', async () => {
    sources = copySources();
    const before = await buildSite({ mode: 'production', srcDir: sources.dir });
    const again = await buildSite({ mode: 'production', srcDir: sources.dir });
    fs.appendFileSync(path.join(sources.dir, 'styles.css'), '\n.added-by-test { color: #000; }\n');
    const after = await buildSite({ mode: 'production', srcDir: sources.dir });

    const names = (build: typeof before, extension: string) =>
      [...build.files.keys()].filter((file) => file.endsWith(extension));
    expect(names(again, '.css')).toEqual(names(before, '.css'));
    expect(names(after, '.css')).not.toEqual(names(before, '.css'));
    expect(names(after, '.js')).toEqual(names(before, '.js'));
    expect(names(after, '.svg')).toEqual(names(before, '.svg'));
  });

  test('a template that names a missing file fails the build, saying which', async () => {
    sources = copySources();
    const template = path.join(sources.dir, 'index.html');
    fs.writeFileSync(template, fs.readFileSync(template, 'utf8').replace('./main.ts', './missing.ts'));

    await expect(buildSite({ mode: 'production', srcDir: sources.dir })).rejects.toThrow(
      /references \.\/missing\.ts, which does not exist/,
    );
  });
});
