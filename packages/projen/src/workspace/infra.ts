import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonFile, typescript } from 'projen';
import { useFastCdkTests } from '../fast-tests';
import { SAMPLES_DIR } from '../samples';
import { CDK_TOOL_VERSIONS, TSC_NATIVE, VERSIONS } from '../versions';
import { createAppPackage } from './app-package';

/**
 * The import path of the repository's environments/ folder inside packages/infra (`#environments`,
 * `#environments/dev`): a tsconfig `paths` alias, so the dependency on a folder outside the package is declared
 * in one place. `#` as in Node's subpath imports: it can never be an npm package name.
 */
export const ENVIRONMENTS_ALIAS = '#environments';

/** What the deploy/diff/destroy tasks can act on besides environments. */
const PIPELINE_TARGET = 'pipeline';

/**
 * packages/infra: the CDK app, one Stage per environment plus the delivery pipeline.
 *
 * Synth runs an esbuild bundle of src/ and environments/ (lib/*.js), never
 * ts-node: `compile` type-checks, `bundle` transpiles in well under a second.
 * Tasks per environment are made from the file names in environments/ when
 * projen runs (`deploy:dev`, `diff:prod`, ...); the generic `deploy`, `diff`
 * and `destroy` take the environment as an argument (`npx projen deploy staging`),
 * so a new environment can be deployed before projen runs again.
 */
export function createInfra(
  root: typescript.TypeScriptProject,
  sampleCode: boolean,
  constructsDependency: string,
  cliDependency: string,
): typescript.TypeScriptProject {
  const project = createAppPackage(root, {
    dir: 'infra',
    description: 'The CDK app: the pipeline stack and one Stage per environment',
    sampleCode,
    include: ['../../environments/**/*.ts'],
    deps: [
      `aws-cdk-lib@${VERSIONS.awsCdkLib}`,
      `constructs@${VERSIONS.constructs}`,
      `cdk-nag@${VERSIONS.cdkNag}`,
      constructsDependency,
      // The pipeline's verification steps run its verify bundle; the root's ops tasks run its `slipway` command.
      cliDependency,
    ],
    jestConfig: {
      // Staged Docker contexts in cdk.out carry package.json files jest would index as duplicate modules.
      modulePathIgnorePatterns: ['<rootDir>/cdk.out/'],
      // The ENVIRONMENTS_ALIAS below, for jest (tsc and esbuild read it from tsconfig.json).
      moduleNameMapper: {
        [`^${ENVIRONMENTS_ALIAS}$`]: '<rootDir>/../../environments/index.ts',
        [`^${ENVIRONMENTS_ALIAS}/(.*)$`]: '<rootDir>/../../environments/$1',
      },
    },
    // ts-node only for bench/: the stock CDK app it times Slipway's synth against runs through it.
    // cdk-assets: the version the pipeline's asset-publishing steps install, which test/app.test.ts runs over the
    // synthesized asset manifests (it refuses a cloud assembly schema newer than its own).
    devDeps: [
      `aws-cdk@${VERSIONS.awsCdkCli}`,
      `cdk-assets@${CDK_TOOL_VERSIONS.cdkAssets}`,
      `esbuild@${VERSIONS.esbuild}`,
      `tsx@${VERSIONS.tsx}`,
      'ts-node@^10.9.2',
    ],
  });

  // CDK's built-in template validation is off in tests but one: test/app.test.ts runs it over the whole app.
  useFastCdkTests(project);

  // infra's one input from outside its folder, declared here rather than reached by `../../../environments`:
  // `import { promotionOrder } from '#environments'`. tsc, tsx and esbuild (the bundle) resolve it from
  // tsconfig.json's `paths`, jest from moduleNameMapper above, eslint's import resolver from this tsconfig too.
  project.tsconfig?.file.addOverride('compilerOptions.paths', {
    [ENVIRONMENTS_ALIAS]: ['../../environments/index.ts'],
    [`${ENVIRONMENTS_ALIAS}/*`]: ['../../environments/*'],
  });
  const infraDir = path.posix.relative(root.outdir, project.outdir).split(path.sep).join('/');
  root.eslint?.file.addOverride('settings.import/resolver.typescript.project', [
    './tsconfig.json',
    `./${infraDir}/tsconfig.json`,
  ]);
  root.eslint?.file.addOverride('settings.import/resolver.typescript.noWarnOnMultipleProjects', true);
  // A repository folder, not a package: eslint-plugin-import must not look for it among the dependencies.
  root.eslint?.file.addOverride('settings.import/internal-regex', `^${ENVIRONMENTS_ALIAS}(/|$)`);

  // environments/ lives beside packages/: both tsconfigs take the repository root as rootDir.
  // Nothing is emitted by tsc; lib/ is the esbuild bundle.
  project.tsconfig?.file.addOverride('compilerOptions.rootDir', '../..');
  project.tsconfig?.file.addOverride('compilerOptions.noEmit', true);
  project.tsconfig?.addInclude('build-tools/**/*.ts');
  project.tsconfig?.addInclude('bench/**/*.ts');
  for (const dir of ['src', 'bench', 'build-tools']) project.tsconfigDev.addInclude(`../${dir}/**/*.ts`);
  project.tsconfigDev.addInclude('../../../environments/**/*.ts');
  project.tsconfigDev.file.addOverride('compilerOptions.rootDir', '../../..');
  project.compileTask.reset(`${TSC_NATIVE} --noEmit -p test/tsconfig.json`, {
    name: 'Type-check sources, environments, tests, benchmarks and build tools',
  });

  const bundle = project.addTask('bundle', {
    description: 'Bundles src/ and environments/ with esbuild into lib/ (main.js for cdk.json, synth.js, cdk-run.js)',
    exec: 'tsx build-tools/bundle.ts',
  });
  project.postCompileTask.spawn(bundle);

  const synth = project.addTask('synth', {
    description:
      'Synthesizes every environment and the pipeline into cdk.out, offline, and prints stacks, resource counts and the cdk-nag result',
  });
  synth.spawn(bundle);
  synth.exec('node lib/synth.js');

  // The Fargate contract check: every container of every task definition in the synthesized app, run the way
  // Fargate runs it, in Linux mount namespaces (root only; Debian's nginx and busybox stand in for the images'
  // programs). Not part of `test`: a CodeBuild or laptop run without root could not start it.
  project.addTask('test:fargate', {
    description:
      "Starts every container of a fresh synth the way Fargate will (read-only root, root-owned volumes, the image's user) and checks it becomes healthy; needs root, nginx and busybox",
    exec: "jest --ci --coverage=false --maxConcurrency=16 --testMatch '<rootDir>/test/fargate-contract/**/*.contract.ts'",
    receiveArgs: true,
    // It synthesizes to read the task definitions; the template validation runs in `test` (test/app.test.ts).
    env: { CDK_VALIDATION: 'false' },
  });
  const fargateCheck = project.addTask('fargate:check', {
    description:
      'Synthesizes, then starts every container of cdk.out the way Fargate will and prints one line each (needs root)',
  });
  fargateCheck.spawn(synth);
  fargateCheck.exec('tsx build-tools/fargate-contract/main.ts cdk.out');
  root.addTask('test:fargate', {
    description: `The Fargate contract check of ${infraDir} (root only): every container started as Fargate starts it`,
    steps: [{ exec: 'npx projen test:fargate', cwd: infraDir, receiveArgs: true }],
  });

  new JsonFile(project, 'cdk.json', {
    obj: {
      app: 'node lib/main.js',
      output: 'cdk.out',
      // `cdk deploy` publishes the Docker images it builds for the stage; the pipeline does it in its Assets stage.
      build: 'npx projen bundle',
    },
  });
  project.gitignore.addPatterns('/cdk.out/', '/lib/');

  const actions = {
    deploy: 'Deploys',
    diff: 'Shows the changes a deploy would make to',
    destroy: 'Destroys',
  } as const;
  for (const [action, verb] of Object.entries(actions)) {
    const generic = project.addTask(action, {
      description: `${verb} the stacks of one environment, or the pipeline stack: npx projen ${action} <environment|${PIPELINE_TARGET}>`,
      receiveArgs: true,
    });
    generic.spawn(bundle);
    generic.exec(`node lib/cdk-run.js ${action}`, { receiveArgs: true });
    for (const target of [...environmentNames(root.outdir, sampleCode), PIPELINE_TARGET]) {
      const task = project.addTask(`${action}:${target}`, {
        description:
          target === PIPELINE_TARGET
            ? `${verb} the pipeline stack`
            : `${verb} the ${target} environment directly, without the pipeline`,
        receiveArgs: true,
      });
      task.spawn(bundle);
      task.exec(`node lib/cdk-run.js ${action} ${target}`, { receiveArgs: true });
    }
  }

  project.addTask('bench', {
    description: 'Times synth against a stock CDK app run through ts-node; rewrites its part of docs/performance.md',
    exec: 'tsx bench/synth.ts',
  });

  // The bundle script and the benchmark run esbuild and aws-cdk (dev dependencies).
  root.eslint?.allowDevDeps('packages/infra/build-tools/**');
  root.eslint?.allowDevDeps('packages/infra/bench/**');
  // The cloud assembly holds staged copies of the Docker build contexts (TypeScript sources included).
  root.eslint?.addIgnorePattern(
    `${path.posix.relative(root.outdir, project.outdir).split(path.sep).join('/')}/cdk.out/`,
  );
  // environments/ sits at the root but is infra's input: its imports are infra's dependencies.
  root.eslint?.addOverride({
    files: ['environments/**/*.ts'],
    rules: {
      'import/no-extraneous-dependencies': [
        'error',
        { packageDir: ['.', path.posix.relative(root.outdir, project.outdir).split(path.sep).join('/')] },
      ],
    },
  });
  return project;
}

/**
 * The environment names of the project being synthesized: the `.ts` files of
 * its environments/ folder other than index.ts. On the first synth of a new
 * project that folder is not written yet, so the sample's names are used.
 */
export function environmentNames(rootDir: string, sampleCode: boolean): string[] {
  const own = path.join(rootDir, 'environments');
  const dir = fs.existsSync(own) ? own : sampleCode ? path.join(SAMPLES_DIR, 'environments') : undefined;
  if (!dir || !fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts') && file !== 'index.ts',
    )
    .map((file) => file.slice(0, -'.ts'.length))
    .filter((name) => /^[a-z][a-z0-9-]*$/.test(name) && name !== PIPELINE_TARGET)
    .sort();
}
