// Measures how long the tests take, for this commit and a baseline commit, each
// in a fresh clone with a warm npm cache, and writes the figures, their goals
// and the ratio to the baseline into docs/performance.md between the tests
// markers. Not a test: run it by hand when the machine is otherwise idle.
//
//   node packages/projen/bench/test-times.mjs [--baseline <ref>] [--rounds <n>] [--no-template] [--ci]
//
// Figures:
//   - the root `npx projen test` (every package's tests, the generated docs, lint), after a compile;
//   - a generated project's `npx projen build`, timed inside `npx projen test:template`;
//   - with --ci only: `bash .ci/run` in a fresh clone (about 15 minutes per commit before this change).
// The two commits take turns within each round, so drift in what else the machine does hits both alike.
// Takes about 25 minutes with the defaults on 2 cores (two clones: install and compile, then a root test
// and a template build each); --no-template leaves the template out (about 10 minutes).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Where the tests stood before they were made fast (issue 11, section 4). */
const DEFAULT_BASELINE = 'ca906f5';
const GOALS = { test: 120, template: 90, ci: 7 * 60 };

const { values: options } = parseArgs({
  options: {
    baseline: { type: 'string', default: DEFAULT_BASELINE },
    rounds: { type: 'string', default: '1' },
    'no-template': { type: 'boolean', default: false },
    ci: { type: 'boolean', default: false },
  },
});
const rounds = Number(options.rounds);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds must be a whole number ≥ 1; got ${options.rounds}`);

// With CI=true the backend's tests require the real PostgreSQL and Redis that .ci/run starts (and refuse to pass
// quietly without them); the baseline ignores them.
for (const name of ['TEST_DATABASE_URL', 'TEST_REDIS_URL']) {
  if (!process.env[name]) {
    console.error(
      `${name} is not set: start PostgreSQL and Redis on loopback as .ci/run does and export TEST_DATABASE_URL and ` +
        'TEST_REDIS_URL, then rerun. (--ci runs .ci/run itself, which starts its own.)',
    );
    process.exit(2);
  }
}

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const git = (args, cwd = repoRoot) => spawnSync('git', args, { cwd, encoding: 'utf8' }).stdout.trim();
const env = { ...process.env, CI: 'true' };

function run(label, cmd, args, cwd) {
  const begin = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', env, maxBuffer: 256 * 2 ** 20 });
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  if (result.status !== 0) {
    process.stderr.write(result.stdout.slice(-4000) + result.stderr.slice(-4000));
    throw new Error(`${label} failed in ${cwd} (exit ${result.status})`);
  }
  console.log(`  ${label}: ${seconds.toFixed(1)} s`);
  return { seconds, output: result.stdout + result.stderr };
}

/** A clone of `ref` with its dependencies installed and every package compiled, ready to test. */
function prepare(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-test-times-'));
  console.log(`${ref}: cloning into ${dir}`);
  run('git clone', 'git', ['clone', '-q', repoRoot, dir], repoRoot);
  run('git checkout', 'git', ['checkout', '-q', ref], dir);
  run('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], dir);
  for (const task of ['pre-compile', 'compile', 'post-compile']) run(`projen ${task}`, 'npx', ['projen', task], dir);
  return dir;
}

/** The generated project's build, from the step times template-e2e.mjs prints (`=== <title> (<s>s)`). */
function generatedBuildSeconds(output) {
  const at = (title) => {
    const match = output.match(new RegExp(`^=== ${title}[^\\n]*\\((\\d+)s\\)$`, 'm'));
    if (!match) throw new Error(`template e2e output lacks the step "${title}"`);
    return Number(match[1]);
  };
  // The build is the step between these two.
  return at('the Fargate contract check') - at('npx projen build in the generated project');
}

const head = git(['rev-parse', '--short', 'HEAD']);
const baseline = git(['rev-parse', '--short', options.baseline]);
const refs = { baseline, current: head };
const figures = { baseline: { test: [], template: [], ci: [] }, current: { test: [], template: [], ci: [] } };
/** How many tests the root `npx projen test` ran, per commit (jest's `Tests: … N total` line of each package). */
const testCounts = { baseline: undefined, current: undefined };
function countTests(output) {
  return [...output.matchAll(/^Tests:.* (\d+) total$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}
const loadAtStart = loadavg()[0];
const clones = [];
try {
  const dirs = {};
  for (const [which, ref] of Object.entries(refs)) {
    dirs[which] = prepare(ref);
    clones.push(dirs[which]);
  }
  for (let round = 1; round <= rounds; round++) {
    // Every other round in reverse order: neither commit always goes first.
    const order = round % 2 === 1 ? ['baseline', 'current'] : ['current', 'baseline'];
    console.log(`round ${round} of ${rounds}`);
    for (const which of order) {
      const { seconds, output } = run(`${refs[which]} npx projen test`, 'npx', ['projen', 'test'], dirs[which]);
      figures[which].test.push(seconds);
      testCounts[which] = countTests(output);
    }
    if (!options['no-template']) {
      for (const which of order) {
        const { output } = run(
          `${refs[which]} npx projen test:template`,
          'npx',
          ['projen', 'test:template'],
          dirs[which],
        );
        const seconds = generatedBuildSeconds(output);
        console.log(`  ${refs[which]} generated project's npx projen build: ${seconds} s`);
        figures[which].template.push(seconds);
      }
    }
    if (options.ci) {
      for (const which of order) {
        // .ci/run from a fresh clone, as CI runs it: npm ci (warm cache), build, tests, template.
        const dir = mkdtempSync(join(tmpdir(), 'slipway-test-times-ci-'));
        clones.push(dir);
        run('git clone', 'git', ['clone', '-q', repoRoot, dir], repoRoot);
        run('git checkout', 'git', ['checkout', '-q', refs[which]], dir);
        figures[which].ci.push(run(`${refs[which]} bash .ci/run`, 'bash', ['.ci/run'], dir).seconds);
      }
    }
  }
} finally {
  for (const dir of clones) rmSync(dir, { recursive: true, force: true });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const rows = [
  ['test', "this repository's `npx projen test` (every package's tests, docs, lint)", 's'],
  ['template', "a generated project's `npx projen build` (what the pipeline's Synth step runs)", 's'],
  ['ci', '`bash .ci/run` on a fresh clone, warm npm cache', 'min'],
].filter(([key]) => figures.current[key].length > 0);
const show = (seconds, unit) => (unit === 'min' ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(0)} s`);
const machine = `${cpus().length} cores (${cpus()[0].model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const lines = [
  '<!-- tests:start -->',
  '## Test times',
  '',
  `Measured by \`packages/projen/bench/test-times.mjs\` on ${new Date().toISOString().slice(0, 10)}: commit ${head} against`,
  `baseline ${baseline}, each in a fresh clone with a warm npm cache (CI=true), ${machine}; ${rounds} round(s), the`,
  `commits taking turns; median wall times. 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end.`,
  '',
  `| figure | goal | baseline ${baseline} | ${head} | ÷ baseline | met |`,
  '|---|---:|---:|---:|---:|---|',
  ...rows.map(([key, label, unit]) => {
    const before = median(figures.baseline[key]);
    const after = median(figures.current[key]);
    return `| ${label} | ≤ ${show(GOALS[key], unit)} | ${show(before, unit)} | ${show(after, unit)} | ${(after / before).toFixed(2)}× | ${after <= GOALS[key] ? 'yes' : 'no'} |`;
  }),
  '',
  ...(testCounts.baseline && testCounts.current
    ? [
        `The root \`npx projen test\` ran ${testCounts.baseline} tests at ${baseline} and ${testCounts.current} at ${head}`,
        `(${(testCounts.current / testCounts.baseline).toFixed(2)}×: the capabilities added since came with their tests). Per test,`,
        `${head} takes ${(median(figures.current.test) / testCounts.current / (median(figures.baseline.test) / testCounts.baseline)).toFixed(2)}× the baseline's time.`,
        '',
      ]
    : []),
  "What makes them fast (see [project-type.md](project-type.md#how-the-tests-run)): aws-cdk-lib's built-in",
  'CloudFormation validation is off in unit tests (`CDK_VALIDATION=false` on the test tasks; its WebAssembly engine',
  'started again in every test file) and runs over the whole app in one test, packages/infra/test/app.test.ts;',
  '@swc/jest transpiles instead of ts-jest (tsc type-checks in `compile`); the packages test side by side, one per core,',
  'each jest on one worker, with the lint and then the docs beside them; coverage instruments',
  "the packages' own files (istanbul) instead of V8 profiling all of aws-cdk-lib in every test file; jest's runtime",
  'compiles each module once per worker instead of once per test file (`@slipway/projen/lib/jest-runtime`);',
  '`compile` and `post-compile` run one package per core; the app',
  "packages type-check with TypeScript 7's native tsc; tasks get npm's PATH from one `node -e` instead of `npx -c`;",
  "the lint's two type-aware rules run in oxlint on TypeScript 7's typescript-go (oxlint-tsgolint) and eslint builds no",
  'TypeScript program; `projen new` lints only the .projenrc.ts it wrote; the Fargate contract checks,',
  "which mostly wait for each backend's 15 s drain, run beside other work (`test:all`: this repository's beside the",
  "template test; the template test: the generated project's beside its last steps); the tests' PGlites and the",
  "whole-app validation compile their WebAssembly with V8's baseline compiler only; the CDK packages' unit tests",
  'record no creation stack traces (`aws:cdk:disable-creation-stack-traces`, jest formats each one); the construct',
  "library's tests import the folder they test, not the package's entry point, which loaded every folder and most of",
  'aws-cdk-lib into each test file. Each test file',
  'also gets a temporary directory of its own, removed after it, which costs a little (`@slipway/projen/lib/jest-environment`).',
  '',
  'Rerun (about 25 minutes on 2 cores, with TEST_DATABASE_URL and TEST_REDIS_URL set as .ci/run sets them):',
  '`node packages/projen/bench/test-times.mjs` at the root, or `npx projen bench:tests` in packages/projen.',
  '`--ci` adds `.ci/run` (about 6 to 9 more minutes per commit and round),',
  '`--no-template` leaves the generated project out, `--baseline <ref>` and `--rounds <n>` pick the comparison.',
  '',
  'Runs (s): ' +
    rows
      .map(
        ([key]) =>
          `${key} ${figures.baseline[key].map((s) => s.toFixed(0)).join('/')} → ${figures.current[key].map((s) => s.toFixed(0)).join('/')}`,
      )
      .join('; ') +
    '.',
  '<!-- tests:end -->',
];
const doc = join(repoRoot, 'docs', 'performance.md');
const text = readFileSync(doc, 'utf8');
const section = lines.join('\n');
writeFileSync(
  doc,
  text.includes('<!-- tests:start -->')
    ? text.replace(/<!-- tests:start -->[\s\S]*<!-- tests:end -->/, section)
    : `${text.trimEnd()}\n\n${section}\n`,
);
console.log(section);
console.log('docs/performance.md updated');
