// End-to-end test of the template, as a user meets it: pack @slipway/projen,
// @slipway/constructs and @slipway/cli, run `projen new --from` with them in a fresh git repo,
// build the generated project, and check that a second `npx projen` changes
// nothing. Run by CI (`npx projen test:template` at the root); takes minutes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'slipway-template-e2e-'));
const started = Date.now();

function step(title) {
  console.log(`\n=== ${title} (${((Date.now() - started) / 1000).toFixed(0)}s)`);
}

function run(cmd, args, cwd, env = {}) {
  console.log(`$ ${[cmd, ...args].join(' ')}   (in ${cwd})`);
  const result = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    throw new Error(`"${[cmd, ...args].join(' ')}" failed in ${cwd} with exit code ${result.status}`);
  }
}

/**
 * Starts a command and returns at once; the promise settles when it ends, with its exit code and everything it
 * printed (stdout and stderr, in order), so that its output can follow the steps that ran beside it in one piece.
 */
function start(cmd, args, cwd) {
  console.log(`$ ${[cmd, ...args].join(' ')}   (in ${cwd}, beside the steps below)`);
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks = [];
  child.stdout.on('data', (chunk) => chunks.push(chunk));
  child.stderr.on('data', (chunk) => chunks.push(chunk));
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ status: null, output: `${error.message}\n` }));
    child.on('close', (status) => resolve({ status, output: Buffer.concat(chunks).toString() }));
  });
}

function output(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8' }).trim();
}

function pack(dir) {
  const pkgDir = join(repoRoot, dir);
  if (!existsSync(join(pkgDir, 'lib'))) {
    throw new Error(`${dir}/lib is missing: build the monorepo first (npx projen build at the root)`);
  }
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  const name = output('npm', ['pack', '--silent', '--pack-destination', tarballs], pkgDir).split('\n').pop();
  return join(tarballs, name);
}

/** The app's identity given to `projen new`, and what the generated project must then say. */
const APP_NAME = 'shop';
const IDENTITY_ARGS = ['--app-name', APP_NAME, '--aws-region', 'us-east-2', '--prod-domain', 'shop.acme.io'];

/** Every `stackName` in the cloud assembly's manifests (the pipeline stack's and each stage's). */
function stackNames(assemblyDir) {
  const names = [];
  for (const entry of readdirSync(assemblyDir, { recursive: true })) {
    if (!String(entry).endsWith('manifest.json')) continue;
    const manifest = JSON.parse(readFileSync(join(assemblyDir, String(entry)), 'utf8'));
    for (const artifact of Object.values(manifest.artifacts ?? {})) {
      if (artifact.type === 'aws:cloudformation:stack') names.push(artifact.properties?.stackName);
    }
  }
  return names.sort();
}

/** Relative links of the project's tracked Markdown files whose target does not exist. */
function brokenLinks(dir) {
  const broken = [];
  for (const file of output('git', ['ls-files', '*.md'], dir).split('\n').filter(Boolean)) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const path = target.split('#')[0];
      if (!existsSync(resolve(dir, dirname(file), path))) broken.push(`${file} → ${target}`);
    }
  }
  return broken;
}

let failed = false;
/** The generated project's Fargate contract check while it runs beside the later steps. */
let contractCheck;

/** Waits for the contract check, prints what it said, and fails the test if it failed. Once only. */
async function endContractCheck() {
  if (!contractCheck) return;
  const pending = contractCheck;
  contractCheck = undefined;
  step('the Fargate contract check ended; what it printed:');
  const { status, output: said } = await pending;
  process.stdout.write(said);
  if (status !== 0) throw new Error(`"npx projen test:fargate" failed in the generated project with exit code ${status}`);
}

try {
  step('pack @slipway/projen, @slipway/constructs and @slipway/cli');
  run('node', ['scripts/copy-samples.mjs'], join(repoRoot, 'packages/projen'));
  const projenTgz = pack('packages/projen');
  const constructsTgz = pack('packages/constructs');
  const cliTgz = pack('packages/cli');

  step('projen new --from the packed project type');
  const app = join(work, 'my-app');
  mkdirSync(app);
  run('git', ['init', '-q', '-b', 'main'], app);
  run('git', ['config', 'user.email', 'e2e@slipway.test'], app);
  run('git', ['config', 'user.name', 'Slipway e2e'], app);
  // projen new installs with `npm ci` when CI is set, and a new project has no lock file yet.
  const noCi = { CI: '' };
  // projen accepts only <name>@file:<absolute path> here (projen#1862).
  run(
    'npx',
    [
      '-y',
      'projen@0.103',
      'new',
      '--from',
      `@slipway/projen@file:${projenTgz}`,
      '--constructs-dependency',
      `@slipway/constructs@file:${constructsTgz}`,
      '--cli-dependency',
      `@slipway/cli@file:${cliTgz}`,
      // An identity other than the directory's name and this repository's; accounts and repository left to
      // their placeholders, which deploying must refuse.
      ...IDENTITY_ARGS,
    ],
    app,
    noCi,
  );

  step('the generated project has the same top level as the Slipway repository');
  const expected = ['.projenrc.ts', 'packages', 'environments', '.github', 'docs', 'package.json', 'tsconfig.json', 'README.md'];
  const entries = readdirSync(app);
  const missing = expected.filter((e) => !entries.includes(e));
  if (missing.length > 0) throw new Error(`generated project lacks ${missing.join(', ')}; it has ${entries.join(', ')}`);
  for (const pkg of ['backend', 'frontend', 'infra']) {
    if (!existsSync(join(app, 'packages', pkg, 'src'))) throw new Error(`packages/${pkg}/src was not generated`);
  }
  const nested = readdirSync(join(app, 'packages')).filter((pkg) => existsSync(join(app, 'packages', pkg, 'node_modules', 'aws-cdk-lib')));
  if (nested.length > 0) throw new Error(`aws-cdk-lib was installed twice, in packages ${nested.join(', ')}`);
  console.log(`top level: ${entries.sort().join(' ')}`);
  // The root's ops tasks (cost, diagram, docs) call `slipway`, which infra's @slipway/cli dependency provides.
  if (!existsSync(join(app, 'node_modules', '.bin', 'slipway'))) throw new Error('node_modules/.bin/slipway is missing: @slipway/cli was not installed');

  step('npx projen build in the generated project');
  run('npx', ['projen', 'build'], app);

  // Most of the check's half minute is waiting (each backend's stop takes its 15 s drain), so the steps below run
  // beside it; none of them writes where it reads (it synthesizes into a folder of its own).
  step('the Fargate contract check: every container of the generated app starts on Fargate\'s terms');
  contractCheck = start('npx', ['projen', 'test:fargate'], app);

  step('the build generated the cost and architecture docs and the README diagrams');
  for (const file of ['docs/cost.md', 'docs/architecture.md']) {
    if (!existsSync(join(app, file))) throw new Error(`the build did not generate ${file}`);
  }
  const readme = readFileSync(join(app, 'README.md'), 'utf8');
  if (!readme.includes('```mermaid')) throw new Error('the README has no generated diagram: is it the Slipway template README?');

  step(`the app is "${APP_NAME}": its stacks, settings and runbook say so`);
  const stacks = stackNames(join(app, 'packages', 'infra', 'cdk.out'));
  const expectedStacks = [`${APP_NAME}-dev`, `${APP_NAME}-pipeline`, `${APP_NAME}-prod`];
  if (JSON.stringify(stacks) !== JSON.stringify(expectedStacks)) {
    throw new Error(`the synthesized stacks are ${stacks.join(', ')}; expected ${expectedStacks.join(', ')}`);
  }
  const environments = ['index.ts', 'dev.ts', 'prod.ts'].map((file) => readFileSync(join(app, 'environments', file), 'utf8')).join('\n');
  for (const expected of [`appName = '${APP_NAME}'`, `'example-org/${APP_NAME}'`, "'us-east-2a'", `'dev.${APP_NAME}.local'`, "'shop.acme.io'"]) {
    if (!environments.includes(expected)) throw new Error(`environments/ does not contain ${expected}`);
  }
  for (const page of ['README.md', 'build-and-deploy.md', 'first-deploy.md', 'releases.md', 'on-call.md']) {
    const file = join(app, 'docs', 'slipway', page);
    if (!existsSync(file)) throw new Error(`the runbook page docs/slipway/${page} was not generated`);
    if ((statSync(file).mode & 0o222) !== 0) throw new Error(`docs/slipway/${page} is writable: it is generated`);
    if (!readFileSync(file, 'utf8').includes(`${APP_NAME}-`)) throw new Error(`docs/slipway/${page} does not name the app's stacks`);
  }
  if (!existsSync(join(app, 'docs', 'README.md'))) throw new Error("the team's docs/README.md was not written");
  run('git', ['add', '-A'], app);
  const broken = brokenLinks(app);
  if (broken.length > 0) throw new Error(`links to files the generated project does not have:\n${broken.join('\n')}`);

  step('deploy and diff refuse every placeholder, naming the file and field');
  for (const task of ['deploy:pipeline', 'diff:dev']) {
    console.log(`$ npx projen ${task}   (in packages/infra, expected to be refused)`);
    const result = spawnSync('npx', ['projen', task], { cwd: join(app, 'packages', 'infra'), encoding: 'utf8' });
    const said = `${result.stdout}${result.stderr}`;
    const expected =
      task === 'deploy:pipeline'
        ? [
            `environments/index.ts: pipeline.repository is a placeholder repository; got "example-org/${APP_NAME}"`,
            'environments/index.ts: pipeline.connectionArn is a placeholder connection',
            'environments/index.ts: pipeline.notifyEmail is a placeholder address',
            'environments/dev.ts: account is a placeholder account id; got "111111111111"',
            'environments/dev.ts: network.natInstance.amiId is a placeholder AMI id',
            'environments/prod.ts: account is a placeholder account id; got "222222222222"',
            'environments/prod.ts: https.hostedZoneId is a placeholder hosted zone id',
            'environments/prod.ts: alarms.email is a placeholder address',
          ]
        : ['Refusing to diff dev', 'environments/dev.ts: account is a placeholder account id'];
    const missing = expected.filter((line) => !said.includes(line));
    if (result.status === 0 || missing.length > 0) {
      throw new Error(`"npx projen ${task}" exited ${result.status} and did not say:\n${missing.join('\n')}\n--- it said:\n${said}`);
    }
    console.log(`refused, exit code ${result.status}`);
  }

  step('a second npx projen changes nothing');
  run('git', ['add', '-A'], app);
  run('git', ['commit', '-q', '-m', 'generated and built'], app);
  run('npx', ['projen'], app);
  const status = output('git', ['status', '--porcelain'], app);
  if (status !== '') throw new Error(`a second "npx projen" changed files:\n${status}`);

  await endContractCheck();

  console.log(`\ntemplate e2e passed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
} catch (error) {
  failed = true;
  // A step beside the contract check failed: let the check end (it stops every process it started) and show it.
  await endContractCheck().catch((checkError) => console.error(checkError.message));
  console.error(`\ntemplate e2e FAILED: ${error.message}`);
  console.error(`the generated project is kept for inspection in ${work}`);
} finally {
  if (!failed && !keep) rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
