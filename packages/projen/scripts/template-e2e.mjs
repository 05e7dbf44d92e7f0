// End-to-end test of the template, as a user meets it: pack @slipway/projen,
// @slipway/constructs and @slipway/cli, run `projen new --from` with them in a fresh git repo,
// build the generated project, and check that a second `npx projen` changes
// nothing. Run by CI (`npx projen test:template` at the root); takes minutes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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

let failed = false;
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

  step('the Fargate contract check: every container of the generated app starts on Fargate\'s terms');
  run('npx', ['projen', 'test:fargate'], app);

  step('the build generated the cost and architecture docs and the README diagrams');
  for (const file of ['docs/cost.md', 'docs/architecture.md']) {
    if (!existsSync(join(app, file))) throw new Error(`the build did not generate ${file}`);
  }
  const readme = readFileSync(join(app, 'README.md'), 'utf8');
  if (!readme.includes('```mermaid')) throw new Error('the README has no generated diagram: is it the Slipway template README?');

  step('a second npx projen changes nothing');
  run('git', ['add', '-A'], app);
  run('git', ['commit', '-q', '-m', 'generated and built'], app);
  run('npx', ['projen'], app);
  const status = output('git', ['status', '--porcelain'], app);
  if (status !== '') throw new Error(`a second "npx projen" changed files:\n${status}`);

  console.log(`\ntemplate e2e passed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
} catch (error) {
  failed = true;
  console.error(`\ntemplate e2e FAILED: ${error.message}`);
  console.error(`the generated project is kept for inspection in ${work}`);
} finally {
  if (!failed && !keep) rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
