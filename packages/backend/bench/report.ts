import * as os from 'node:os';
import type { LoadProfile, LoadResult } from './harness';

/** Everything one bench run measured. */
export interface BenchResults {
  readonly profile: LoadProfile;
  readonly rounds: number;
  readonly rawHealth: LoadResult;
  readonly bareHealth: LoadResult;
  readonly appHealth: LoadResult;
  readonly stockGreeting: LoadResult;
  readonly appGreeting: LoadResult;
  /** this app ÷ bare Express on /api/health, per round. */
  readonly healthRatios: readonly number[];
  /** this app ÷ the stock setup on POST /api/greetings, per round. */
  readonly greetingRatios: readonly number[];
  readonly startupMs: readonly number[];
  readonly bundleBytes: number;
  readonly appIdleRssMiB: number;
  readonly bareIdleRssMiB: number;
  /** The 1-minute load average when the run started and when it ended: how busy the machine was. */
  readonly loadAverage: readonly [number, number];
}

/** A figure with the bound the issue sets for it. */
interface Check {
  readonly name: string;
  readonly value: string;
  readonly target: string;
  readonly met: boolean;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The checks the issue sets, evaluated on `results`. */
export function checks(results: BenchResults): Check[] {
  const healthRatio = median(results.healthRatios);
  const greetingRatio = median(results.greetingRatios);
  // The same comparison by server CPU per request (baseline ÷ app): the figure to trust on a busy machine.
  const healthCpuRatio = results.bareHealth.cpuMicrosPerRequest / results.appHealth.cpuMicrosPerRequest;
  const greetingCpuRatio = results.stockGreeting.cpuMicrosPerRequest / results.appGreeting.cpuMicrosPerRequest;
  const startup = median(results.startupMs);
  const bundleMB = results.bundleBytes / 1_000_000;
  return [
    {
      name: 'this app ÷ bare Express 5, GET /api/health, req/s',
      value: `${healthRatio.toFixed(2)}× (by CPU: ${healthCpuRatio.toFixed(2)}×)`,
      target: '≥ 0.9×',
      met: healthRatio >= 0.9,
    },
    {
      name: 'this app ÷ stock setup, POST /api/greetings, req/s',
      value: `${greetingRatio.toFixed(2)}× (by CPU: ${greetingCpuRatio.toFixed(2)}×)`,
      target: '≥ 1.3×',
      met: greetingRatio >= 1.3,
    },
    {
      name: 'start → first 200 on /api/health (median)',
      value: `${startup.toFixed(0)} ms`,
      target: '≤ 200 ms',
      met: startup <= 200,
    },
    { name: 'bundle dist/server.js', value: `${bundleMB.toFixed(2)} MB`, target: '≤ 1.5 MB', met: bundleMB <= 1.5 },
    {
      name: 'idle RSS after start',
      value: `${results.appIdleRssMiB.toFixed(1)} MiB`,
      target: '≤ 60 MB',
      met: results.appIdleRssMiB * 1.048576 <= 60,
    },
  ];
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function throughputRow(target: string, route: string, result: LoadResult, ceiling: LoadResult): string {
  return row([
    target,
    route,
    result.requestsPerSecond.toFixed(0),
    `${(result.requestsPerSecond / ceiling.requestsPerSecond).toFixed(2)}×`,
    String(result.p50Ms),
    String(result.p99Ms),
    result.cpuMicrosPerRequest.toFixed(0),
  ]);
}

/** The markdown of the backend section of docs/performance.md. */
export function renderReport(results: BenchResults, date: Date): string {
  const cpu = os.cpus();
  const { profile } = results;
  const table = checks(results);
  const missed = table.filter((check) => !check.met);
  return [
    '## Backend API',
    '',
    `Measured ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`packages/backend/bench/run.ts\` (\`npx projen bench\` in`,
    `packages/backend) on ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()};`,
    `1-minute load average ${results.loadAverage[0].toFixed(1)} at the start, ${results.loadAverage[1].toFixed(1)} at the end (other work shared the machine when above 0).`,
    '',
    "Every target is bundled with the app's esbuild settings and runs as its own `node` process on loopback with",
    'NODE_ENV=production, its stdout piped to a separate process that reads and drops it (as a container runtime',
    "reads a container's output). On POST /api/greetings both targets store each greeting in the bench's own",
    'PostgreSQL: an in-memory, migrated PGlite in a process of its own (dev/database-process.ts), which runs one',
    'query at a time, so it bounds both. The app runs with `GREETINGS_RATE_LIMIT=1000000`: its limiter counts every',
    'request, as in production, and never answers 429 to the one address all the load comes from.',
    `autocannon sends ${profile.connections} connections for ${profile.durationSeconds} s after a ${profile.warmupSeconds} s warm-up;`,
    `targets take turns over ${results.rounds} rounds, every other round in reverse order. Figures are medians over the`,
    'rounds; each ratio is the median of the ratios within a round, where the two targets ran back to back, which',
    'cancels most of the drift in what else the machine is doing. A run fails if any response has an unexpected status,',
    'so a fast error cannot pass for a fast route.',
    '',
    row(['target', 'route', 'req/s', '÷ node:http', 'p50 ms', 'p99 ms', 'server CPU µs/req²']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:']),
    throughputRow('node:http (ceiling)', 'GET /api/health', results.rawHealth, results.rawHealth),
    throughputRow('bare Express 5', 'GET /api/health', results.bareHealth, results.rawHealth),
    throughputRow('**this app**', 'GET /api/health', results.appHealth, results.rawHealth),
    throughputRow('stock setup¹', 'POST /api/greetings', results.stockGreeting, results.rawHealth),
    throughputRow('**this app**', 'POST /api/greetings', results.appGreeting, results.rawHealth),
    '',
    '¹ express + `helmet()` + `pinoHttp()` with defaults + `express.json()` on every route, same zod schema, the same',
    'INSERT through a pg pool of the same size, same response (bench/targets/stock-express.ts).',
    '² CPU time (user + system) the target process used during the measured run, divided by the requests it served:',
    'steadier than req/s when other work shares the machine.',
    '',
    row(['check', 'measured', 'target', 'met']),
    row(['---', '---:', '---:', '---']),
    ...table.map((check) => row([check.name, check.value, check.target, check.met ? 'yes' : '**no**'])),
    '',
    `Ratios per round: /api/health ${results.healthRatios.map((ratio) => ratio.toFixed(2)).join(', ')};`,
    `POST /api/greetings ${results.greetingRatios.map((ratio) => ratio.toFixed(2)).join(', ')}.`,
    '',
    'On /api/health this app does what bare Express does plus six security headers and an `X-Request-Id` on every',
    'response; it skips the ETag hash and `X-Powered-By` that bare Express adds. On POST /api/greetings the difference',
    'from the stock setup is one short access log line instead of serialized request and response objects, and a JSON',
    'reader on that route only instead of express.json() on every route (see docs/backend.md, Performance).',
    '',
    `Start → first 200: ${results.startupMs.map((ms) => ms.toFixed(0)).join(', ')} ms over ${results.startupMs.length} cold starts of`,
    '`node dist/server.js`, polling every 2 ms. Idle RSS: after start and one request, one second idle; bare Express 5',
    `measured the same way uses ${results.bareIdleRssMiB.toFixed(1)} MiB.`,
    '',
    missed.length === 0 ? 'Every target above is met.' : `Not met: ${missed.map((check) => check.name).join('; ')}.`,
  ].join('\n');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`, or appends the marked section. */
export function replaceSection(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from === -1 || to < from) {
    return `${document.trimEnd()}\n\n${start}\n${content}\n${end}\n`;
  }
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`;
}
