import { javascript, typescript } from 'projen';
import { PUBLISHED_PACKAGE_DEFAULTS } from './shared';
import { SlipwayProject } from '../packages/projen/src';
import { turnOffCdkValidationInTests, useFastTests } from '../packages/projen/src/fast-tests';
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
    devDeps: [`@types/node@${VERSIONS.nodeTypes}`, 'aws-sdk-client-mock@^4.1.0'],
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
  });
  useFastTests(project);
  turnOffCdkValidationInTests(project);
  project.package.addBin({ slipway: 'bin/slipway' });
  // docs/security.md is generated from the acknowledgements in the synthesized sample apps;
  // the same test fails in CI when the file is stale.
  project.addTask('docs:security', {
    description:
      'Regenerate docs/security.md (every cdk-nag acknowledgement in the sample apps and the delivery pipeline)',
    env: { SLIPWAY_WRITE_DOCS: '1', CDK_VALIDATION: 'false' },
    exec: 'jest -i --coverage=false test/nag/security-checks.test.ts',
  });
  return project;
}
