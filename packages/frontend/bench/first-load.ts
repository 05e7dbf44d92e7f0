// `npx projen bench` in packages/frontend: measures what a first visit downloads and how long a
// production build takes, and rewrites the frontend section of docs/performance.md with the figures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSite, PACKAGE_DIR } from '../build-tools/site-build';

const PERFORMANCE_DOC = path.resolve(PACKAGE_DIR, '..', '..', 'docs', 'performance.md');
const START = '<!-- frontend:start -->';
const END = '<!-- frontend:end -->';
/** The budget test/build-tools/site-build.test.ts enforces. */
const BUDGET_BYTES = 50 * 1024;
/** nginx/nginx.conf's gzip_comp_level: the same zlib level gives the bytes nginx sends. */
const GZIP_LEVEL = 6;
const BUILD_RUNS = 20;

async function main(): Promise<void> {
  // One unmeasured build warms esbuild's service process and the file cache.
  const site = await buildSite({ mode: 'production' });
  const durations: number[] = [];
  for (let run = 0; run < BUILD_RUNS; run++) {
    const started = performance.now();
    await buildSite({ mode: 'production' });
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const median = durations[Math.floor(durations.length / 2)];

  const rows = site.firstLoad.map((file) => {
    const contents = site.files.get(file) ?? new Uint8Array();
    return {
      file: file.replace(/-[A-Z0-9]{8,}\./, '-‹hash›.'),
      bytes: contents.length,
      gzip: gzipSync(contents, { level: GZIP_LEVEL }).length,
    };
  });
  const total = { bytes: sum(rows.map((row) => row.bytes)), gzip: sum(rows.map((row) => row.gzip)) };
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';

  const section = [
    START,
    '## Frontend',
    `Measured by \`packages/frontend/bench/first-load.ts\` (\`npx projen bench\` in packages/frontend) on ${new Date().toISOString().slice(0, 10)}:`,
    `Node ${process.version}, ${os.cpus().length} cores (${cpu}).`,
    '',
    `What a first visit downloads: index.html and every file it references, compressed as nginx sends it (gzip level ${GZIP_LEVEL}).`,
    '',
    '| file | bytes | gzip |',
    '|---|---:|---:|',
    ...rows.map((row) => `| \`${row.file}\` | ${row.bytes} | ${row.gzip} |`),
    `| **total, ${rows.length} requests** | ${total.bytes} | **${total.gzip}** |`,
    '',
    `The budget is ${BUDGET_BYTES} bytes gzip (a test enforces it); the sample uses ${((total.gzip / BUDGET_BYTES) * 100).toFixed(1)}% of it.`,
    `Later visits download only index.html (a 304 when unchanged): every other file is content-hashed and cached for a year.`,
    '',
    `Production build (esbuild, minified, with source maps, in memory; ${BUILD_RUNS} runs after one warm-up):`,
    `median ${median.toFixed(1)} ms, fastest ${durations[0].toFixed(1)} ms, slowest ${durations[durations.length - 1].toFixed(1)} ms.`,
    END,
  ].join('\n');

  const doc = fs.readFileSync(PERFORMANCE_DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(
      `${PERFORMANCE_DOC} has no "${START}" … "${END}" section to rewrite; add the two markers where the frontend figures belong.`,
    );
  }
  fs.writeFileSync(PERFORMANCE_DOC, doc.slice(0, start) + section + doc.slice(end + END.length));
  console.log(section);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
