import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  bundleTarget,
  freePort,
  getStatus,
  load,
  type LoadProfile,
  type LoadResult,
  residentMiB,
  startBenchDatabase,
  startTarget,
  timeToFirstOk,
} from './harness';
import { type BenchResults, median, renderReport, replaceSection } from './report';
import { bundleServer } from '../build-tools/bundle';

// Benchmarks of the backend (not a test: figures depend on the machine). Writes the
// backend section of docs/performance.md. BENCH_SECONDS shortens or lengthens each run.

const PROFILE: LoadProfile = {
  connections: 50,
  durationSeconds: Number(process.env.BENCH_SECONDS ?? 3),
  warmupSeconds: 1,
};
const ROUNDS = 5;
const STARTS = 5;
const REPORT = path.join(__dirname, '..', '..', '..', 'docs', 'performance.md');
const GREETING = {
  method: 'POST' as const,
  body: JSON.stringify({ name: 'Ada' }),
  headers: { 'content-type': 'application/json' },
};
const APP_ENV = { APP_ENV: 'bench', LOG_LEVEL: 'info', GIT_SHA: 'bench', APP_VERSION: 'bench' };
// Every request comes from one address (127.0.0.1). The highest limit the setting accepts is far above what one
// 4 s run sends, so the limiter runs on every POST, as in production, and never answers 429 (which would fail the
// run: any status but 201 does).
const RATE_LIMIT_ENV = { GREETINGS_RATE_LIMIT: '1000000' };

interface Scenario {
  readonly name: keyof Pick<BenchResults, 'rawHealth' | 'bareHealth' | 'appHealth' | 'stockGreeting' | 'appGreeting'>;
  readonly file: string;
  readonly route: string;
  readonly status: number;
  readonly request?: typeof GREETING;
  readonly env?: Record<string, string>;
}

/** Each figure's median over the rounds. */
function medianResult(results: readonly LoadResult[]): LoadResult {
  const of = (pick: (result: LoadResult) => number) => median(results.map(pick));
  return {
    requestsPerSecond: of((result) => result.requestsPerSecond),
    p50Ms: of((result) => result.p50Ms),
    p99Ms: of((result) => result.p99Ms),
    requests: of((result) => result.requests),
    cpuMicrosPerRequest: of((result) => result.cpuMicrosPerRequest),
  };
}

/** app ÷ baseline throughput within each round, where the two ran back to back under the same load. */
function pairedRatios(app: readonly LoadResult[], baseline: readonly LoadResult[]): number[] {
  return app.map((result, round) => result.requestsPerSecond / baseline[round].requestsPerSecond);
}

async function idleRss(file: string, env: Record<string, string>): Promise<number> {
  const target = await startTarget(file, env);
  try {
    await getStatus(`${target.origin}/api/health`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return residentMiB(target.pid);
  } finally {
    await target.stop();
  }
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0];
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-'));
  // POST /api/greetings stores each greeting; the stock setup stores it the same way, in the same database.
  const database = await startBenchDatabase();
  const storing = { DATABASE_URL: database.url };
  try {
    const { bundleBytes } = await bundleServer(outdir);
    const app = path.join(outdir, 'server.js');
    const raw = await bundleTarget(path.join(__dirname, 'targets', 'raw-http.ts'), outdir);
    const bare = await bundleTarget(path.join(__dirname, 'targets', 'bare-express.ts'), outdir);
    const stock = await bundleTarget(path.join(__dirname, 'targets', 'stock-express.ts'), outdir);

    const scenarios: Scenario[] = [
      { name: 'rawHealth', file: raw, route: '/api/health', status: 200 },
      { name: 'bareHealth', file: bare, route: '/api/health', status: 200 },
      { name: 'appHealth', file: app, route: '/api/health', status: 200, env: APP_ENV },
      { name: 'stockGreeting', file: stock, route: '/api/greetings', status: 201, request: GREETING, env: storing },
      {
        name: 'appGreeting',
        file: app,
        route: '/api/greetings',
        status: 201,
        request: GREETING,
        env: { ...APP_ENV, ...storing, ...RATE_LIMIT_ENV },
      },
    ];
    const runs = new Map<Scenario['name'], LoadResult[]>();
    for (let round = 1; round <= ROUNDS; round++) {
      // Every other round runs backwards, so no target always goes first within its pair.
      for (const scenario of round % 2 === 1 ? scenarios : [...scenarios].reverse()) {
        const target = await startTarget(scenario.file, scenario.env);
        try {
          const result = await load(target, scenario.route, PROFILE, scenario.status, scenario.request);
          console.log(
            `round ${round} ${scenario.name.padEnd(14)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s` +
              `  p99 ${result.p99Ms} ms  ${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/request`,
          );
          runs.set(scenario.name, [...(runs.get(scenario.name) ?? []), result]);
        } finally {
          await target.stop();
        }
      }
    }

    const startupMs: number[] = [];
    for (let start = 0; start < STARTS; start++) {
      startupMs.push(await timeToFirstOk(app, APP_ENV, await freePort()));
    }

    const results: BenchResults = {
      profile: PROFILE,
      rounds: ROUNDS,
      rawHealth: medianResult(runs.get('rawHealth')!),
      bareHealth: medianResult(runs.get('bareHealth')!),
      appHealth: medianResult(runs.get('appHealth')!),
      stockGreeting: medianResult(runs.get('stockGreeting')!),
      appGreeting: medianResult(runs.get('appGreeting')!),
      healthRatios: pairedRatios(runs.get('appHealth')!, runs.get('bareHealth')!),
      greetingRatios: pairedRatios(runs.get('appGreeting')!, runs.get('stockGreeting')!),
      startupMs,
      bundleBytes,
      appIdleRssMiB: await idleRss(app, APP_ENV),
      bareIdleRssMiB: await idleRss(bare, {}),
      loadAverage: [loadAtStart, os.loadavg()[0]],
    };
    const section = renderReport(results, new Date());
    console.log(`\n${section}\n`);
    // A project generated from the template may not have the file yet.
    const document = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '# Performance\n';
    mkdirSync(path.dirname(REPORT), { recursive: true });
    writeFileSync(REPORT, replaceSection(document, 'backend', section));
    console.log(`wrote ${path.relative(process.cwd(), REPORT)}`);
  } finally {
    await database.stop();
    rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
