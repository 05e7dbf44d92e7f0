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
  nodeTypes: '^20',
  jest: '^30',
  awsCdkLib: '^2.276.0',
  awsCdkCli: '^2.1148.1',
  constructs: '^10.5.0',
  cdkNag: '^3.0.2',
  esbuild: '^0.28.2',
  tsx: '^4.23.0',
  zod: '^4.3.0',
  swcCore: '^1.16.22',
  swcJest: '^0.2.39',
} as const;

/** The Node.js major version generated projects run on (Lambda-free: Fargate images and CI). */
export const NODE_MAJOR = 20;
