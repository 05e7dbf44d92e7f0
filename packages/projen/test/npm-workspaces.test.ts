import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { javascript } from 'projen';
import { Testing } from 'projen/lib/testing';
import { SlipwayProject } from '../src';
import { TASK_PATH } from '../src/npm-workspaces';
import { PROJEN_VERSION_RANGE } from '../src/versions';

const RUNNER = path.join(__dirname, '..', 'assets', 'run-workspaces.mjs');

/**
 * Synthesizes a project in `outdir` with post-synthesis steps on, recording the tasks that would run
 * (`<package dir>:<task>`) instead of running them.
 */
function synthRecordingTasks(outdir: string): string[] {
  const project = new SlipwayProject({ name: 'acme', defaultReleaseBranch: 'main', outdir });
  const ran: string[] = [];
  for (const p of [project, ...project.subprojects]) {
    p.tasks.runTask = (name: string) => {
      ran.push(`${path.relative(outdir, p.outdir) || '.'}:${name}`);
    };
  }
  const previous = process.env.PROJEN_DISABLE_POST;
  delete process.env.PROJEN_DISABLE_POST;
  try {
    project.synth();
  } finally {
    if (previous !== undefined) process.env.PROJEN_DISABLE_POST = previous;
  }
  return ran.filter((r) => /:install(:ci)?$/.test(r));
}

describe('NpmWorkspaces installs', () => {
  test('run at the root only, never inside a workspace package', () => {
    // GIVEN a fresh project: every package.json is new
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ws-'));
    // WHEN it is synthesized
    const installs = synthRecordingTasks(outdir);
    // THEN only the root installs (projen may install twice there: once more after resolving "*" versions)
    expect(installs.length).toBeGreaterThan(0);
    expect(installs.filter((r) => !r.startsWith('.:'))).toEqual([]);
  });

  test('do not run when no package.json changed (workspace packages have no node_modules by design)', () => {
    // GIVEN a project synthesized once, with its root node_modules in place
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ws-'));
    synthRecordingTasks(outdir);
    fs.mkdirSync(path.join(outdir, 'node_modules'), { recursive: true });
    // WHEN it is synthesized again, unchanged / THEN nothing installs
    expect(synthRecordingTasks(outdir)).toEqual([]);
  });

  test('run once, at the root, when only a workspace package.json changed', () => {
    // GIVEN a project synthesized once, with its root node_modules in place
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ws-'));
    synthRecordingTasks(outdir);
    fs.mkdirSync(path.join(outdir, 'node_modules'), { recursive: true });
    // AND the backend's package.json edited by hand, so projen rewrites it (the root one stays as it was)
    const manifest = path.join(outdir, 'packages', 'backend', 'package.json');
    fs.chmodSync(manifest, 0o644);
    fs.writeFileSync(manifest, '{}\n');
    // WHEN it is synthesized again / THEN exactly one install runs, at the root
    // (projen installs with `install:ci`, npm ci, when the CI variable is set, as in .ci/run and GitHub Actions)
    expect(synthRecordingTasks(outdir)).toEqual([
      /^(1|true)$/i.test(process.env.CI ?? '') ? '.:install:ci' : '.:install',
    ]);
  });
});

describe('the PATH tasks run with', () => {
  test('is the one npm gives a script, without starting npx', () => {
    // GIVEN a folder two levels into a workspace, as packages/<name> is
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-path-'));
    const dir = path.join(root, 'packages', 'api');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'root', workspaces: ['packages/*'] }));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'api' }));
    const env = { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin' };
    const pathIn = (command: string) =>
      spawnSync('sh', ['-c', command], { cwd: dir, env, encoding: 'utf8' }).stdout.trim();
    try {
      // WHEN TASK_PATH's command runs there, and npm's own
      const ours = pathIn(TASK_PATH.slice(2, -1)).split(path.delimiter);
      const npms = pathIn('npx -c "node --print process.env.PATH"').split(path.delimiter);
      // THEN they list the same folders in the same order, less npm's node-gyp shim
      expect(ours.slice(0, 3)).toEqual([
        path.join(dir, 'node_modules', '.bin'),
        path.join(root, 'packages', 'node_modules', '.bin'),
        path.join(root, 'node_modules', '.bin'),
      ]);
      expect(ours).toEqual(npms.filter((entry) => !entry.includes('node-gyp-bin')));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('is set for the root and for every workspace package', () => {
    const project = new SlipwayProject({
      name: 'acme',
      defaultReleaseBranch: 'main',
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-path-synth-')),
    });
    const snapshot = Testing.synth(project);
    const manifests = Object.keys(snapshot).filter((file) => file.endsWith('.projen/tasks.json'));
    expect(manifests).toEqual(
      expect.arrayContaining([
        '.projen/tasks.json',
        'packages/backend/.projen/tasks.json',
        'packages/infra/.projen/tasks.json',
      ]),
    );
    for (const manifest of manifests) expect(snapshot[manifest].env.PATH).toBe(TASK_PATH);
  });
});

describe('the projen internals NpmWorkspaces replaces', () => {
  // NpmWorkspaces replaces NodePackage.installDependencies and logInstallTrigger on workspace packages; projen has
  // no public switch for it. These fail when an upgrade of projen changes them, before a user's install would.
  const installed = JSON.parse(fs.readFileSync(require.resolve('projen/package.json'), 'utf8')).version as string;

  test('the installed projen is in the range @slipway/projen declares as tested', () => {
    const [, minor, patch] = /^\^0\.(\d+)\.(\d+)$/.exec(PROJEN_VERSION_RANGE)!.map(Number);
    const [major, installedMinor, installedPatch] = installed.split('.').map(Number);
    expect({ major, minor: installedMinor }).toEqual({ major: 0, minor });
    expect(installedPatch).toBeGreaterThanOrEqual(patch);
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(manifest.peerDependencies.projen).toBe(PROJEN_VERSION_RANGE);
  });

  test('NodePackage still has installDependencies(trigger) and logInstallTrigger(trigger), called on a changed package.json', () => {
    const proto = javascript.NodePackage.prototype as unknown as Record<string, unknown>;
    for (const member of ['installDependencies', 'logInstallTrigger']) {
      expect({ member, type: typeof proto[member], arity: (proto[member] as () => void)?.length }).toEqual({
        member,
        type: 'function',
        arity: 1,
      });
    }
    const postSynthesize = String(proto.postSynthesize);
    expect(postSynthesize).toContain('this.logInstallTrigger(');
    expect(postSynthesize).toContain('this.installDependencies(');
  });
});

describe('run-workspaces runner', () => {
  let root: string;
  let log: string;

  // A fake monorepo: the runner's real logic against a stand-in projen binary that logs its calls.
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-runner-'));
    log = path.join(root, 'calls.log');
    const write = (file: string, content: unknown) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
    };
    write('package.json', { name: 'root', workspaces: ['packages/*'] });
    // "app" sorts first but depends on "lib"; "docs" has no build task.
    write('packages/app/package.json', { name: 'app', dependencies: { lib: '*' } });
    write('packages/app/.projen/tasks.json', { tasks: { build: {}, dev: {} } });
    write('packages/lib/package.json', { name: 'lib' });
    write('packages/lib/.projen/tasks.json', { tasks: { build: {}, dev: {} } });
    write('packages/docs/package.json', { name: 'docs' });
    write('packages/docs/.projen/tasks.json', { tasks: { test: {} } });
    write(
      'node_modules/.bin/projen',
      // A long-lived task (dev) stays up a moment, as a server would, so a parallel run starts them all.
      // WAIT_FOR: a file to wait for first (one the command alongside writes).
      `#!/bin/sh\nwhile [ -n "$WAIT_FOR" ] && [ ! -e "$WAIT_FOR" ]; do sleep 0.05; done\n` +
        `echo "$(basename "$PWD") $*" >> ${log}\n[ "$(basename "$PWD")" = "$FAIL_IN" ] && exit 3\n[ "$1" = dev ] && sleep 1\nexit 0\n`,
    );
    fs.chmodSync(path.join(root, 'node_modules/.bin/projen'), 0o755);
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('node', [RUNNER, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...env, NO_COLOR: '1' },
    });
  const calls = () => fs.readFileSync(log, 'utf8').trim().split('\n');

  test('runs a task in dependency order and skips packages without it', () => {
    const result = run(['build']);
    expect(result.status).toBe(0);
    expect(calls()).toEqual(['lib build', 'app build']);
    expect(result.stdout).toMatch(/▶ \[1\/2\] lib › build/);
    expect(result.stdout).toMatch(/✔ app › build \(\d+\.\ds\)/);
    expect(result.stdout).toMatch(/– docs\s+no task/);
    expect(result.stdout).toMatch(/total\s+\d+\.\ds/);
  });

  test('stops at the first failure with its exit code and names the package', () => {
    const result = run(['build'], { FAIL_IN: 'lib' });
    expect(result.status).toBe(3);
    expect(calls()).toEqual(['lib build']);
    expect(result.stderr).toMatch(/✖ lib › build failed after \d+\.\ds \(exit 3\)/);
  });

  test('runs long-lived tasks in parallel with prefixed output', () => {
    const result = run(['dev', '--parallel']);
    expect(calls().sort()).toEqual(['app dev', 'lib dev']);
    expect(result.stdout).toMatch(/▶ dev in parallel: lib, app/);
  });

  test('runs a command beside the packages, one of them per core, each output in one piece when it is done', () => {
    // The command waits until a package has run: with two slots, a package runs while the command does.
    const command = `for i in $(seq 100); do grep -q build ${log} 2>/dev/null && break; sleep 0.05; done; echo lint-output`;
    const result = run(['build', '--alongside', command], { RUN_WORKSPACES_CONCURRENCY: '2' });
    expect(result.status).toBe(0);
    expect(calls().sort()).toEqual(['app build', 'lib build']);
    expect(result.stdout).toMatch(/▶ build beside for i in[^\n]*, up to 2 at a time: lib, app\n/);
    expect(result.stdout).toMatch(/▶ alongside › for i in[^\n]*\nlint-output\n✔ for i in[^\n]*\(\d+\.\ds, alongside\)/);
    expect(result.stdout).toMatch(/▶ lib › build\n✔ lib › build \(\d+\.\ds\)/);
    expect(result.stdout).toMatch(/✔ app\s+\d+\.\ds[\s\S]*– docs\s+no task[\s\S]*total\s+\d+\.\ds/);
  });

  test('with a command alongside, it starts first, then the packages with the most test files, whatever depends on what', () => {
    // "app" depends on "lib", but app has three test files and lib one: app is the longer job, so it goes first and
    // lib fills the cores at the end.
    for (const file of ['a.test.ts', 'b.test.ts', 'nested/c.spec.ts']) {
      fs.mkdirSync(path.dirname(path.join(root, 'packages/app/test', file)), { recursive: true });
      fs.writeFileSync(path.join(root, 'packages/app/test', file), '');
    }
    fs.mkdirSync(path.join(root, 'packages/lib/test'), { recursive: true });
    fs.writeFileSync(path.join(root, 'packages/lib/test/only.test.ts'), '');
    // Only test/ and src/ count: not dependencies, build output or copies elsewhere in the package.
    fs.mkdirSync(path.join(root, 'packages/lib/samples/x'), { recursive: true });
    for (const n of [1, 2, 3, 4]) fs.writeFileSync(path.join(root, `packages/lib/samples/x/${n}.test.ts`), '');
    // One slot: one job at a time, in the order the runner starts them.
    const result = run(['build', '--alongside', `echo "lint" >> ${log}`], { RUN_WORKSPACES_CONCURRENCY: '1' });
    expect(result.status).toBe(0);
    expect(calls()).toEqual(['lint', 'app build', 'lib build']);
    // Without a command alongside: dependency order.
    fs.writeFileSync(log, '');
    expect(run(['build']).status).toBe(0);
    expect(calls()).toEqual(['lib build', 'app build']);
  });

  test("passes the arguments after -- to every package's task beside the command", () => {
    const result = run(['build', '--alongside', 'true', '--', '--maxWorkers=1'], { FAIL_IN: 'app' });
    expect(result.status).toBe(3);
    expect(calls().sort()).toEqual(['app build --maxWorkers=1', 'lib build --maxWorkers=1']);
    expect(result.stderr).toContain('rerun just this step: (cd packages/app && npx projen build --maxWorkers=1)');
    // Only beside a command: alone, the arguments would be lost on one mode or another.
    expect(run(['build', '--', '--maxWorkers=1']).status).toBe(2);
  });

  test('fails when the command alongside fails, even though every package passed', () => {
    const result = run(['build', '--alongside', 'echo finding; exit 4']);
    expect(result.status).toBe(4);
    expect(calls().sort()).toEqual(['app build', 'lib build']);
    expect(result.stdout).toContain('finding');
    expect(result.stderr).toMatch(/✖ echo finding; exit 4 failed after \d+\.\ds \(exit 4\)/);
  });

  test('stops the command alongside when a package fails, shows what it printed until then, and starts no package', () => {
    const marker = path.join(root, 'still-running');
    const started = path.join(root, 'alongside-started');
    const result = run(['build', '--alongside', `echo partial-output; touch ${started}; sleep 2; touch ${marker}`], {
      FAIL_IN: 'lib',
      WAIT_FOR: started,
      RUN_WORKSPACES_CONCURRENCY: '2',
    });
    expect(result.status).toBe(3);
    expect(result.stdout).toMatch(
      /▶ alongside › echo partial-output[^\n]*\(stopped: lib › build failed\)\npartial-output\n/,
    );
    expect(calls()).toEqual(['lib build']);
    expect(result.stderr).toMatch(/✖ lib › build failed after \d+\.\ds \(exit 3\)[\s\S]*not started: app/);
    spawnSync('sleep', ['3']);
    expect(fs.existsSync(marker)).toBe(false);
  });

  test('--concurrent runs packages side by side, each after the packages it depends on, its output in one piece', () => {
    // "lib" takes a moment; "other" depends on nothing, so it starts at once and finishes while lib still runs,
    // and "app" (which depends on lib) starts only after lib is done.
    fs.mkdirSync(path.join(root, 'packages/other/.projen'), { recursive: true });
    fs.writeFileSync(path.join(root, 'packages/other/package.json'), JSON.stringify({ name: 'other' }));
    fs.writeFileSync(path.join(root, 'packages/other/.projen/tasks.json'), JSON.stringify({ tasks: { build: {} } }));
    const slow = `[ "$(basename "$PWD")" = lib ] && sleep 1\n`;
    const bin = path.join(root, 'node_modules/.bin/projen');
    fs.writeFileSync(
      bin,
      `#!/bin/sh\necho "$(basename "$PWD") $1 start" >> ${log}\necho "out of $(basename "$PWD")"\n${slow}` +
        `echo "$(basename "$PWD") $1 end" >> ${log}\n[ "$(basename "$PWD")" = "$FAIL_IN" ] && exit 3\nexit 0\n`,
    );
    // Two at a time whatever this machine has.
    const result = run(['build', '--concurrent'], { FAIL_IN: '', RUN_WORKSPACES_CONCURRENCY: '2' });
    expect(result.status).toBe(0);
    const order = calls();
    expect(order.indexOf('other build end')).toBeLessThan(order.indexOf('lib build end'));
    expect(order.indexOf('lib build end')).toBeLessThan(order.indexOf('app build start'));
    expect(result.stdout).toMatch(/▶ lib › build\nout of lib\n✔ lib › build \(\d+\.\ds\)/);
    expect(result.stdout).toMatch(/– docs\s+no task/);

    // A failure: what was running finishes, nothing new starts, and the run exits with the failure's code.
    fs.writeFileSync(log, '');
    const failed = run(['build', '--concurrent'], { FAIL_IN: 'lib', RUN_WORKSPACES_CONCURRENCY: '2' });
    expect(failed.status).toBe(3);
    expect(calls()).not.toContain('app build start');
    expect(failed.stderr).toMatch(/✖ lib › build failed after \d+\.\ds \(exit 3\)[\s\S]*not started: app/);
  });

  test('rejects a dependency cycle with the cycle spelled out', () => {
    fs.writeFileSync(
      path.join(root, 'packages/lib/package.json'),
      JSON.stringify({ name: 'lib', devDependencies: { app: '*' } }),
    );
    const result = run(['build']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/workspace dependency cycle: packages\/app → packages\/lib → packages\/app/);
  });

  test('explains its usage when called wrongly', () => {
    const result = run([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /usage: node \.projen\/run-workspaces\.mjs <task> \[--parallel \| --concurrent \| --alongside <command> \[-- <task args>\]\]/,
    );
  });
});
