import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import * as path from 'node:path';
// eslint-disable-next-line import/no-extraneous-dependencies -- projen is the repository root's dev dependency; the bench builds a stock projen app with it
import { awscdk } from 'projen';

/**
 * Times `npx projen synth` of this CDK app (every environment and the
 * pipeline, esbuild bundle + node) against the same task of a stock projen
 * AWS CDK app (the awscdk-app-ts sample stack, `cdk synth` through ts-node),
 * built in a temporary folder and measured in the same run, then rewrites the
 * synth section of docs/performance.md.
 *
 *   npx projen bench            (in packages/infra)
 *   RUNS=5 npx projen bench     (more runs for a steadier median)
 */

const PACKAGE_DIR = path.join(__dirname, '..');
const REPOSITORY_ROOT = path.join(PACKAGE_DIR, '..', '..');
const PERFORMANCE_DOC = path.join(REPOSITORY_ROOT, 'docs', 'performance.md');
const RUNS = Number(process.env.RUNS ?? 3);
/** The ratio the issue asks for: Slipway's synth at most 0.4 × the stock app's. */
const TARGET_RATIO = 0.4;
const PROJEN = path.join(REPOSITORY_ROOT, 'node_modules', '.bin', 'projen');
// The CDK CLI would otherwise try to fetch notices and check its version over the network.
const CLI_ENV = { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', NO_COLOR: '1' };

/** A stock `projen new awscdk-app-ts` project, written without installing: it borrows this repository's node_modules. */
function createStockApp(): string {
  const outdir = mkdtempSync(path.join(tmpdir(), 'stock-cdk-app-'));
  const cdkVersion = JSON.parse(readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;
  const previous = process.env.PROJEN_DISABLE_POST;
  process.env.PROJEN_DISABLE_POST = 'true';
  try {
    const project = new awscdk.AwsCdkTypeScriptApp({
      name: 'stock-cdk-app',
      outdir,
      defaultReleaseBranch: 'main',
      cdkVersion,
      github: false,
    });
    project.synth();
  } finally {
    if (previous === undefined) delete process.env.PROJEN_DISABLE_POST;
    else process.env.PROJEN_DISABLE_POST = previous;
  }
  // Same notices switch as above, in the place the CLI reads it.
  const cdkJson = path.join(outdir, 'cdk.json');
  writeFileSync(cdkJson, JSON.stringify({ ...JSON.parse(readFileSync(cdkJson, 'utf8')), notices: false }, null, 2));
  symlinkSync(path.join(REPOSITORY_ROOT, 'node_modules'), path.join(outdir, 'node_modules'), 'dir');
  return outdir;
}

/** Wall-clock seconds of `projen synth` in `cwd`; throws with the output when it fails. */
function timeSynth(cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const started = performance.now();
  const result = spawnSync(PROJEN, ['synth'], { cwd, env: { ...CLI_ENV, ...env }, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`projen synth failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  return seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function main(): void {
  const stock = createStockApp();
  const stockTimes: number[] = [];
  const slipwayTimes: number[] = [];
  const validatedTimes: number[] = [];
  try {
    // One untimed run each warms the file cache and tsx/ts-node caches alike.
    timeSynth(stock);
    timeSynth(PACKAGE_DIR);
    for (let run = 1; run <= RUNS; run++) {
      stockTimes.push(timeSynth(stock));
      slipwayTimes.push(timeSynth(PACKAGE_DIR));
      validatedTimes.push(timeSynth(PACKAGE_DIR, { CDK_VALIDATION: 'true' }));
      console.log(
        `run ${run}/${RUNS}: stock ${stockTimes.at(-1)!.toFixed(1)}s, slipway ${slipwayTimes.at(-1)!.toFixed(1)}s, slipway with CDK_VALIDATION=true ${validatedTimes.at(-1)!.toFixed(1)}s`,
      );
    }
  } finally {
    rmSync(stock, { recursive: true, force: true });
  }
  const ratio = median(slipwayTimes) / median(stockTimes);
  const section = [
    '## CDK synth',
    `Measured by \`packages/infra/bench/synth.ts\` (\`npx projen bench\` in packages/infra) on ${new Date().toISOString().slice(0, 10)}, ` +
      `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; median of ${RUNS} runs after one warm-up run each.`,
    '',
    '| synth | what runs | median | runs |',
    '|---|---|---:|---|',
    `| stock projen AWS CDK app (awscdk-app-ts sample: one empty stack) | \`projen synth\` → \`cdk synth\` → ts-node type-checks and runs src/main.ts | ${median(stockTimes).toFixed(1)} s | ${stockTimes.map((t) => t.toFixed(1)).join(', ')} |`,
    `| Slipway infra (dev + prod stages, pipeline, both cdk-nag packs) | \`projen synth\` → esbuild bundle → \`node lib/synth.js\` | ${median(slipwayTimes).toFixed(1)} s | ${slipwayTimes.map((t) => t.toFixed(1)).join(', ')} |`,
    `| the same with CDK's built-in CloudFormation validation on (\`CDK_VALIDATION=true\`) | as above | ${median(validatedTimes).toFixed(1)} s | ${validatedTimes.map((t) => t.toFixed(1)).join(', ')} |`,
    '',
    `Ratio: **${ratio.toFixed(2)}** × the stock app (target ≤ ${TARGET_RATIO}): ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}.`,
    '',
    'Why it is faster although it synthesizes far more: esbuild transpiles without type-checking (`compile` type-checks once, in the build); ' +
      "`synth` writes the cloud assembly in-process instead of starting the CDK CLI; and it leaves out CDK's built-in CloudFormation " +
      'template validation, which only ever warns and whose WebAssembly engine takes seconds to start (the third row). That validation ' +
      'is not lost: `test/app.test.ts` runs it over the whole app and fails on any finding, and every `cdk deploy` and `cdk diff` runs it.',
  ].join('\n');
  const document = readFileSync(PERFORMANCE_DOC, 'utf8');
  const pattern = /<!-- synth:start -->[\s\S]*?<!-- synth:end -->/;
  if (!pattern.test(document)) {
    throw new Error(`${PERFORMANCE_DOC} has no <!-- synth:start --> ... <!-- synth:end --> section`);
  }
  writeFileSync(PERFORMANCE_DOC, document.replace(pattern, `<!-- synth:start -->\n${section}\n<!-- synth:end -->`));
  console.log(`\n${section}\n\nwrote ${path.relative(process.cwd(), PERFORMANCE_DOC)}`);
  if (ratio > TARGET_RATIO) process.exitCode = 1;
}

main();
