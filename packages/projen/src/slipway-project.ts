import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { github, javascript, typescript } from 'projen';
import { addEnvironmentSamples, resolveAppIdentity } from './app-identity';
import { testServiceSteps } from './ci-services';
import { SlipwayOptionsError } from './errors';
import { NpmWorkspaces } from './npm-workspaces';
import { addRunbook } from './runbook';
import { addSamples, SAMPLES_DIR, TEMPLATES_DIR } from './samples';
import { TypeAwareLint } from './type-aware-lint';
import {
  CI_NODE_MAJOR,
  MIN_NODE_VERSION,
  NODE_MAJOR,
  PROJEN_VERSION_RANGE,
  TYPESCRIPT_NATIVE,
  VERSIONS,
} from './versions';
import { createBackend } from './workspace/backend';
import { createFrontend } from './workspace/frontend';
import { createInfra, environmentNames } from './workspace/infra';
import { addOpsTasks } from './workspace/ops-tasks';

/**
 * Options for {@link SlipwayProject}.
 */
export interface SlipwayProjectOptions extends typescript.TypeScriptProjectOptions {
  /**
   * The npm dependency spec of the shared construct library that
   * packages/infra builds on, as `@slipway/constructs@<version or file:...>`.
   * Point it at a packed tarball to test an unreleased construct library.
   *
   * @default "@slipway/constructs@^<the version of @slipway/projen>"
   */
  readonly constructsDependency?: string;

  /**
   * The npm dependency spec of the `slipway` ops CLI (verify, status, cost,
   * diagram) that packages/infra depends on, as `@slipway/cli@<version or file:...>`.
   * The pipeline's verification steps run its single-file bundle, and the root's
   * `cost`, `diagram` and `docs` tasks run its `slipway` command. Point it at a
   * packed tarball to test an unreleased CLI.
   *
   * @default "@slipway/cli@^<the version of @slipway/projen>"
   */
  readonly cliDependency?: string;

  /**
   * The app's name. It names the stacks (`<appName>-dev`, `<appName>-prod`, `<appName>-pipeline`) and,
   * through them, the dashboards, APIs, roles and log groups; the Cloud Map namespaces are
   * `<environment>.<appName>.local`. Written once into environments/ (which you own from then on) and
   * used by the generated runbook in docs/slipway/.
   *
   * @default - the project's name without its npm scope (the directory name on `projen new`)
   */
  readonly appName?: string;

  /**
   * The repository the pipeline builds, `owner/name` on GitHub, GitLab or Bitbucket.
   *
   * @default "example-org/<appName>", a placeholder that deploying refuses
   */
  readonly sourceRepository?: string;

  /**
   * The AWS region of the environments and the pipeline. dev's sample out-of-hours schedule keeps the working hours
   * of the region's city (`America/New_York` for us-east-2; UTC for a region it does not know).
   *
   * @default "eu-west-1"
   */
  readonly awsRegion?: string;

  /**
   * The dev environment's AWS account id.
   *
   * @default "111111111111", a placeholder that deploying refuses
   */
  readonly devAccount?: string;

  /**
   * The prod environment's AWS account id.
   *
   * @default "222222222222", a placeholder that deploying refuses
   */
  readonly prodAccount?: string;

  /**
   * The AWS account id the delivery pipeline runs in.
   *
   * @default - the dev account
   */
  readonly pipelineAccount?: string;

  /**
   * prod's domain. Its Route 53 hosted zone is the domain without its first label (`shop.acme.io` in `acme.io`).
   *
   * @default "<appName>.example.com", a placeholder that deploying refuses
   */
  readonly prodDomain?: string;
}

/**
 * A Slipway monorepo: a sample Express API, a static frontend, a CDK app with
 * a delivery pipeline, per-environment config, all in npm workspaces.
 *
 * @pjid slipway
 */
export class SlipwayProject extends typescript.TypeScriptProject {
  /** The resolved npm spec of @slipway/constructs used by packages/infra. */
  public readonly constructsDependency: string;
  /** The resolved npm spec of @slipway/cli used by packages/infra. */
  public readonly cliDependency: string;
  /** packages/backend */
  public readonly backend: typescript.TypeScriptProject;
  /** packages/frontend */
  public readonly frontend: typescript.TypeScriptProject;
  /** packages/infra */
  public readonly infra: typescript.TypeScriptProject;
  /** The npm workspaces component that installs and runs every package. */
  public readonly workspaces: NpmWorkspaces;
  /** The app's name (stacks `<appName>-<environment>`), as written into environments/index.ts. */
  public readonly appName: string;

  constructor(options: SlipwayProjectOptions) {
    validateOptions(options);
    const identity = resolveAppIdentity(options.name, options);
    const sampleCode = options.sampleCode ?? true;
    super({
      projenrcTs: true,
      prettier: true,
      prettierOptions: { settings: { singleQuote: true, printWidth: 120 } },
      eslint: true,
      depsUpgrade: true,
      minNodeVersion: MIN_NODE_VERSION,
      workflowNodeVersion: `${CI_NODE_MAJOR}`,
      typescriptVersion: VERSIONS.typescript,
      // The projen versions @slipway/projen is tested with (its peer dependency; see NpmWorkspaces).
      projenVersion: PROJEN_VERSION_RANGE,
      githubOptions: { pullRequestLint: true, mergify: false },
      ...options,
      postBuildSteps: [
        // Screenshots and reports of the browser tests, kept for failed runs too.
        {
          name: 'Upload test output',
          if: 'always()',
          // projen's pinned release (a commit, not a tag that can move), on the Node 24 action runtime.
          uses: github.ActionRefs.ACTIONS_UPLOAD_ARTIFACT,
          with: { name: 'test-output', path: 'packages/*/test-output/', 'if-no-files-found': 'ignore' },
        },
        // Every container started the way Fargate will: mount namespaces need root, which the runner has by sudo.
        { name: 'Fargate contract check', run: 'sudo env "PATH=$PATH" npx projen test:fargate' },
        ...(options.postBuildSteps ?? []),
      ],
      buildWorkflowOptions: {
        // A build that changes tracked files fails the pull request instead of pushing a fix-up commit.
        mutableBuild: false,
        // Nothing in the build pushes (mutableBuild is off): the pull request's code runs with a read-only token.
        permissions: { contents: github.workflows.JobPermission.READ },
        ...options.buildWorkflowOptions,
        // nginx and busybox for the frontend's config tests and the Fargate contract check; PostgreSQL and Redis,
        // started on loopback, for the backend's tests, which require them when CI=true (ci-services.ts).
        preBuildSteps: [...testServiceSteps(), ...(options.buildWorkflowOptions?.preBuildSteps ?? [])],
      },
      // projen writes this README once; without it, a new project's README says "# replace this".
      readme: options.readme ?? (sampleCode ? { contents: templateText('README.md') } : undefined),
      // The root holds no sources of its own: every line of code lives in a workspace package.
      sampleCode: false,
      entrypoint: '',
      entrypointTypes: '',
      jest: false,
      package: false,
      disableTsconfigDev: true,
      // eslint without type information; the type-aware rules run in oxlint (TypeAwareLint).
      eslintOptions: {
        dirs: ['packages', 'environments'],
        projectService: false,
        ...options.eslintOptions,
      },
      release: false,
      packageManager: javascript.NodePackageManager.NPM,
      projenrcTsOptions: { runner: typescript.TypeScriptRunner.tsx(), ...options.projenrcTsOptions },
      tsconfig: {
        include: ['environments/**/*.ts'],
        ...options.tsconfig,
        compilerOptions: {
          rootDir: '.',
          noEmit: true,
          module: 'node16',
          moduleResolution: javascript.TypeScriptModuleResolution.NODE16,
          target: 'ES2022',
          lib: ['ES2023'],
          skipLibCheck: true,
          ...options.tsconfig?.compilerOptions,
        },
      },
    });
    this.constructsDependency = options.constructsDependency ?? `@slipway/constructs@^${ownVersion()}`;
    this.cliDependency = options.cliDependency ?? `@slipway/cli@^${ownVersion()}`;
    this.appName = identity.appName;

    this.package.addField('private', true);
    this.addDevDeps(
      `tsx@${VERSIONS.tsx}`,
      `@types/node@${VERSIONS.nodeTypes}`,
      `${TYPESCRIPT_NATIVE}@${VERSIONS.typescriptNative}`,
    );

    // Right after `projen new`, projen's Eslint component lints and fixes the whole new project, samples that come
    // from this repository's own lint-clean packages. Only the .projenrc.ts that `projen new` wrote from its options
    // needs it (format, import order); the build lints everything.
    const eslint = this.eslint;
    if (eslint) {
      eslint.postProjectCreation = () => {
        console.log('👾 eslint | eslint --fix .projenrc.ts');
        execFileSync('npx', ['eslint', '--ext', '.ts', '--fix', '.projenrc.ts'], {
          cwd: this.outdir,
          stdio: 'inherit',
          env: { ...process.env, ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
        });
      };
      // Lint the whole monorepo once, alongside the packages' tests (see NpmWorkspaces below). projen's own
      // `eslint` task fixes what it can; in a test run a finding must fail instead. The type-aware rules first:
      // they take seconds, eslint's the rest.
      const lint = this.addTask('lint', {
        description: 'Lints every package without fixing anything (`npx projen eslint` fixes)',
        env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
      });
      lint.exec(new TypeAwareLint(this, eslint, LINT_DIRS).command);
      lint.exec(`eslint --ext .ts --no-error-on-unmatched-pattern ${LINT_DIRS.join(' ')}`);
    }

    // Lint and the generated docs (one thread each, one after the other) run beside the packages' tests: they and
    // the packages share the cores, one each, every package's jest on one worker, so no core waits while a package's
    // longest test file runs alone (docs/performance.md, Test times, has the root test's measured time).
    const alongsideTests = [...(this.eslint ? ['npx projen lint'] : []), 'npx projen docs'].join(' && ');
    this.workspaces = new NpmWorkspaces(this, {
      alongside: { test: alongsideTests },
      alongsideTaskArgs: { test: ['--maxWorkers=1'] },
    });
    this.backend = createBackend(this, sampleCode);
    this.frontend = createFrontend(this, sampleCode);
    this.infra = createInfra(this, sampleCode, this.constructsDependency, this.cliDependency);
    addOpsTasks(this, this.infra);

    // The root has no sources to watch; each package has its own dev task.
    this.tasks.removeTask('watch');
    if (sampleCode) {
      addEnvironmentSamples(this, path.join(SAMPLES_DIR, 'environments'), identity);
      addSamples(this, path.join(TEMPLATES_DIR, 'docs'), 'docs');
      // The runbook: Slipway's part of docs/, rewritten by every `npx projen`, read-only.
      addRunbook(this, identity, environmentNames(this.outdir, sampleCode));
    }
  }
}

/** What the root's `lint` checks: every workspace package, the environments and the projen configuration. */
const LINT_DIRS = ['packages', 'environments', 'projenrc', '.projenrc.ts'];

function templateText(file: string): string {
  return fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8');
}

function ownVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  return manifest.version;
}

const NPM_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

function validateOptions(options: SlipwayProjectOptions) {
  if (!NPM_NAME.test(options.name)) {
    throw new SlipwayOptionsError(
      'name',
      options.name,
      'Use a valid npm package name: lower case letters, digits, "-", "." or "_", optionally scoped as @scope/name.',
    );
  }
  validateSlipwayDependency(
    'constructsDependency',
    options.constructsDependency,
    'constructs',
    'the construct library',
  );
  validateSlipwayDependency('cliDependency', options.cliDependency, 'cli', 'the slipway CLI');
  for (const option of ['minNodeVersion', 'workflowNodeVersion'] as const) {
    const value = options[option];
    const major = value === undefined ? undefined : Number(/^v?(\d+)/.exec(value)?.[1]);
    if (value !== undefined && !(major !== undefined && major >= NODE_MAJOR)) {
      throw new SlipwayOptionsError(
        option,
        value,
        `Slipway needs Node.js ${NODE_MAJOR} or later (aws-cdk-lib and the AWS SDK require it); use "${NODE_MAJOR}" or newer.`,
      );
    }
  }
  if (options.packageManager !== undefined && options.packageManager !== javascript.NodePackageManager.NPM) {
    throw new SlipwayOptionsError(
      'packageManager',
      options.packageManager,
      'Slipway monorepos use npm workspaces; remove the option or set it to NodePackageManager.NPM.',
    );
  }
  if (options.defaultReleaseBranch !== undefined && options.defaultReleaseBranch.trim() === '') {
    throw new SlipwayOptionsError(
      'defaultReleaseBranch',
      options.defaultReleaseBranch,
      'Name the branch the pipeline deploys from, e.g. "main".',
    );
  }
}

/** `@slipway/<name>@<version or file:...>`, the full npm spec of one of Slipway's own packages. */
function validateSlipwayDependency(option: string, spec: string | undefined, name: string, what: string): void {
  if (spec !== undefined && !new RegExp(`^@slipway/${name}@\\S+$`).test(spec)) {
    throw new SlipwayOptionsError(
      option,
      spec,
      `Give the full npm spec of ${what}, e.g. "@slipway/${name}@^1.2.0" or "@slipway/${name}@file:/abs/path/slipway-${name}.tgz".`,
    );
  }
}
