// Measures the foundation's wall times on this machine, in a fresh clone of the
// current commit: root `npm ci` (warm npm cache), the root build (every package's
// build and tests), and the template end-to-end test. Writes them into
// docs/performance.md between the foundation markers. Not a test: run it by hand
// (`npx projen bench` in packages/projen) when the machine is otherwise idle.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const clone = mkdtempSync(join(tmpdir(), 'slipway-bench-'));

function timed(label, cmd, args, cwd) {
  const begin = process.hrtime.bigint();
  const result = spawnSync(cmd, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CI: 'true' },
  });
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status})`);
  console.log(`${label}: ${seconds.toFixed(1)} s`);
  return seconds;
}

try {
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
  timed('git clone', 'git', ['clone', '-q', repoRoot, clone], repoRoot);
  const install = timed('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], clone);
  const build = timed('npx projen build', 'npx', ['projen', 'build'], clone);
  const template = timed('npx projen test:template', 'npx', ['projen', 'test:template'], clone);

  const machine = `${cpus().length} cores (${cpus()[0].model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const section = [
    '<!-- foundation:start -->',
    '## Foundation (install, test, template)',
    '',
    `Measured by \`packages/projen/bench/foundation-timings.mjs\` on ${new Date().toISOString().slice(0, 10)}, commit ${commit},`,
    `${machine}, in a fresh clone with a warm npm cache (CI=true).`,
    '',
    '| step | wall time |',
    '|---|---|',
    `| root \`npm ci\` (every workspace package, hoisted) | ${install.toFixed(0)} s |`,
    `| root \`npx projen build\` (every package's build and tests, synth, lint) | ${build.toFixed(0)} s |`,
    `| \`npx projen test:template\` (pack, \`projen new --from\`, install, build the generated project) | ${template.toFixed(0)} s |`,
    `| total of the README's test command (\`test:all\` = build + template) | ${(build + template).toFixed(0)} s |`,
    '<!-- foundation:end -->',
  ].join('\n');
  const doc = join(repoRoot, 'docs', 'performance.md');
  const text = readFileSync(doc, 'utf8');
  writeFileSync(doc, text.replace(/<!-- foundation:start -->[\s\S]*<!-- foundation:end -->/, section));
  console.log('docs/performance.md updated');
} finally {
  rmSync(clone, { recursive: true, force: true });
}
