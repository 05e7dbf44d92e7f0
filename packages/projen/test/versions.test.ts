import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CDK_TOOL_VERSIONS, TSC_NATIVE, TYPESCRIPT_NATIVE, VERSIONS } from '../src/versions';

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

describe("TSC_NATIVE, the app packages' type-check", () => {
  // Run from a workspace package, as the compile task is: this package sits where the app packages do.
  const tsc = (...args: string[]) =>
    spawnSync('sh', ['-c', `${TSC_NATIVE} ${args.join(' ')}`], {
      cwd: path.join(REPOSITORY_ROOT, 'packages', 'projen'),
      encoding: 'utf8',
    });

  test('is TypeScript 7, installed at the root beside TypeScript 6 under its alias', () => {
    expect(tsc('--version').stdout).toMatch(/^Version 7\./);
    const installed = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect(installed(TYPESCRIPT_NATIVE)).toMatch(/^7\./);
    expect(installed('typescript')).toMatch(/^6\./);
  });

  test('fails on a type error, naming file, line and code', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-tsc-native-'));
    const file = path.join(dir, 'broken.ts');
    fs.writeFileSync(file, 'export const port: number = "8080";\n');
    try {
      const result = tsc('--ignoreConfig', '--noEmit', '--strict', file);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toContain(
        "broken.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
