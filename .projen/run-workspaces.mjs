// Runs one projen task in each workspace package, in the order given, and
// reports which package and step is running and how long each one took.
//
//   node .projen/run-workspaces.mjs <task> [--parallel | --concurrent | --alongside <command> [-- <task args>]]
//
// The packages are the root package.json's `workspaces`; a package runs after
// the workspace packages it depends on (dependencies of any kind).
// Sequential mode stops at the first failure and exits with its code.
// --concurrent (for single-threaded steps such as tsc) runs as many packages at
// a time as the machine has cores (or RUN_WORKSPACES_CONCURRENCY says), each as
// soon as the packages it depends on are done; each package's output is printed
// in one piece when it finishes, and after a failure no new package starts.
// --alongside runs a shell command (a single-threaded check such as lint) and
// the packages' task side by side, one of them per core at a time
// (RUN_WORKSPACES_CONCURRENCY overrides): the command starts first, then the
// packages with the most test files, each as soon as a core is free; arguments
// after `--` go to every package's task (the root test passes jest
// --maxWorkers=1: each package then has one core). Each one's output is printed
// in one piece when it finishes; the run fails if any failed, and a package's
// failure stops the command and starts no new package.
// Parallel mode (for long-running `dev` servers) prefixes every output line
// with the package name and stops all packages when one exits or on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, basename } from 'node:path';

const args = process.argv.slice(2);
const separator = args.indexOf('--');
const taskArgs = separator === -1 ? [] : args.splice(separator).slice(1);
const task = args.shift();
const parallel = args[0] === '--parallel' ? Boolean(args.shift()) : false;
const concurrent = !parallel && args[0] === '--concurrent' ? Boolean(args.shift()) : false;
const alongside =
  !parallel && !concurrent && args[0] === '--alongside' && args.length === 2 ? args.splice(0, 2)[1] : undefined;
if (!task || args.length > 0 || (taskArgs.length > 0 && alongside === undefined)) {
  console.error(
    'usage: node .projen/run-workspaces.mjs <task> [--parallel | --concurrent | --alongside <command> [-- <task args>]]',
  );
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

// With a command alongside (the root test: lint, docs), the packages with the most test files go first: the longest
// jobs start early and the short ones fill the cores at the end, so no core waits long for the last one. Dependency
// order does not matter for tests: every package was compiled before.
const targets =
  alongside === undefined
    ? dirs.filter(hasTask)
    : dirs
        .filter(hasTask)
        .map((dir) => ({ dir, files: testFileCount(dir) }))
        .sort((a, b) => b.files - a.files)
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
    const child = spawn(projen, [task, ...taskArgs], {
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
} else if (alongside !== undefined) {
  await runAlongside();
} else {
  const started = Date.now();
  for (const [index, dir] of targets.entries()) {
    const name = basename(dir);
    console.log(paint('1', `\n▶ [${index + 1}/${targets.length}] ${name} › ${task}`));
    const begin = Date.now();
    const { code } = await run(dir);
    if (!reportOutcome({ dir, took: Date.now() - begin, code })) process.exit(code);
  }
  printSummary(started);
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
    console.error(
      `RUN_WORKSPACES_CONCURRENCY must be a whole number of at least 1; got "${setting}". Unset it to use one per core.`,
    );
    process.exit(2);
  }
  return n;
}

/** --concurrent: every package once the packages it depends on are done, up to one per core at a time. */
async function runConcurrently() {
  const started = Date.now();
  const slots = concurrency();
  const dependentCount = new Map(targets.map((dir) => [dir, dependents(dir)]));
  console.log(
    paint('1', `▶ ${task}, up to ${slots} packages at a time: ${targets.map((d) => basename(d)).join(', ')}`),
  );
  const done = new Set(skipped);
  await runPool({
    slots,
    // Of the packages ready to start, the one most others wait on (directly or not) first: it starts the longest
    // chain, and the rest fill the other cores meanwhile.
    pick: (waiting) =>
      waiting
        .filter((dir) => dependsOn.get(dir).every((dep) => done.has(dep)))
        .sort((a, b) => dependentCount.get(b) - dependentCount.get(a))[0],
    finished: (result) => {
      const passed = reportPackage(result);
      if (passed) done.add(result.dir);
      return passed;
    },
  });
  printSummary(started);
}

/**
 * --alongside: the command, then the packages (most test files first), each started as soon as one of the slots
 * (one per core) is free; every output printed in one piece when it finishes.
 */
async function runAlongside() {
  const started = Date.now();
  const slots = concurrency();
  console.log(
    paint(
      '1',
      `▶ ${[task, ...taskArgs].join(' ')} beside ${alongside}, up to ${slots} at a time: ${targets.map((d) => basename(d)).join(', ')}`,
    ),
  );
  const companion = startAlongside(alongside);
  let companionDone = false;
  let companionStopped;
  let commandFailure;
  // The command's failure lets the packages run on, and fails the run once they are done.
  const reported = companion.done.then(({ code, took, output }) => {
    companionDone = true;
    console.log(
      paint('1', `\n▶ alongside › ${alongside}${companionStopped ? ` (stopped: ${companionStopped} failed)` : ''}`),
    );
    process.stdout.write(output);
    if (companionStopped) return;
    if (code !== 0) {
      console.error(paint('31', `✖ ${alongside} failed after ${seconds(took)} (exit ${code})`));
      commandFailure = code;
    } else {
      console.log(paint('32', `✔ ${alongside} (${seconds(took)}, alongside)`));
    }
  });
  await runPool({
    slots,
    occupied: [reported],
    pick: (waiting) => waiting[0],
    finished: (result) => {
      if (reportPackage(result)) return true;
      if (!companionDone && companionStopped === undefined) {
        // Stopped: what it printed until then can still tell what else is wrong.
        companionStopped = `${basename(result.dir)} › ${task}`;
        companion.stop();
      }
      return false;
    },
  });
  printSummary(started);
  if (commandFailure !== undefined) process.exit(commandFailure);
}

/**
 * Runs every target's task, up to `slots` at a time counting the jobs in `occupied` (each holds a slot until it
 * settles), starting whichever `pick` chooses of the packages still waiting (none: wait for one to finish).
 * `finished` reports a package and tells whether it passed; after a failure no new package starts, and once the
 * running ones are done the runner exits with the first failure's code.
 */
async function runPool({ slots, occupied = [], pick, finished }) {
  const waiting = [...targets];
  const running = new Map(occupied.map((job) => [job, job.then(() => ({ job }))]));
  let failure;
  while (waiting.length > 0 || running.size > 0) {
    while (failure === undefined && running.size < slots) {
      const next = pick(waiting);
      if (next === undefined) break;
      waiting.splice(waiting.indexOf(next), 1);
      running.set(next, startPackage(next));
    }
    if (running.size === 0) break;
    const result = await Promise.race(running.values());
    if (result.job !== undefined) {
      running.delete(result.job);
      continue;
    }
    running.delete(result.dir);
    if (!finished(result)) failure ??= result.code;
  }
  if (failure !== undefined) {
    if (waiting.length > 0) console.error(`  not started: ${waiting.map((d) => basename(d)).join(', ')}`);
    process.exit(failure);
  }
}

/** Starts `dir`'s task, its output kept; resolves to the directory, the time taken, the exit code and the output. */
function startPackage(dir) {
  const begin = Date.now();
  return run(dir, undefined, true).then((result) => ({ dir, took: Date.now() - begin, ...result }));
}

/** Prints a finished package's kept output, then how it ended; true if it passed. */
function reportPackage(finished) {
  console.log(paint('1', `\n▶ ${basename(finished.dir)} › ${task}`));
  process.stdout.write(finished.output);
  return reportOutcome(finished);
}

/** Prints how a package's task ended (a failure with the command that reruns it) and keeps its time; true if it passed. */
function reportOutcome({ dir, took, code }) {
  const name = basename(dir);
  if (code !== 0) {
    console.error(paint('31', `✖ ${name} › ${task} failed after ${seconds(took)} (exit ${code})`));
    console.error(`  rerun just this step: (cd ${dir} && npx projen ${[task, ...taskArgs].join(' ')})`);
    return false;
  }
  console.log(paint('32', `✔ ${name} › ${task} (${seconds(took)})`));
  results.push({ name, took });
  return true;
}

/** Each package's time, the packages without the task, and the time since `started`. */
function printSummary(started) {
  console.log(paint('1', `\n${task} summary`));
  for (const { name, took } of results) console.log(`  ✔ ${name.padEnd(12)} ${seconds(took).padStart(8)}`);
  for (const dir of skipped) console.log(`  – ${basename(dir).padEnd(12)} ${'no task'.padStart(8)}`);
  console.log(`  total        ${seconds(Date.now() - started).padStart(8)}`);
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