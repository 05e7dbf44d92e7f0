import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'projen/lib/testing';
import { SlipwayProject, SlipwayProjectOptions } from '../src';
import { SAMPLES_DIR } from '../src/samples';

function tempOutdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-projen-test-'));
}

function newProject(options: Partial<SlipwayProjectOptions> = {}, outdir = tempOutdir()): SlipwayProject {
  return new SlipwayProject({ name: 'acme-shop', defaultReleaseBranch: 'main', outdir, ...options });
}

function tasksOf(snapshot: Record<string, any>, dir = '') {
  return snapshot[path.posix.join(dir, '.projen/tasks.json')].tasks;
}

describe('SlipwayProject', () => {
  let snapshot: Record<string, any>;
  beforeAll(() => {
    // GIVEN a project with default options / WHEN it is synthesized
    snapshot = Testing.synth(newProject());
  });

  test('has the monorepo top level', () => {
    // THEN the files a user expects at the top are there
    // (.projenrc.ts itself is written by `projen new`, covered by the template end-to-end test)
    for (const file of ['package.json', 'tsconfig.json', 'README.md', '.gitignore']) {
      expect(snapshot[file]).toBeDefined();
    }
    for (const prefix of [
      'packages/backend/',
      'packages/frontend/',
      'packages/infra/',
      'environments/',
      'docs/',
      '.github/workflows/',
    ]) {
      expect(Object.keys(snapshot).some((file) => file.startsWith(prefix))).toBe(true);
    }
  });

  test('is an npm workspace root that holds no sources of its own', () => {
    const root = snapshot['package.json'];
    expect(root.workspaces).toEqual(['packages/*']);
    expect(root.private).toBe(true);
    expect(root.main).toBeUndefined();
    expect(Object.keys(snapshot).some((file) => file.startsWith('src/'))).toBe(false);
  });

  test('names workspace packages after the project and keeps them private', () => {
    for (const dir of ['backend', 'frontend', 'infra']) {
      const pkg = snapshot[`packages/${dir}/package.json`];
      expect(pkg.name).toBe(`acme-shop-${dir}`);
      expect(pkg.private).toBe(true);
    }
  });

  test('shares one version of each common dependency across packages', () => {
    const specs = new Map<string, Set<string>>();
    for (const dir of ['backend', 'frontend', 'infra']) {
      const pkg = snapshot[`packages/${dir}/package.json`];
      for (const [name, spec] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
        specs.set(name, (specs.get(name) ?? new Set()).add(spec as string));
      }
    }
    for (const [name, set] of specs) {
      expect([name, [...set]]).toEqual([name, [...set].slice(0, 1)]);
    }
    expect(snapshot['packages/infra/package.json'].dependencies['aws-cdk-lib']).toBeDefined();
  });

  test('root tasks fan out to the workspace packages through the runner', () => {
    const tasks = tasksOf(snapshot);
    for (const name of ['pre-compile', 'package', 'synth']) {
      expect(tasks[name].steps[0]).toEqual({ exec: `node .projen/run-workspaces.mjs ${name}` });
    }
    // tsc and the bundlers keep one core busy each: packages compile side by side, in dependency order.
    for (const name of ['compile', 'post-compile']) {
      expect(tasks[name].steps).toEqual([{ exec: `node .projen/run-workspaces.mjs ${name} --concurrent` }]);
    }
    expect(tasks.dev.steps[0]).toEqual({ exec: 'node .projen/run-workspaces.mjs dev --parallel' });
    // Lint, then the docs, run beside the packages' tests, one job per core, each package's jest on one worker.
    expect(tasks.test.steps).toEqual([
      {
        exec: 'node .projen/run-workspaces.mjs test --alongside "npx projen lint && npx projen docs" -- --maxWorkers=1',
      },
    ]);
    // The type-aware rules in oxlint, then eslint without a TypeScript program (type-aware-lint.test.ts).
    expect(tasks.lint.steps.map((step: any) => step.exec)).toEqual([
      'oxlint --deny-warnings packages environments projenrc .projenrc.ts',
      'eslint --ext .ts --no-error-on-unmatched-pattern packages environments projenrc .projenrc.ts',
    ]);
    expect(tasks.build.steps.map((s: any) => s.spawn)).toEqual([
      'default',
      'pre-compile',
      'compile',
      'post-compile',
      'test',
      'package',
    ]);
    expect(snapshot['.projen/run-workspaces.mjs']).toContain('dependency cycle');
  });

  test('each package has tasks of its own', () => {
    for (const dir of ['packages/backend', 'packages/frontend', 'packages/infra']) {
      const tasks = tasksOf(snapshot, dir);
      expect(tasks.test).toBeDefined();
      expect(tasks.compile).toBeDefined();
    }
  });

  test("the backend's dev server restarts at once: no shutdown drain under tsx watch (it kills after 5 s)", () => {
    expect(tasksOf(snapshot, 'packages/backend').dev.env).toEqual({ SHUTDOWN_DRAIN_DELAY_MS: '0' });
  });

  test('tests transpile with @swc/jest on every core, and only infra turns CDK validation off', () => {
    for (const dir of ['packages/backend', 'packages/frontend', 'packages/infra']) {
      const manifest = snapshot[`${dir}/package.json`];
      // THEN no ts-jest (tsc type-checks in compile), every core, and coverage of the package's own files
      expect(manifest.jest.transform).toEqual({
        '^.+\\.[t]sx?$': ['@swc/jest', expect.objectContaining({ jsc: expect.anything() })],
        // The backend also transpiles the ES-module-only node-pg-migrate and PGlite's import() to CommonJS.
        ...(dir === 'packages/backend'
          ? { '^.+\\.c?js$': ['@swc/jest', expect.objectContaining({ module: { type: 'commonjs' } })] }
          : {}),
      });
      expect(manifest.jest.maxWorkers).toBe('100%');
      expect(manifest.jest.collectCoverage).toBe(true);
      // istanbul instruments the package's own files; V8's profiler would count all of aws-cdk-lib too
      expect(manifest.jest.coverageProvider).toBe('babel');
      // each module compiled once per jest worker, not once per test file (src/jest-runtime.ts); the root
      // installs @slipway/projen, so every package resolves it
      expect(manifest.jest.runtime).toBe('@slipway/projen/lib/jest-runtime');
      // and each test file's temporary files in a directory of its own, removed after it (src/jest-environment.ts)
      expect(manifest.jest.testEnvironment).toBe('@slipway/projen/lib/jest-environment');
      expect(manifest.devDependencies).toHaveProperty('@swc/jest');
      expect(manifest.devDependencies).toHaveProperty('@swc/core');
      expect(manifest.devDependencies).not.toHaveProperty('ts-jest');
    }
    // THEN aws-cdk-lib's built-in CloudFormation validation is off in infra's test task (the App prop cannot
    // turn it back on: CDK_VALIDATION=false wins), and so are creation stack traces (context, as the CDK CLI passes
    // it); no other package synthesizes a CDK app
    expect(tasksOf(snapshot, 'packages/infra').test.env).toEqual({
      CDK_VALIDATION: 'false',
      CDK_CONTEXT_JSON: '{"aws:cdk:disable-creation-stack-traces":true}',
    });
    expect(tasksOf(snapshot, 'packages/backend').test.env).toBeUndefined();
  });

  test('the Fargate contract check runs apart from `test` (it needs root), from the root and from infra', () => {
    const infra = tasksOf(snapshot, 'packages/infra');
    expect(infra['test:fargate'].steps).toEqual([
      expect.objectContaining({ exec: expect.stringContaining("--testMatch '<rootDir>/test/fargate-contract/") }),
    ]);
    expect(JSON.stringify(infra.test.steps)).not.toContain('fargate');
    expect(infra['test:fargate'].env).toEqual({ CDK_VALIDATION: 'false' });
    expect(infra['fargate:check'].steps).toEqual([
      { spawn: 'synth' },
      { exec: 'tsx build-tools/fargate-contract/main.ts cdk.out' },
    ]);
    expect(tasksOf(snapshot)['test:fargate'].steps).toEqual([
      expect.objectContaining({ exec: 'npx projen test:fargate', cwd: 'packages/infra' }),
    ]);
  });

  test('pull requests build, test, synthesize, run the Fargate contract check and fail when the build changes tracked files', () => {
    const build = snapshot['.github/workflows/build.yml'];
    expect(build).toContain('pull_request');
    expect(build).toContain('npx projen build');
    expect(build).toContain('apt-get install -y nginx busybox');
    expect(build).toContain('sudo env "PATH=$PATH" npx projen test:fargate');
    expect(build).toMatch(/git diff --(staged --)?(patch )?--exit-code|Found mutations|self-mutation/);
    expect(build).not.toContain('push-to-pr-branch');
  });

  test("the build runs on the pipeline's Node.js LTS with a read-only token, and uploads its test output with a pinned action", () => {
    const build = snapshot['.github/workflows/build.yml'];
    expect(build).toContain('node-version: "24"');
    expect(build).toMatch(/permissions:\n\s+contents: read\n/);
    expect(build).not.toMatch(/contents: write/);
    // projen's pinned upload-artifact (a commit, not the movable v4 tag, which also ran on the retired Node 20 runtime).
    expect(build).toMatch(/uses: actions\/upload-artifact@[0-9a-f]{40}\n/);
  });

  test('dependency upgrades arrive as a scheduled pull request, and PR titles are linted', () => {
    const upgrade = snapshot['.github/workflows/upgrade.yml'];
    expect(upgrade).toContain('schedule');
    expect(upgrade).toContain('create-pull-request');
    expect(snapshot['.github/workflows/pull-request-lint.yml']).toContain('amannn/action-semantic-pull-request');
  });

  test('points infra at the construct library release that matches the project type', () => {
    const infra = snapshot['packages/infra/package.json'];
    expect(infra.dependencies['@slipway/constructs']).toMatch(/^\^\d+\.\d+\.\d+/);
  });

  test('gives infra the slipway CLI at the same version rule, for the pipeline and the root ops tasks', () => {
    const infra = snapshot['packages/infra/package.json'];
    // A runtime dependency: synth copies its verify bundle into the cloud assembly.
    expect(infra.dependencies['@slipway/cli']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(infra.dependencies['@slipway/cli']).toBe(infra.dependencies['@slipway/constructs']);
    // npm links its `slipway` bin into the root node_modules/.bin, where the root tasks call it.
    const tasks = snapshot['.projen/tasks.json'].tasks;
    for (const task of ['cost', 'diagram', 'docs', 'docs:check']) {
      expect(tasks[task].steps.some((step: { exec?: string }) => step.exec?.startsWith('slipway '))).toBe(true);
    }
  });

  test("writes Slipway's READMEs, not projen's placeholder", () => {
    expect(snapshot['README.md']).toContain('Slipway');
    for (const dir of ['backend', 'frontend', 'infra']) {
      expect(snapshot[`packages/${dir}/README.md`]).not.toContain('# replace this');
    }
  });

  test('writes the sample code of every package and the environments', () => {
    const files = Object.keys(snapshot);
    for (const dir of ['packages/backend/src/', 'packages/frontend/', 'packages/infra/src/', 'environments/']) {
      expect(files.some((file) => file.startsWith(dir) && file.endsWith('.ts'))).toBe(true);
    }
    // test/ already holds projen's test/tsconfig.json when the samples are written: the sample tests come too
    for (const dir of ['packages/backend/test/', 'packages/frontend/test/', 'packages/infra/test/']) {
      expect(files.some((file) => file.startsWith(dir) && file.endsWith('.test.ts'))).toBe(true);
    }
  });
});

describe('constructsDependency', () => {
  test('sets the spec of @slipway/constructs in infra', () => {
    // GIVEN a packed tarball spec
    const spec = '@slipway/constructs@file:/tmp/slipway-constructs-1.0.0.tgz';
    // WHEN
    const snapshot = Testing.synth(newProject({ constructsDependency: spec }));
    // THEN
    expect(snapshot['packages/infra/package.json'].dependencies['@slipway/constructs']).toBe(
      'file:/tmp/slipway-constructs-1.0.0.tgz',
    );
  });
});

describe('cliDependency', () => {
  test('sets the spec of @slipway/cli in infra', () => {
    // GIVEN a packed tarball spec
    const spec = '@slipway/cli@file:/tmp/slipway-cli-1.0.0.tgz';
    // WHEN
    const snapshot = Testing.synth(newProject({ cliDependency: spec }));
    // THEN
    expect(snapshot['packages/infra/package.json'].dependencies['@slipway/cli']).toBe(
      'file:/tmp/slipway-cli-1.0.0.tgz',
    );
  });
});

describe('sample code', () => {
  // synth() outside Testing.synth would run npm install in the temp project.
  beforeAll(() => {
    process.env.PROJEN_DISABLE_POST = 'true';
  });
  afterAll(() => {
    delete process.env.PROJEN_DISABLE_POST;
  });

  test('is written once and never overwritten on re-synth', () => {
    // GIVEN a synthesized project whose user edited a sample file and a generated file
    const outdir = tempOutdir();
    newProject({}, outdir).synth();
    const sampleName = fs.readdirSync(path.join(SAMPLES_DIR, 'backend', 'src')).find((f) => f.endsWith('.ts'))!;
    const sample = path.join(outdir, 'packages', 'backend', 'src', sampleName);
    const generated = path.join(outdir, 'packages', 'backend', 'package.json');
    expect(fs.existsSync(sample)).toBe(true);
    fs.chmodSync(generated, 0o644);
    fs.writeFileSync(sample, '// mine now\n');
    fs.writeFileSync(generated, '{}');
    const testDir = path.join(outdir, 'packages', 'backend', 'test');
    const sampleTest = fs.readdirSync(testDir).find((f) => f.endsWith('.test.ts'))!;
    fs.rmSync(path.join(testDir, sampleTest));
    // WHEN the project is synthesized again
    newProject({}, outdir).synth();
    // THEN the sample keeps the user's edit and the generated file is restored
    expect(fs.readFileSync(sample, 'utf8')).toBe('// mine now\n');
    // a sample test the user deleted stays deleted
    expect(fs.existsSync(path.join(testDir, sampleTest))).toBe(false);
    expect(JSON.parse(fs.readFileSync(generated, 'utf8')).name).toBe('acme-shop-backend');
  });

  test('can be left out', () => {
    const snapshot = Testing.synth(newProject({ sampleCode: false }));
    expect(Object.keys(snapshot).some((file) => file.startsWith('packages/backend/src/'))).toBe(false);
    expect(snapshot['packages/backend/package.json']).toBeDefined();
  });
});

describe('option validation', () => {
  test.each([
    [{ name: 'Acme Shop' }, /option "name" is invalid; got "Acme Shop"\. Use a valid npm package name/],
    [
      { constructsDependency: 'file:/tmp/x.tgz' },
      /option "constructsDependency" is invalid; got "file:\/tmp\/x\.tgz"\. Give the full npm spec/,
    ],
    [{ constructsDependency: '@slipway/constructs@' }, /option "constructsDependency" is invalid/],
    [
      { cliDependency: 'file:/tmp/x.tgz' },
      /option "cliDependency" is invalid; got "file:\/tmp\/x\.tgz"\. Give the full npm spec of the slipway CLI, e\.g\. "@slipway\/cli@\^1\.2\.0"/,
    ],
    [{ cliDependency: '@slipway/constructs@^1.0.0' }, /option "cliDependency" is invalid/],
    [{ cliDependency: '@slipway/cli@' }, /option "cliDependency" is invalid/],
    [{ minNodeVersion: '18.0.0' }, /option "minNodeVersion" is invalid; got "18\.0\.0"\. Slipway needs Node\.js 20/],
    [{ workflowNodeVersion: 'lts/*' }, /option "workflowNodeVersion" is invalid; got "lts\/\*"/],
    [
      { packageManager: 'pnpm' as any },
      /option "packageManager" is invalid; got "pnpm"\. Slipway monorepos use npm workspaces/,
    ],
    [{ defaultReleaseBranch: ' ' }, /option "defaultReleaseBranch" is invalid; got " "\. Name the branch/],
  ])('rejects %j', (options, message) => {
    expect(() => newProject(options as Partial<SlipwayProjectOptions>)).toThrow(message);
  });
});
