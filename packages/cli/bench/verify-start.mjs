// `npx projen bench` in packages/cli: how long the pipeline's verification step takes from starting
// `slipway verify` to its first line of output, run as the step runs it (the single-file bundle, node alone)
// and as it ran before (the package's compiled CLI through npx), against `node` printing one line, measured
// in the same run. Rewrites the verify section of docs/performance.md.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PERFORMANCE_DOC = path.resolve(PACKAGE_DIR, '..', '..', 'docs', 'performance.md');
const BUNDLE = path.join(PACKAGE_DIR, 'lib', 'slipway-verify.js');
const ROUNDS = 15;
const BUDGET_MS = 1000;

// The arguments the pipeline passes, minus the smoke test; the first line is printed before any AWS call.
const VERIFY_ARGS = ['verify', '--region', 'eu-west-1', '--cluster', 'bench', '--service', 'backend', '--timeout', '5'];
// No real AWS: credentials are fake and ECS is a closed loopback port; the process is stopped at its first line.
const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:9',
  AWS_EC2_METADATA_DISABLED: 'true',
  NODE_NO_WARNINGS: '1',
};

const TARGETS = [
  { name: '`node -e` printing one line (baseline)', command: process.execPath, args: ['-e', "console.log('ready')"] },
  {
    name: '**bundle**: `node slipway-verify.js verify …` (the step now)',
    command: process.execPath,
    args: [BUNDLE, ...VERIFY_ARGS],
  },
  {
    name: 'unbundled: `npx slipway verify …` after `npm ci` (the step before)',
    command: 'npx',
    args: ['--no-install', 'slipway', ...VERIFY_ARGS],
  },
];

/** Milliseconds from spawning the process to its first byte on stdout or stderr; the process is then stopped. */
function firstOutput(target) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(target.command, target.args, { cwd: PACKAGE_DIR, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(Number(process.hrtime.bigint() - started) / 1e6);
      child.kill('SIGKILL');
    };
    child.stdout.once('data', finish);
    child.stderr.once('data', finish);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!done) reject(new Error(`${target.name} exited ${code} without output`));
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npx projen compile in packages/cli first.`);
  const times = TARGETS.map(() => []);
  for (const target of TARGETS) await firstOutput(target); // warm-up: file cache, npx's lookup
  for (let round = 0; round < ROUNDS; round += 1) {
    // Every other round in reverse order, so drift in what else the machine does hits every target alike.
    const order = round % 2 ? [...TARGETS.keys()].reverse() : [...TARGETS.keys()];
    for (const index of order) times[index].push(await firstOutput(TARGETS[index]));
  }
  const medians = times.map(median);
  const baseline = medians[0];
  const bundleMs = medians[1];
  const date = new Date().toISOString().slice(0, 10);
  const rows = TARGETS.map(
    (target, index) =>
      `| ${target.name} | ${medians[index].toFixed(0)} ms | ${(medians[index] / baseline).toFixed(1)}× | ${Math.min(...times[index]).toFixed(0)}–${Math.max(...times[index]).toFixed(0)} ms |`,
  );
  const section = [
    '## Pipeline verification step',
    `Measured by \`packages/cli/bench/verify-start.mjs\` (\`npx projen bench\` in packages/cli) on ${date}:`,
    `${cpus().length} cores (${cpus()[0].model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; median of ${ROUNDS} runs each after one warm-up, targets interleaved.`,
    '',
    'From starting the process to its first line of output (`Verifying backend in ECS cluster …`, printed after the',
    'whole CLI has loaded and before any AWS call):',
    '',
    '| how | start → first output | ÷ baseline | range |',
    '|---|---:|---:|---|',
    ...rows,
    '',
    `The bundle (\`lib/slipway-verify.js\`, verify, the ECS client and CDK's cloud-assembly reader, minified) is ${(statSync(BUNDLE).size / 1024).toFixed(0)} KiB;`,
    "the synth step copies it into the cloud assembly, the verification steps' input, so they install nothing.",
    `Before, each verification step first ran \`npm ci\` of the whole monorepo (22 s with a warm cache, see Foundation above; more on a cold CodeBuild host).`,
    '',
    `| check | measured | target | met |`,
    '|---|---:|---:|---|',
    `| bundle, start → first output | ${bundleMs.toFixed(0)} ms | ≤ ${BUDGET_MS} ms | ${bundleMs <= BUDGET_MS ? 'yes' : 'no'} |`,
  ].join('\n');
  const document = readFileSync(PERFORMANCE_DOC, 'utf8');
  const pattern = /<!-- verify:start -->[\s\S]*?<!-- verify:end -->/;
  const block = `<!-- verify:start -->\n${section}\n<!-- verify:end -->`;
  writeFileSync(
    PERFORMANCE_DOC,
    pattern.test(document) ? document.replace(pattern, block) : `${document.trimEnd()}\n\n${block}\n`,
  );
  console.log(section);
  if (bundleMs > BUDGET_MS) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
