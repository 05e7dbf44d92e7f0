import { cdk, javascript } from 'projen';
import { PUBLISHED_PACKAGE_DEFAULTS, typeCheckTests } from './shared';
import { SlipwayProject } from '../packages/projen/src';
import { useFastTests } from '../packages/projen/src/fast-tests';
import { PROJEN_VERSION_RANGE, VERSIONS } from '../packages/projen/src/versions';

/**
 * packages/projen → @slipway/projen: the project type, compiled with jsii so
 * that `projen new --from` can read its options.
 */
export function addProjectType(root: SlipwayProject): cdk.JsiiProject {
  const project = new cdk.JsiiProject({
    ...PUBLISHED_PACKAGE_DEFAULTS,
    parent: root,
    outdir: 'packages/projen',
    name: '@slipway/projen',
    description: 'The Slipway projen project type: a Fargate web app monorepo with CDK pipeline, secure by default',
    author: 'Slipway',
    authorAddress: 'https://github.com/slipway-dev/slipway',
    releaseWorkflowName: 'release-projen',
    releaseTagPrefix: 'projen-',
    jsiiVersion: '~6.0.16',
    typescriptVersion: VERSIONS.typescript,
    docgen: false,
    sampleCode: false,
    peerDeps: [`projen@${PROJEN_VERSION_RANGE}`, `constructs@${VERSIONS.constructs}`],
    devDeps: [`@types/node@${VERSIONS.nodeTypes}`],
    keywords: ['projen', 'aws-cdk', 'fargate', 'ecs', 'slipway'],
    jestOptions: { jestVersion: VERSIONS.jest, updateSnapshot: javascript.UpdateSnapshot.NEVER },
    // @swc/jest transpiles each test file on its own (tsc type-checks in compile); isolatedModules makes tsc
    // refuse what a file-by-file transpiler cannot get right.
    tsconfigDev: { compilerOptions: { isolatedModules: true } },
    gitignore: ['/samples/'],
  });
  useFastTests(project);
  typeCheckTests(project);
  project.npmignore?.exclude('/scripts/', '/bench/');
  // projen adds these two unversioned and resolves them from the package's own install, which a workspace
  // package never runs: without a version they would be dropped from package.json. Pin them.
  for (const [name, version] of [
    ['jsii-pacmak', '^1.140.0'],
    ['jsii-diff', '^1.134.0'],
  ]) {
    project.deps.removeDependency(name);
    project.addDevDeps(`${name}@${version}`);
  }
  // Samples are copied from this repository's packages before each compile.
  project.preCompileTask.exec('node scripts/copy-samples.mjs');
  project.addTask('test:template', {
    description:
      'End-to-end: pack, `projen new --from` the packed tarball, build the generated project, check idempotency',
    exec: 'node scripts/template-e2e.mjs',
    receiveArgs: true,
  });
  project.addTask('bench:tests', {
    description:
      "Times the root `npx projen test` and a generated project's build against a baseline commit (--ci: also .ci/run); writes docs/performance.md",
    exec: 'node bench/test-times.mjs',
    receiveArgs: true,
  });
  project.addTask('bench:tools', {
    description:
      "Times the lint's type-aware rules in oxlint, TypeScript 7's tsc and the tasks' PATH against what they replaced; writes docs/performance.md",
    exec: 'node bench/tool-times.mjs',
    receiveArgs: true,
  });
  project.addTask('bench', {
    description: 'Measures npm ci, the root build and the template e2e in a fresh clone; writes docs/performance.md',
    exec: 'node bench/foundation-timings.mjs',
  });
  return project;
}
