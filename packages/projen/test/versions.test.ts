import * as fs from 'node:fs';
import * as path from 'node:path';
import { CDK_TOOL_VERSIONS, VERSIONS } from '../src/versions';

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');

describe('CDK_TOOL_VERSIONS', () => {
  test('are exact versions, and the CLI is the aws-cdk dev dependency that the lockfile installs', () => {
    expect(CDK_TOOL_VERSIONS.awsCdkCli).toMatch(/^\d+\.\d+\.\d+$/);
    expect(CDK_TOOL_VERSIONS.cdkAssets).toMatch(/^\d+\.\d+\.\d+$/);
    expect(VERSIONS.awsCdkCli).toBe(`^${CDK_TOOL_VERSIONS.awsCdkCli}`);
    const lock = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/aws-cdk'].version).toBe(CDK_TOOL_VERSIONS.awsCdkCli);
  });

  test('reach @slipway/constructs through its generated cdk-tool-versions.ts', () => {
    const generated = fs.readFileSync(
      path.join(REPOSITORY_ROOT, 'packages', 'constructs', 'src', 'pipeline', 'cdk-tool-versions.ts'),
      'utf8',
    );
    expect(generated).toContain(`export const CDK_CLI_VERSION = '${CDK_TOOL_VERSIONS.awsCdkCli}';`);
    expect(generated).toContain(`export const CDK_ASSETS_VERSION = '${CDK_TOOL_VERSIONS.cdkAssets}';`);
  });
});
