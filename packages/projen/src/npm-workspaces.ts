import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component, TextFile, javascript } from 'projen';
import { PROJEN_VERSION_RANGE } from './versions';

/**
 * Options for {@link NpmWorkspaces}.
 */
export interface NpmWorkspacesOptions {
  /**
   * Glob patterns written to the root package.json `workspaces` field.
   * @default ["packages/*"]
   */
  readonly patterns?: string[];

  /**
   * Root tasks that fan out to the task of the same name in every workspace
   * package that defines it, one package after another in dependency order.
   * The root `build` runs projen's build phases (pre-compile, compile,
   * post-compile, test, package) and each phase fans out, so every package is
   * compiled before any package's tests run.
   * @default ["pre-compile", "test", "package", "synth"]
   */
  readonly sequentialTasks?: string[];

  /**
   * Root tasks whose packages run as many at a time as the machine has cores,
   * each as soon as the workspace packages it depends on are done, for steps
   * that keep one core busy each (tsc, a bundler). Each package's output is
   * printed in one piece when it finishes. Tests are not among them: jest
   * already uses every core.
   * @default ["compile", "post-compile"]
   */
  readonly concurrentTasks?: string[];

  /**
   * Root tasks that start the task of the same name in every workspace
   * package at once (long-running development servers).
   * @default ["dev"]
   */
  readonly parallelTasks?: string[];

  /**
   * A shell command to run beside a sequential root task's packages, by task
   * name: `{ test: 'npx projen lint' }` lints while the packages test. The
   * command and the packages then share the cores, one of them per core at a
   * time, the command first and then the packages with the most test files;
   * each one's output is printed when it finishes, and any failure fails the task.
   * @default - nothing runs alongside
   */
  readonly alongside?: { [task: string]: string };

  /**
   * Arguments every package's task gets when it runs beside others (a task
   * with a command `alongside`), by task name: `{ test: ['--maxWorkers=1'] }`
   * keeps each package's jest to the one core it has.
   * @default - none
   */
  readonly alongsideTaskArgs?: { [task: string]: string[] };
}

const RUNNER_PATH = '.projen/run-workspaces.mjs';

/**
 * The PATH every task runs with: each folder's `node_modules/.bin` from the task's working directory up to the
 * filesystem root, then the PATH it was given, which is what `npm run` and `npx` put in front of it (less npm's
 * node-gyp shim, which no task here uses). projen computes it with `npx -c "node --print process.env.PATH"`, which
 * costs about a second of CPU each time a task starts, and a build starts a task some 25 times; one `node -e`
 * costs a tenth of that (bench/tool-times.mjs).
 */
export const TASK_PATH =
  "$(node -e \"const p=require('node:path');const b=[];for(let d=process.cwd();;d=p.dirname(d)){" +
  "b.push(p.join(d,'node_modules','.bin'));if(p.dirname(d)===d)break}" +
  'console.log([...b,process.env.PATH].join(p.delimiter))")';

/**
 * npm workspaces for a projen monorepo.
 *
 * projen has no workspace support of its own: every NodeProject subproject
 * installs its own node_modules. This component turns the root into an npm
 * workspace root instead, so that one root `npm ci` installs every package
 * with shared dependencies hoisted, and subprojects never install on their
 * own. Root tasks fan out to the packages in dependency order, which the
 * runner reads from the workspaces' package.json files when it starts.
 */
export class NpmWorkspaces extends Component {
  /** The workspace glob patterns. */
  public readonly patterns: string[];
  private readonly sequentialTasks: string[];
  private readonly concurrentTasks: string[];
  private readonly parallelTasks: string[];
  private readonly alongside: { [task: string]: string };
  private readonly alongsideTaskArgs: { [task: string]: string[] };
  private readonly root: javascript.NodeProject;
  private subprojectInstallRequested = false;
  private rootInstalled = false;

  constructor(project: javascript.NodeProject, options: NpmWorkspacesOptions = {}) {
    super(project);
    this.root = project;
    this.patterns = options.patterns ?? ['packages/*'];
    this.sequentialTasks = options.sequentialTasks ?? ['pre-compile', 'test', 'package', 'synth'];
    this.concurrentTasks = options.concurrentTasks ?? ['compile', 'post-compile'];
    this.parallelTasks = options.parallelTasks ?? ['dev'];
    this.alongside = options.alongside ?? {};
    this.alongsideTaskArgs = options.alongsideTaskArgs ?? {};
    project.package.addField('workspaces', this.patterns);
    project.tasks.addEnvironment('PATH', TASK_PATH);

    new TextFile(project, RUNNER_PATH, {
      lines: fs
        .readFileSync(path.join(__dirname, '..', 'assets', 'run-workspaces.mjs'), 'utf8')
        .trimEnd()
        .split('\n'),
      readonly: true,
    });

    for (const name of this.sequentialTasks) this.fanOut(name, 'sequential');
    for (const name of this.concurrentTasks) this.fanOut(name, 'concurrent');
    for (const name of this.parallelTasks) this.fanOut(name, 'parallel');

    const rootPackage = installHooksOf(project.package);
    const install = rootPackage.installDependencies.bind(rootPackage);
    rootPackage.installDependencies = (trigger) => {
      this.rootInstalled = true;
      install(trigger);
    };
  }

  public preSynthesize(): void {
    for (const p of this.project.subprojects) {
      if (!(p instanceof javascript.NodeProject)) continue;
      p.tasks.addEnvironment('PATH', TASK_PATH);
      // A workspace package never runs its own `npm install`: the root install covers it. It has no
      // node_modules of its own by design, so only a change to its package.json calls for the root install.
      const pkg = installHooksOf(p.package);
      pkg.logInstallTrigger = () => {};
      pkg.installDependencies = (trigger) => {
        if (trigger?.reason !== javascript.InstallReason.NO_NODE_MODULES) {
          this.subprojectInstallRequested = true;
        }
      };
    }
  }

  public postSynthesize(): void {
    // The root install runs only when the root package.json changed; a change
    // to a workspace package.json needs it too.
    if (this.subprojectInstallRequested && !this.rootInstalled) {
      installHooksOf(this.root.package).installDependencies({ reason: 'workspace package.json changed' });
    }
  }

  private fanOut(name: string, how: 'sequential' | 'concurrent' | 'parallel') {
    const task = this.project.tasks.tryFind(name) ?? this.project.addTask(name);
    task.reset();
    const command = this.alongside[name];
    const taskArgs = command ? (this.alongsideTaskArgs[name] ?? []) : [];
    const modes = {
      sequential: command
        ? [
            `, beside ${JSON.stringify(command)}, one per core at a time`,
            ` --alongside ${JSON.stringify(command)}${taskArgs.length > 0 ? ` -- ${taskArgs.join(' ')}` : ''}`,
          ]
        : [', in dependency order', ''],
      concurrent: [', in dependency order, one per core at a time', ' --concurrent'],
      parallel: [' at once', ' --parallel'],
    };
    const [description, flag] = modes[how];
    task.description = `Runs "${name}" in every workspace package${description}`;
    task.exec(`node ${RUNNER_PATH} ${name}${flag}`);
  }
}

/** What projen's NodePackage passes to `installDependencies` (`InstallTrigger`, not exported by projen's index). */
interface InstallTrigger {
  readonly reason?: string;
}

/**
 * The two members of projen's NodePackage that NpmWorkspaces replaces: `installDependencies(trigger)`
 * (protected, "available for subclasses", but NodeProject builds its NodePackage itself, so no subclass can be
 * put in its place) and `logInstallTrigger(trigger)` (private). NodePackage.postSynthesize calls both when a
 * package.json changed. Projen offers no public way to keep a subproject from installing, so Slipway pins the
 * projen versions it was tested with (PROJEN_VERSION_RANGE) and fails here, naming the fix, when they are gone.
 */
interface NodePackageInstallHooks {
  installDependencies(trigger: InstallTrigger): void;
  logInstallTrigger(trigger: InstallTrigger): void;
}

/** `pkg` seen through its install hooks, after checking projen still has them. */
function installHooksOf(pkg: javascript.NodePackage): NodePackageInstallHooks {
  const hooks = pkg as unknown as NodePackageInstallHooks;
  for (const member of ['installDependencies', 'logInstallTrigger'] as const) {
    if (typeof hooks[member] !== 'function' || hooks[member].length !== 1) {
      throw new Error(
        `@slipway/projen: projen's NodePackage.${member}(trigger) is missing or has changed in this projen version; ` +
          `npm workspaces need it. Install projen ${PROJEN_VERSION_RANGE} (the range @slipway/projen is tested with).`,
      );
    }
  }
  return hooks;
}
