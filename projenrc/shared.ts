import { javascript, typescript } from 'projen';
import { TSC_NATIVE, VERSIONS } from '../packages/projen/src/versions';

/** Settings the two published packages share with the rest of the monorepo. */
export const PUBLISHED_PACKAGE_DEFAULTS = {
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: false,
  projenDevDependency: false,
  eslint: false,
  prettier: false,
  depsUpgrade: false,
  minNodeVersion: '20.0.0',
  // The release job's versioning tools (conventional-changelog) need Node 22; the packages themselves run on 20.
  workflowNodeVersion: '22.x',
  repository: 'https://github.com/slipway-dev/slipway.git',
  authorName: 'Slipway',
  authorAddress: 'https://github.com/slipway-dev/slipway',
  license: 'Apache-2.0',
  release: true,
  releaseToNpm: true,
  // Test against the same aws-cdk-lib, constructs and projen as every other workspace package, so npm hoists one copy.
  peerDependencyOptions: { pinnedDevDependency: false },
} as const;

/** Compiler and test settings of the two TypeScript libraries, @slipway/constructs and @slipway/cli. */
export const TYPESCRIPT_LIBRARY_DEFAULTS = {
  sampleCode: false,
  typescriptVersion: VERSIONS.typescript,
  tsconfig: {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      skipLibCheck: true,
      esModuleInterop: true,
    },
  },
  jestOptions: {
    jestVersion: VERSIONS.jest,
    // CI must fail on a changed snapshot, never rewrite it.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: { testMatch: ['<rootDir>/test/**/*.test.ts'] },
  },
  // @swc/jest transpiles each test file on its own (tsc type-checks in compile); isolatedModules makes tsc
  // refuse what a file-by-file transpiler cannot get right.
  tsconfigDev: { compilerOptions: { isolatedModules: true } },
};

/**
 * A published package's `compile`: TypeScript 7's native tsc builds lib/ (JavaScript and declarations) in a fraction
 * of 6.0's time; see TYPESCRIPT_NATIVE in packages/projen/src/versions.ts.
 */
export function buildWithNativeTsc(project: typescript.TypeScriptProject): void {
  project.compileTask.reset(`${TSC_NATIVE} --build`);
}

/**
 * A published package's `compile` also type-checks its tests (test/tsconfig.json), with TypeScript 7's tsc: @swc/jest
 * only transpiles them (`useFastTests`), and the build (tsc --build, jsii) reads src/ alone. ts-jest, before it,
 * type-checked each test file as it ran.
 */
export function typeCheckTests(project: typescript.TypeScriptProject): void {
  project.compileTask.exec(`${TSC_NATIVE} --noEmit -p test/tsconfig.json`, { name: 'Type-check the tests' });
}
