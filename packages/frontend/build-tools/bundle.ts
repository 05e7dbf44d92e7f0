// `npx projen bundle`: the production build. The site goes to dist/ (what the image serves);
// source maps go to sourcemaps/, for an error tracker, never into the image.
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSite, PACKAGE_DIR, writeSite } from './site-build';

async function main(): Promise<void> {
  const started = performance.now();
  const site = await buildSite({ mode: 'production' });
  const outDir = path.join(PACKAGE_DIR, 'dist');
  writeSite(site, outDir, path.join(PACKAGE_DIR, 'sourcemaps'));
  const took = performance.now() - started;

  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  let firstLoadGzip = 0;
  for (const [file, contents] of [...site.files].sort(([a], [b]) => a.localeCompare(b))) {
    const gzip = gzipSync(contents).length;
    const first = site.firstLoad.includes(file);
    if (first) firstLoadGzip += gzip;
    console.log(
      `  ${`dist/${file}`.padEnd(44)} ${kib(contents.length).padStart(10)} ${kib(gzip).padStart(10)} gzip${first ? '  (first load)' : ''}`,
    );
  }
  console.log(
    `built ${site.files.size} files in ${took.toFixed(0)} ms; first load ${kib(firstLoadGzip)} gzip; ${site.sourcemaps.size} source maps in sourcemaps/`,
  );
}

main().catch((error: unknown) => {
  console.error(`bundle failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
