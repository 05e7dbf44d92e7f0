// Measures three tool settings this repository chose for speed, each against the setting it replaced, in this
// working tree, and writes the figures into docs/performance.md between the tools markers. Not a test: run it by
// hand when the machine is otherwise idle, after `npm ci` and a build (lint and tsc read the packages' sources).
//
//   node packages/projen/bench/tool-times.mjs [--rounds <n>]
//
// Figures (wall and CPU seconds, CPU = user + system of the processes started):
//   - the lint of the monorepo, its type-aware rules in oxlint and the rest in eslint without a TypeScript program (the
//     lint task), against typescript-eslint's project service doing both (projen's default, one program per tsconfig);
//   - the app packages' type-check (backend, frontend, infra) with TypeScript 7's tsc against 6.0's;
//   - working out a task's PATH with TASK_PATH's `node -e` against projen's `npx -c`, 10 times in packages/infra.
// Baseline and candidate take turns within each round; the medians are reported. About 8 minutes on 2 cores (2026-12-02).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(options.rounds);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds must be a whole number ≥ 1; got ${options.rounds}`);

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const tasks = (dir) => JSON.parse(readFileSync(join(repoRoot, dir, '.projen', 'tasks.json'), 'utf8'));
const taskPath = tasks('.').env.PATH;
if (!taskPath.startsWith('$(node -e')) throw new Error(`the root tasks.json PATH is not TASK_PATH: ${taskPath}`);
const nativeCompile = (dir) => tasks(dir).tasks.compile.steps[0].exec;

const lintTask = tasks('.').tasks.lint.steps.map((step) => step.exec);
if (!lintTask[0]?.startsWith('oxlint ') || !lintTask[1]?.startsWith('eslint '))
  throw new Error(`the root lint task is not oxlint, then eslint: ${JSON.stringify(lintTask)}`);
const LINT = lintTask.map((command) => `npx ${command}`).join(' && ');
const ESLINT = `npx ${lintTask[1]}`;

// The lint as projen configures it: typescript-eslint's project service, one program per tsconfig, and the
// type-aware rules in eslint.
const eslintrc = JSON.parse(
  readFileSync(join(repoRoot, '.eslintrc.json'), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('//'))
    .join('\n'),
);
if (eslintrc.parserOptions.project || eslintrc.rules['@typescript-eslint/no-floating-promises'])
  throw new Error(`.eslintrc.json reads a TypeScript program: ${JSON.stringify(eslintrc.parserOptions)}`);
eslintrc.parserOptions.projectService = { allowDefaultProject: ['.projenrc.ts'], defaultProject: './tsconfig.json' };
eslintrc.rules['@typescript-eslint/no-floating-promises'] = 'error';
eslintrc.rules['@typescript-eslint/return-await'] = 'error';
// Under node_modules (ignored by git), so that eslint resolves the parser and plugins the config names from there.
mkdirSync(join(repoRoot, 'node_modules', '.cache'), { recursive: true });
const projectServiceConfig = join(
  mkdtempSync(join(repoRoot, 'node_modules', '.cache', 'tool-times-')),
  'eslintrc.json',
);
writeFileSync(projectServiceConfig, JSON.stringify(eslintrc));
const APP_PACKAGES = ['packages/backend', 'packages/frontend', 'packages/infra'];
const inEach = (commandOf) => APP_PACKAGES.map((dir) => `(cd ${dir} && ${commandOf(dir)})`).join(' && ');
const tenTimes = (command) => `cd packages/infra && for i in 1 2 3 4 5 6 7 8 9 10; do ${command} >/dev/null; done`;

const figures = [
  {
    label: 'lint, with the type-aware rules',
    before: [
      "typescript-eslint's project service: a program per tsconfig",
      `${ESLINT} --no-eslintrc -c ${projectServiceConfig}`,
    ],
    after: ['oxlint-tsgolint for those rules, eslint without a program (the lint task)', LINT],
  },
  {
    label: 'type-check of backend, frontend and infra',
    // By path: which package's bin node_modules/.bin/tsc links to depends on the install (both name it tsc).
    before: [
      'TypeScript 6.0 `tsc`',
      inEach(() => 'node ../../node_modules/typescript/bin/tsc --noEmit -p test/tsconfig.json'),
    ],
    after: ["TypeScript 7's tsc (the compile tasks)", inEach(nativeCompile)],
  },
  {
    label: "a task's PATH, worked out 10 times",
    before: ['`npx -c "node --print process.env.PATH"`', tenTimes('npx -c "node --print process.env.PATH"')],
    after: ['TASK_PATH (`node -e`)', tenTimes(taskPath.slice(2, -1))],
  },
];

/** Runs `command` in a shell; `times` reports the CPU its children used. */
function measure(command) {
  const begin = process.hrtime.bigint();
  const result = spawnSync('sh', ['-c', `${command} >/dev/null 2>&1 || exit 97; times`], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
  });
  const wall = Number(process.hrtime.bigint() - begin) / 1e9;
  if (result.status !== 0) throw new Error(`failed (exit ${result.status}): ${command}`);
  // `times` prints the shell's own user/system times, then its children's: "0m38.830s 0m2.680s".
  const seconds = (text) =>
    Number(
      text
        .match(/(\d+)m([\d.]+)s/)
        .slice(1, 3)
        .reduce((m, s) => m * 60 + Number(s)),
    );
  const [user, system] = result.stdout.trim().split('\n').at(-1).trim().split(/\s+/).map(seconds);
  return { wall, cpu: user + system };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const figure of figures) figure.runs = { before: [], after: [] };
for (let round = 1; round <= rounds; round++) {
  console.log(`round ${round} of ${rounds}`);
  for (const figure of figures) {
    for (const side of ['before', 'after']) {
      const run = measure(figure[side][1]);
      figure.runs[side].push(run);
      console.log(`  ${figure.label}, ${figure[side][0]}: ${run.wall.toFixed(2)} s wall, ${run.cpu.toFixed(2)} CPU-s`);
    }
  }
}

const show = (side, key) => median(side.map((run) => run[key])).toFixed(1);
const ratio = (figure, key) =>
  (median(figure.runs.after.map((run) => run[key])) / median(figure.runs.before.map((run) => run[key]))).toFixed(2);
const section = [
  '<!-- tools:start -->',
  `Measured by \`packages/projen/bench/tool-times.mjs\` on ${new Date().toISOString().slice(0, 10)} in this repository's`,
  `working tree: ${cpus().length} cores, Node ${process.version}; ${rounds} round(s), the two settings taking turns;`,
  'medians. CPU is user + system time of the processes each command started.',
  '',
  '| figure | before | after | wall before → after (s) | CPU before → after (s) | CPU ÷ before |',
  '|---|---|---|---:|---:|---:|',
  ...figures.map(
    (f) =>
      `| ${f.label} | ${f.before[0]} | ${f.after[0]} | ${show(f.runs.before, 'wall')} → ${show(f.runs.after, 'wall')} | ` +
      `${show(f.runs.before, 'cpu')} → ${show(f.runs.after, 'cpu')} | ${ratio(f, 'cpu')}× |`,
  ),
  '',
  'Rerun: `node packages/projen/bench/tool-times.mjs` at the root after a build, or `npx projen bench:tools` in',
  'packages/projen; `--rounds <n>` (3 by default).',
  '<!-- tools:end -->',
].join('\n');

const doc = join(repoRoot, 'docs', 'performance.md');
const text = readFileSync(doc, 'utf8');
const markers = /<!-- tools:start -->[\s\S]*<!-- tools:end -->/;
if (!markers.test(text))
  throw new Error('docs/performance.md has no <!-- tools:start --> ... <!-- tools:end --> section');
writeFileSync(doc, text.replace(markers, section));
console.log(`${section}\ndocs/performance.md updated`);
