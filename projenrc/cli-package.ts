import { typescript } from 'projen';
import { buildWithNativeTsc, PUBLISHED_PACKAGE_DEFAULTS, TYPESCRIPT_LIBRARY_DEFAULTS, typeCheckTests } from './shared';
import { SlipwayProject } from '../packages/projen/src';
import { useFastCdkTests, useFastTests } from '../packages/projen/src/fast-tests';
import { VERSIONS } from '../packages/projen/src/versions';

/**
 * packages/cli → @slipway/cli: the `slipway` ops CLI (verify, status, cost,
 * diagram) and the single-file `slipway verify` bundle the pipeline runs. It
 * reads what the constructs synthesized, so it depends on @slipway/constructs
 * (for the contract module alone at run time), never the other way round.
 */
export function addCli(root: SlipwayProject): typescript.TypeScriptProject {
  const project = new typescript.TypeScriptProject({
    ...PUBLISHED_PACKAGE_DEFAULTS,
    parent: root,
    outdir: 'packages/cli',
    name: '@slipway/cli',
    description:
      'The slipway ops CLI: verify, status, images, doctor and logs of a deployed environment, cost estimate and architecture diagrams from the synthesized app',
    releaseWorkflowName: 'release-cli',
    releaseTagPrefix: 'cli-',
    // The same @slipway/constructs the app synthesizes with: the CLI reads the tags and build arguments it writes
    // (src/contract.ts there). A peer, so the app's own copy is the one read.
    // aws-cdk-lib: its cloud-assembly reader (cx-api) reads cdk.out, the app's own copy again.
    peerDeps: ['@slipway/constructs@>=0.0.0 <1', `aws-cdk-lib@${VERSIONS.awsCdkLib}`],
    deps: [
      '@aws-sdk/client-ecs@^3.1000.0',
      // slipway doctor and slipway logs (CodeStar Connections' API also answers for codeconnections ARNs)
      '@aws-sdk/client-cloudformation@^3.1000.0',
      '@aws-sdk/client-cloudwatch-logs@^3.1000.0',
      '@aws-sdk/client-codestar-connections@^3.1000.0',
      // slipway doctor: the settings' availability zones exist for the account (their names differ per account)
      '@aws-sdk/client-ec2@^3.1000.0',
      // slipway doctor: the registry scans the images the pipeline pushes to the CDK bootstrap repository
      '@aws-sdk/client-ecr@^3.1000.0',
      '@aws-sdk/client-iam@^3.1000.0',
      // slipway doctor: a database restore's snapshot or source database exists and can be restored from
      '@aws-sdk/client-rds@^3.1000.0',
      '@aws-sdk/client-route-53@^3.1000.0',
      // slipway doctor: the secrets and parameters the services' settings reference exist and can be decrypted
      '@aws-sdk/client-secrets-manager@^3.1000.0',
      '@aws-sdk/client-ssm@^3.1000.0',
      '@aws-sdk/client-sts@^3.1000.0',
    ],
    devDeps: [
      `@types/node@${VERSIONS.nodeTypes}`,
      'aws-sdk-client-mock@^4.1.0',
      // Tests encode CloudWatch Logs' live-tail event-stream frames with the codec the SDK decodes them with.
      '@smithy/core@^3.41.1',
      `esbuild@${VERSIONS.esbuild}`,
      // Tests synthesize small apps to read back.
      `constructs@${VERSIONS.constructs}`,
    ],
    bin: { slipway: 'bin/slipway' },
    ...TYPESCRIPT_LIBRARY_DEFAULTS,
  });
  useFastTests(project);
  useFastCdkTests(project);
  // test/diagram/architecture-doc.test.ts draws a stage of the construct library's own test fixtures
  // (packages/constructs/test/fixtures): one definition of the sample services, which follows the constructs' props.
  project.tsconfigDev.file.addOverride('compilerOptions.rootDir', '../..');
  // The pipeline's verification steps run `slipway verify` from this one file, carried in the cloud assembly,
  // with node alone: no npm install in the step (the app passes its path to SlipwayPipeline's verifyBundle).
  const bundleVerify = project.addTask('bundle:verify', {
    description: 'Bundles `slipway verify` into lib/slipway-verify.js, the single file the pipeline runs with node',
    exec: 'esbuild src/verify/pipeline-entry.ts --bundle --platform=node --target=node20 --minify --legal-comments=none --log-level=warning --outfile=lib/slipway-verify.js',
  });
  project.postCompileTask.spawn(bundleVerify);
  project.addTask('bench', {
    description:
      "Times the pipeline verification step's start to first output (bundle vs npx vs node); rewrites its part of docs/performance.md",
    exec: 'node bench/verify-start.mjs',
  });
  project.npmignore?.exclude('/bench/');
  buildWithNativeTsc(project);
  typeCheckTests(project);
  return project;
}
