import { javascript, typescript } from 'projen';
import { VERSIONS } from './versions';

/** The file pattern projen's ts-jest transform is registered under. */
const TS_TRANSFORM_PATTERN = '^.+\\.[t]sx?$';

/** The module runtime jest uses in every package: jest's own, compiling each module once per worker. */
export const JEST_RUNTIME = '@slipway/projen/lib/jest-runtime';

/** The test environment of every package: jest's node environment, with a temporary directory per test file. */
export const JEST_ENVIRONMENT = '@slipway/projen/lib/jest-environment';

/**
 * Makes a package's tests start fast and use the whole machine.
 *
 * - @swc/jest transpiles instead of ts-jest: ts-jest spends seconds in every
 *   worker loading the TypeScript compiler and transpiling each file on a fresh
 *   clone's empty cache. `compile` type-checks with tsc, and the test tsconfig's
 *   `isolatedModules` keeps every file transpilable on its own.
 * - Every core: jest's default leaves one core idle, which on a 2-core CI
 *   machine (and the pipeline's Synth step) means one test file at a time.
 * - Coverage by instrumenting the package's own files (jest's `babel`
 *   provider, istanbul) instead of V8's profiler (projen's default `v8`):
 *   V8's precise coverage counts every block of every script the test process
 *   runs, aws-cdk-lib's thousands of files included, and jest then copies all
 *   of it out of V8 after each test file only to keep the package's own (one
 *   diagnostic run of the constructs tests: 122 CPU-seconds with V8, 50 with
 *   istanbul). Istanbul counts only what it instrumented, and jest caches the
 *   instrumented files like transforms.
 * - Each module compiled once per worker instead of once per test file: jest
 *   30 compiles every module again in each test file's context, in a way V8
 *   never caches; the runtime in jest-runtime.ts compiles it so that V8 does.
 *   The modules still run afresh in each test file.
 * - Nothing left in the temporary directory: each test file gets one of its
 *   own, removed after it (jest-environment.ts). CDK writes a cloud assembly
 *   there for every App a test synthesizes.
 *
 * @swc/jest hoists `jest.mock` calls above the imports as ts-jest does, and
 * writes inline source maps, so coverage maps to the TypeScript lines.
 */
export function useFastTests(project: typescript.TypeScriptProject): void {
  const jest = project.jest;
  if (!jest) return;
  jest.config.transform = {
    ...jest.config.transform,
    [TS_TRANSFORM_PATTERN]: new javascript.Transform('@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    }),
  };
  jest.config.maxWorkers = '100%';
  jest.config.coverageProvider = 'babel';
  jest.config.runtime = JEST_RUNTIME;
  jest.config.testEnvironment = JEST_ENVIRONMENT;
  project.deps.removeDependency('ts-jest');
  project.addDevDeps(`@swc/core@${VERSIONS.swcCore}`, `@swc/jest@${VERSIONS.swcJest}`);
}

/**
 * Test tasks of packages that synthesize CDK apps leave out two things of aws-cdk-lib's that cost time in every
 * test file and that no unit test looks at:
 *
 * - the built-in CloudFormation template validation: its WebAssembly engine starts again in every test file
 *   (seconds each) and only ever warns. aws-cdk-lib runs it unless `CDK_VALIDATION` is `false`,
 *   which it reads at synth; jest gives each test file its own copy of `process.env`, so the one test
 *   that runs the validation over the whole app turns it back on for itself.
 * - the creation stack trace aws-cdk-lib records on every CloudFormation element (`aws:cdk:creationStack`
 *   metadata): under jest each one goes through jest's source-map stack formatting, about 8 % of the constructs
 *   tests' CPU. `CDK_CONTEXT_JSON` is how the CDK CLI passes context to an app; the CLI sets its own when it runs
 *   one, so `cdk synth` and deploys are unchanged.
 */
export function useFastCdkTests(project: javascript.NodeProject): void {
  project.testTask.env('CDK_VALIDATION', 'false');
  project.testTask.env('CDK_CONTEXT_JSON', JSON.stringify({ 'aws:cdk:disable-creation-stack-traces': true }));
}
