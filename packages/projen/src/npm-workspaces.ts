import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component, TextFile, javascript } from 'projen';

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
   * @default ["pre-compile", "compile", "post-compile", "test", "package", "synth"]
   */
  readonly sequentialTasks?: string[];

  /**
   * Root tasks that start the task of the same name in every workspace
   * package at once (long-running development servers).
   * @default ["dev"]
   */
  readonly parallelTasks?: string[];

  /**
   * A shell command to run while a sequential root task's packages run, by task
   * name: `{ test: 'npx projen lint' }` lints while the packages test. A
   * single-threaded check keeps a core busy that the packages leave idle at
   * times; its output is printed after the packages', and its failure fails the task.
   * @default - nothing runs alongside
   */
  readonly alongside?: { [task: string]: string };
}

const RUNNER_PATH = '.projen/run-workspaces.mjs';

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
  private readonly parallelTasks: string[];
  private readonly alongside: { [task: string]: string };
  private readonly root: javascript.NodeProject;
  private subprojectInstallRequested = false;
  private rootInstalled = false;

  constructor(project: javascript.NodeProject, options: NpmWorkspacesOptions = {}) {
    super(project);
    this.root = project;
    this.patterns = options.patterns ?? ['packages/*'];
    this.sequentialTasks = options.sequentialTasks ?? [
      'pre-compile',
      'compile',
      'post-compile',
      'test',
      'package',
      'synth',
    ];
    this.parallelTasks = options.parallelTasks ?? ['dev'];
    this.alongside = options.alongside ?? {};
    project.package.addField('workspaces', this.patterns);

    new TextFile(project, RUNNER_PATH, {
      lines: fs
        .readFileSync(path.join(__dirname, '..', 'assets', 'run-workspaces.mjs'), 'utf8')
        .trimEnd()
        .split('\n'),
      readonly: true,
    });

    for (const name of this.sequentialTasks) this.fanOut(name, false);
    for (const name of this.parallelTasks) this.fanOut(name, true);

    const rootPackage = project.package as any;
    const install = rootPackage.installDependencies.bind(rootPackage);
    rootPackage.installDependencies = (trigger: unknown) => {
      this.rootInstalled = true;
      install(trigger);
    };
  }

  public preSynthesize(): void {
    for (const p of this.project.subprojects) {
      if (!(p instanceof javascript.NodeProject)) continue;
      // A workspace package never runs its own `npm install`: the root install covers it. It has no
      // node_modules of its own by design, so only a change to its package.json calls for the root install.
      const pkg = p.package as any;
      pkg.logInstallTrigger = () => {};
      pkg.installDependencies = (trigger: { reason?: string }) => {
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
      (this.root.package as any).installDependencies({ reason: 'workspace package.json changed' });
    }
  }

  private fanOut(name: string, parallel: boolean) {
    const task = this.project.tasks.tryFind(name) ?? this.project.addTask(name);
    task.reset();
    task.description = `Runs "${name}" in every workspace package${parallel ? ' at once' : ', in dependency order'}`;
    const command = this.alongside[name];
    const mode = parallel ? ' --parallel' : command ? ` --alongside ${JSON.stringify(command)}` : '';
    task.exec(`node ${RUNNER_PATH} ${name}${mode}`);
  }
}
