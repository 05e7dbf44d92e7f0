import { javascript, typescript } from 'projen';
import { PUBLISHED_PACKAGE_DEFAULTS } from './shared';
import { SlipwayProject } from '../packages/projen/src';
import { VERSIONS } from '../packages/projen/src/versions';

/**
 * packages/constructs → @slipway/constructs: the shared CDK construct library
 * (network, ingress, services, nag enforcement, pipeline) and the ops CLI.
 */
export function addConstructLibrary(root: SlipwayProject): typescript.TypeScriptProject {
  const project = new typescript.TypeScriptProject({
    ...PUBLISHED_PACKAGE_DEFAULTS,
    parent: root,
    outdir: 'packages/constructs',
    name: '@slipway/constructs',
    description:
      'Secure-by-default CDK constructs for Fargate web apps, with cdk-nag enforced, and the slipway ops CLI',
    releaseWorkflowName: 'release-constructs',
    releaseTagPrefix: 'constructs-',
    sampleCode: false,
    typescriptVersion: VERSIONS.typescript,
    peerDeps: [`aws-cdk-lib@${VERSIONS.awsCdkLib}`, `constructs@${VERSIONS.constructs}`],
    deps: [`cdk-nag@${VERSIONS.cdkNag}`, `zod@${VERSIONS.zod}`, '@aws-sdk/client-ecs@^3.1000.0'],
    devDeps: [`@types/node@${VERSIONS.nodeTypes}`, 'aws-sdk-client-mock@^4.1.0', `esbuild@${VERSIONS.esbuild}`],
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
    // ts-jest transpiles each test file on its own (fast; tsc type-checks in compile). It reads this from the
    // test tsconfig now that its own isolatedModules option is deprecated.
    tsconfigDev: { compilerOptions: { isolatedModules: true } },
  });
  project.package.addBin({ slipway: 'bin/slipway' });
  // The pipeline's verification steps run `slipway verify` from this one file, carried in the cloud assembly,
  // with node alone: no npm install in the step (SlipwayPipeline copies it there at synth).
  const bundleVerify = project.addTask('bundle:verify', {
    description: 'Bundles `slipway verify` into lib/slipway-verify.js, the single file the pipeline runs with node',
    exec: 'esbuild src/cli/verify/pipeline-entry.ts --bundle --platform=node --target=node20 --minify --legal-comments=none --log-level=warning --outfile=lib/slipway-verify.js',
  });
  project.postCompileTask.spawn(bundleVerify);
  project.addTask('bench', {
    description:
      "Times the pipeline verification step's start to first output (bundle vs npx vs node); rewrites its part of docs/performance.md",
    exec: 'node bench/verify-start.mjs',
  });
  project.npmignore?.exclude('/bench/');
  // docs/security.md is generated from the acknowledgements in the synthesized sample apps;
  // the same test fails in CI when the file is stale.
  project.addTask('docs:security', {
    description:
      'Regenerate docs/security.md (every cdk-nag acknowledgement in the sample apps and the delivery pipeline)',
    env: { SLIPWAY_WRITE_DOCS: '1' },
    exec: 'jest -i --coverage=false test/nag/security-checks.test.ts',
  });
  return project;
}
