import { javascript } from 'projen';

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
