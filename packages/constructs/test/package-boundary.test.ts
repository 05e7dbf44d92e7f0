import * as fs from 'node:fs';
import * as path from 'node:path';
import * as barrel from '../src';

/*
 * @slipway/constructs is the construct library alone; the ops tooling (the slipway CLI, cost estimates,
 * diagrams) is @slipway/cli, which depends on this package and never the other way round (docs/constructs.md).
 */
const PACKAGE_DIR = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .filter((file) => file.endsWith('.ts'));
}

test('has no bin and no AWS SDK dependency', () => {
  expect(manifest.bin).toBeUndefined();
  const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  expect(dependencies.filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
  expect(dependencies).not.toContain('@slipway/cli');
});

/**
 * Source of Lambda functions that constructs deploy: text handed to CloudFormation as inline code, run by the Lambda
 * Node.js runtime with the AWS SDK that runtime provides; never imported by this package.
 */
const LAMBDA_SOURCES = new Set([path.join(PACKAGE_DIR, 'src', 'data', 'migration-handler.ts')]);
/** Lambda function code compiled to lib/ and deployed as an asset: it runs in the Lambda Node.js runtime, which provides the AWS SDK; nothing at synth loads it. */
const LAMBDA_CODE_DIR = path.join(PACKAGE_DIR, 'src', 'deployment', 'smoke-test-handler');

test('no source file imports the AWS SDK or the CLI (Lambda function code takes the SDK from its runtime)', () => {
  const importing = sourceFiles(path.join(PACKAGE_DIR, 'src'))
    .filter((file) => !file.startsWith(LAMBDA_CODE_DIR) && !LAMBDA_SOURCES.has(file))
    .filter((file) => /(from |require\()'(@aws-sdk\/|@slipway\/cli)/.test(fs.readFileSync(file, 'utf8')));
  expect(importing).toEqual([]);
});

test('Lambda function sources only hold their code as a string: nothing in this package imports them at run time but as text', () => {
  for (const file of LAMBDA_SOURCES) {
    const text = fs.readFileSync(file, 'utf8');
    // The module itself imports nothing; the SDK's require is inside the exported template string.
    expect(text).not.toMatch(/^import /m);
    expect(text).toMatch(/^export const [A-Z_]+ = `/m);
  }
});

test('no construct code imports the Lambda function code, so synth never loads the AWS SDK', () => {
  const importing = sourceFiles(path.join(PACKAGE_DIR, 'src'))
    .filter((file) => !file.startsWith(LAMBDA_CODE_DIR))
    .filter((file) => /from '[^']*smoke-test-handler'/.test(fs.readFileSync(file, 'utf8')));
  expect(importing).toEqual([]);
});

test('the barrel exports no cost, diagram or CLI code', () => {
  const names = Object.keys(barrel);
  for (const name of ['estimateCosts', 'readCloudAssembly', 'architectureBlocks', 'runCost', 'runDiagram', 'main']) {
    expect(names).not.toContain(name);
  }
  expect(names.filter((name) => /cost|diagram|mermaid/i.test(name))).toEqual([]);
});

test("the barrel is every folder's barrel and contract.ts, whole: what the tests import from a folder, users get from the package", () => {
  // GIVEN the modules under src/: each folder's index.ts, and contract.ts (the tests import these, not src/index.ts,
  // so a test file loads only the folders it uses)
  const srcDir = path.join(PACKAGE_DIR, 'src');
  const modules = fs
    .readdirSync(srcDir, { withFileTypes: true })
    .filter((entry) =>
      entry.isDirectory() ? fs.existsSync(path.join(srcDir, entry.name, 'index.ts')) : entry.name === 'contract.ts',
    )
    .map((entry) => entry.name.replace(/\.ts$/, ''));
  expect(modules).toContain('contract');
  expect(modules.length).toBeGreaterThan(10);
  // WHEN each one's exported values are read
  const exported = new Map<string, unknown>();
  for (const name of modules) {
    for (const [key, value] of Object.entries(jest.requireActual<Record<string, unknown>>(path.join(srcDir, name)))) {
      expect([name, key, exported.has(key)]).toEqual([name, key, false]);
      exported.set(key, value);
    }
  }
  // THEN the package's barrel exports exactly those values, each the same one (none lost, none shadowed)
  expect(Object.keys(barrel).sort()).toEqual([...exported.keys()].sort());
  for (const [key, value] of exported) expect([key, (barrel as Record<string, unknown>)[key]]).toEqual([key, value]);
});
