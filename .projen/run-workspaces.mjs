// Runs one projen task in each workspace package, in the order given, and
// reports which package and step is running and how long each one took.
//
//   node .projen/run-workspaces.mjs <task> [--parallel | --concurrent | --alongside <command>]
//
// The packages are the root package.json's `workspaces`; a package runs after
// the workspace packages it depends on (dependencies of any kind).
// Sequential mode stops at the first failure and exits with its code.
// --concurrent (for single-threaded steps such as tsc) runs as many packages at
// a time as the machine has cores (or RUN_WORKSPACES_CONCURRENCY says), each as
// soon as the packages it depends on are done; each package's output is printed
// in one piece when it finishes, and after a failure no new package starts.
// --alongside runs a shell command while the packages run one after another (a
// single-threaded check such as lint keeps a core busy that a package's tests
// leave idle at times), the packages with the fewest test files first; its
// output is printed once it and the packages are done, and the run fails if it
// failed.
// Parallel mode (for long-running `dev` servers) prefixes every output line
// with the package name and stops all packages when one exits or on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, basename } from 'node:path';

const args = process.argv.slice(2);
const task = args.shift();
const parallel = args[0] === '--parallel' ? Boolean(args.shift()) : false;
const concurrent = !parallel && args[0] === '--concurrent' ? Boolean(args.shift()) : false;
const alongside =
  !parallel && !concurrent && args[0] === '--alongside' && args.length === 2 ? args.splice(0, 2)[1] : undefined;
if (!task || args.length > 0) {
  console.error('usage: node .projen/run-workspaces.mjs <task> [--parallel | --concurrent | --alongside <command>]');
  process.exit(2);
}

// Workspace patterns are folders, or a folder followed by /* for each folder in it.
function expand(pattern) {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  return readdirSync(parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${parent}/${entry.name}`);
}

function workspaceDirs() {
  const root = JSON.parse(readFileSync('package.json', 'utf8'));
  const dirs = (root.workspaces ?? [])
    .flatMap(expand)
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .sort();
  const manifests = new Map(dirs.map((dir) => [dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))]));
  const byName = new Map([...manifests].map(([dir, m]) => [m.name, dir]));
  const ordered = [];
  const visit = (dir, path = []) => {
    if (ordered.includes(dir)) return;
    if (path.includes(dir)) throw new Error(`workspace dependency cycle: ${[...path, dir].join(' → ')}`);
    for (const target of workspaceDeps(dir)) visit(target, [...path, dir]);
    ordered.push(dir);
  };
  /** The workspace packages `dir` depends on. */
  function workspaceDeps(dir) {
    const m = manifests.get(dir);
    const deps = { ...m.dependencies, ...m.devDependencies, ...m.peerDependencies };
    return Object.keys(deps)
      .map((name) => byName.get(name))
      .filter((target) => target && target !== dir);
  }
  dirs.forEach((dir) => visit(dir));
  return { ordered, dependsOn: new Map(ordered.map((dir) => [dir, workspaceDeps(dir)])) };
}
const { ordered: dirs, dependsOn } = workspaceDirs();

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

function hasTask(dir) {
  const file = join(dir, '.projen', 'tasks.json');
  if (!existsSync(file)) return false;
  const tasks = JSON.parse(readFileSync(file, 'utf8')).tasks ?? {};
  return Object.prototype.hasOwnProperty.call(tasks, task);
}

/** How many test files (`*.test.*`, `*.spec.*`) a package has in its `test` and `src` folders. */
function testFileCount(dir) {
  let count = 0;
  const walk = (folder) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(join(folder, entry.name));
      } else if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(entry.name)) {
        count++;
      }
    }
  };
  walk(join(dir, 'test'));
  walk(join(dir, 'src'));
  return count;
}

// With a command alongside (the root test: lint, docs), the packages with the fewest test files go first. Such a
// package cannot keep every core busy (at its end, its longest file runs alone), and the command's single thread
// fills the idle cores; packages with many files keep every core busy on their own once the command is done.
// Dependency order does not matter for tests: every package was compiled before.
const targets =
  alongside === undefined
    ? dirs.filter(hasTask)
    : dirs
        .filter(hasTask)
        .map((dir) => ({ dir, files: testFileCount(dir) }))
        .sort((a, b) => a.files - b.files)
        .map(({ dir }) => dir);
const skipped = dirs.filter((dir) => !targets.includes(dir));
if (targets.length === 0 && alongside === undefined) {
  console.log(`no workspace package defines the task "${task}"; nothing to do`);
  process.exit(0);
}
const projen = join(process.cwd(), 'node_modules', '.bin', 'projen');

/**
 * Runs the task in `dir`: output straight through, or each line prefixed with `prefix`, or (`collect`) kept and
 * returned as `output` when it is done.
 */
function run(dir, prefix, collect = false) {
  return new Promise((resolve) => {
    const child = spawn(projen, [task], {
      cwd: dir,
      stdio: prefix || collect ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: process.env,
    });
    const chunks = [];
    if (collect) {
      child.stdout.on('data', (chunk) => chunks.push(chunk));
      child.stderr.on('data', (chunk) => chunks.push(chunk));
    } else if (prefix) {
      for (const stream of [child.stdout, child.stderr]) {
        let pending = '';
        stream.on('data', (chunk) => {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop();
          for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
        });
        stream.on('end', () => pending && process.stdout.write(`${prefix} ${pending}\n`));
      }
    }
    child.on('close', (code, signal) => resolve({ code: code ?? 1, signal, output: Buffer.concat(chunks).toString() }));
    run.children.push(child);
  });
}
run.children = [];

const results = [];
if (parallel) {
  const stopAll = () => run.children.forEach((child) => child.kill('SIGTERM'));
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  console.log(paint('1', `▶ ${task} in parallel: ${targets.map((d) => basename(d)).join(', ')}`));
  const outcome = await Promise.race(
    targets.map((dir) => run(dir, paint('36', `[${basename(dir)}]`)).then((r) => ({ dir, ...r }))),
  );
  stopAll();
  console.log(`${basename(outcome.dir)} exited (${outcome.signal ?? outcome.code}); stopped the others`);
  process.exit(outcome.code);
} else if (concurrent) {
  await runConcurrently();
} else {
  const started = Date.now();
  const companion = alongside === undefined ? undefined : startAlongside(alongside);
  for (const [index, dir] of targets.entries()) {
    const name = basename(dir);
    console.log(paint('1', `\n▶ [${index + 1}/${targets.length}] ${name} › ${task}`));
    const begin = Date.now();
    const { code } = await run(dir);
    const took = Date.now() - begin;
    results.push({ name, code, took });
    if (code !== 0) {
      console.error(paint('31', `✖ ${name} › ${task} failed after ${seconds(took)} (exit ${code})`));
      console.error(`  rerun just this step: (cd ${dir} && npx projen ${task})`);
      if (companion) {
        // Stopped, not waited for; what it printed until then can still tell what else is wrong.
        companion.stop();
        const { output } = await companion.done;
        console.log(paint('1', `\n▶ alongside › ${alongside} (stopped: ${name} › ${task} failed)`));
        process.stdout.write(output);
      }
      process.exit(code);
    }
    console.log(paint('32', `✔ ${name} › ${task} (${seconds(took)})`));
  }
  printSummary(started, false);
  if (companion) {
    const { code, took, output } = await companion.done;
    console.log(paint('1', `\n▶ alongside › ${alongside}`));
    process.stdout.write(output);
    if (code !== 0) {
      console.error(paint('31', `✖ ${alongside} failed after ${seconds(took)} (exit ${code})`));
      process.exit(code);
    }
    console.log(paint('32', `✔ ${alongside} (${seconds(took)}, alongside)`));
  }
  console.log(`  total        ${seconds(Date.now() - started).padStart(8)}`);
}

/** How many workspace packages depend on `dir`, directly or through others. */
function dependents(dir) {
  const found = new Set();
  const visit = (target) => {
    for (const [other, deps] of dependsOn) {
      if (deps.includes(target) && !found.has(other)) {
        found.add(other);
        visit(other);
      }
    }
  };
  visit(dir);
  return found.size;
}

/** How many packages --concurrent runs at a time: RUN_WORKSPACES_CONCURRENCY, or one per core. */
function concurrency() {
  const setting = process.env.RUN_WORKSPACES_CONCURRENCY;
  if (setting === undefined || setting === '') return availableParallelism();
  const n = Number(setting);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`RUN_WORKSPACES_CONCURRENCY must be a whole number of at least 1; got "${setting}". Unset it to use one per core.`);
    process.exit(2);
  }
  return n;
}

/** --concurrent: every package once the packages it depends on are done, up to one per core at a time. */
async function runConcurrently() {
  const started = Date.now();
  const slots = concurrency();
  const dependentCount = new Map(targets.map((dir) => [dir, dependents(dir)]));
  console.log(paint('1', `▶ ${task}, up to ${slots} packages at a time: ${targets.map((d) => basename(d)).join(', ')}`));
  const done = new Set(skipped);
  const waiting = [...targets];
  const running = new Map();
  let failure;
  while (waiting.length > 0 || running.size > 0) {
    while (failure === undefined && running.size < slots) {
      // Of the packages ready to start, the one most others wait on (directly or not) first: it starts the
      // longest chain, and the rest fill the other cores meanwhile.
      const ready = waiting.filter((dir) => dependsOn.get(dir).every((dep) => done.has(dep)));
      const next = ready.sort((a, b) => dependentCount.get(b) - dependentCount.get(a))[0];
      if (next === undefined) break;
      waiting.splice(waiting.indexOf(next), 1);
      const begin = Date.now();
      running.set(next, run(next, undefined, true).then((result) => ({ dir: next, took: Date.now() - begin, ...result })));
    }
    if (running.size === 0) break;
    const { dir, took, code, output } = await Promise.race(running.values());
    running.delete(dir);
    const name = basename(dir);
    console.log(paint('1', `\n▶ ${name} › ${task}`));
    process.stdout.write(output);
    if (code !== 0) {
      console.error(paint('31', `✖ ${name} › ${task} failed after ${seconds(took)} (exit ${code})`));
      console.error(`  rerun just this step: (cd ${dir} && npx projen ${task})`);
      failure ??= code;
      continue;
    }
    console.log(paint('32', `✔ ${name} › ${task} (${seconds(took)})`));
    results.push({ name, took });
    done.add(dir);
  }
  if (failure !== undefined) {
    if (waiting.length > 0) console.error(`  not started: ${waiting.map((d) => basename(d)).join(', ')}`);
    process.exit(failure);
  }
  printSummary(started);
}

/** Each package's time, the packages without the task, and (`total`) the time since `started`. */
function printSummary(started, total = true) {
  console.log(paint('1', `\n${task} summary`));
  for (const { name, took } of results) console.log(`  ✔ ${name.padEnd(12)} ${seconds(took).padStart(8)}`);
  for (const dir of skipped) console.log(`  – ${basename(dir).padEnd(12)} ${'no task'.padStart(8)}`);
  if (total) console.log(`  total        ${seconds(Date.now() - started).padStart(8)}`);
}

/** Starts `command` in a shell, its output kept until it is done. */
function startAlongside(command) {
  const begin = Date.now();
  // Its own process group, so that stopping it stops what it started (npx, projen, the linter).
  const child = spawn(command, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('SIGINT', () => {
    stop();
    process.exit(130);
  });
  const chunks = [];
  child.stdout.on('data', (chunk) => chunks.push(chunk));
  child.stderr.on('data', (chunk) => chunks.push(chunk));
  const done = new Promise((resolve) =>
    child.on('close', (code) =>
      resolve({ code: code ?? 1, took: Date.now() - begin, output: Buffer.concat(chunks).toString() }),
    ),
  );
  return { stop, done };
}