import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCost } from '../../src/cost/command';
import { removeAssemblies, template, writeAssembly } from '../assembly/assembly-fixture';

function capture() {
  const info: string[] = [];
  const error: string[] = [];
  return {
    output: { info: (line: string) => info.push(line), error: (line: string) => error.push(line) },
    info,
    error,
  };
}

const assembly = () =>
  writeAssembly({
    stages: { Dev: { App: { template: template({ Key: { Type: 'AWS::KMS::Key', Properties: {} } }) } } },
    stacks: { Tools: { template: template({ Mystery: { Type: 'AWS::Foo::Bar', Properties: {} } }) } },
  });

afterAll(removeAssemblies);

describe('slipway cost', () => {
  test('prints a table per section, the not-priced resources and every assumption once', async () => {
    const { output, info } = capture();
    expect(await runCost(['--assembly', assembly()], output)).toBe(0);
    const text = info.join('\n');
    expect(text).toContain('== Dev (environment, us-east-1) ==');
    expect(text).toMatch(
      /Key\s+KMS customer managed keys\s+1 key-month\s+1 key-month\s+\$1\.00\/key-month\s+\$1\.00\s+\$1\.00/,
    );
    expect(text).toContain('Not priced (left out of the total, not counted as $0):');
    expect(text).toContain('AWS::Foo::Bar Mystery (Tools): no price in the table for this resource type');
    expect(text).toContain('Prices: AWS list prices as recorded on ');
  });

  test('--json gives the estimate for machines', async () => {
    const { output, info } = capture();
    expect(await runCost(['--app-dir', assembly(), '--json'], output)).toBe(0);
    const estimate = JSON.parse(info.join('\n'));
    expect(estimate.sections.map((section: any) => [section.name, section.kind, section.totalMonthlyUsd])).toEqual([
      ['Dev', 'stage', { min: 1, max: 1 }],
      ['Tools', 'app', { min: 0, max: 0 }],
    ]);
    expect(estimate.sections[1].notPriced[0].resourceType).toBe('AWS::Foo::Bar');
  });

  test('--write fills the markers of a new or existing file; --check fails when it is stale', async () => {
    const dir = assembly();
    const docs = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-docs-'));
    const file = path.join(docs, 'cost.md');
    const { output, error } = capture();

    expect(await runCost(['--assembly', dir, '--write', file], output)).toBe(0);
    const written = fs.readFileSync(file, 'utf8');
    expect(written).toMatch(/^# What it costs/);
    expect(written).toContain('<!-- slipway:cost:start -->');
    expect(written).toContain('| Dev | $1.00 | $1.00 |');
    expect(await runCost(['--assembly', dir, '--write', file, '--check'], output)).toBe(0);

    fs.writeFileSync(
      file,
      written.replace('| Dev | $1.00 | $1.00 |', '| Dev | $0.50 | $0.50 |').replace('# What it costs', '# Our costs'),
    );
    expect(await runCost(['--assembly', dir, '--write', file, '--check'], output)).toBe(1);
    expect(error.join('\n')).toContain('is out of date with the synthesized app. Run `npx projen docs`');

    expect(await runCost(['--assembly', dir, '--write', file], output)).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# Our costs/); // hand-written text outside the markers is kept
    expect(fs.readFileSync(file, 'utf8')).toContain('| Dev | $1.00 | $1.00 |');
  });

  test('--assume and --prices replace assumptions and prices; wrong ones are usage errors', async () => {
    const dir = assembly();
    const prices = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-prices-')), 'prices.json');
    fs.writeFileSync(prices, JSON.stringify({ 'kms.key': 0.5 }));
    const { output, info, error } = capture();
    expect(
      await runCost(['--assembly', dir, '--prices', prices, '--json', '--assume', 'albAverageLcu=0.1'], output),
    ).toBe(0);
    expect(JSON.parse(info.join('\n')).sections[0].totalMonthlyUsd).toEqual({ min: 0.5, max: 0.5 });

    expect(await runCost(['--assembly', dir, '--assume', 'lcu=1'], output)).toBe(2);
    expect(error.pop()).toContain('--assume "lcu=1" is not <id>=<non-negative number> with a known id');
    fs.writeFileSync(prices, JSON.stringify({ 'kms.keys': 0.5 }));
    expect(await runCost(['--assembly', dir, '--prices', prices], output)).toBe(2);
    expect(error.pop()).toContain('"kms.keys" is not a price id');
    expect(await runCost(['--check'], output)).toBe(2);
  });

  test('a missing cloud assembly says how to make one', async () => {
    const { output, error } = capture();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-empty-'));
    expect(await runCost([], output, empty)).toBe(1);
    expect(error.join('\n')).toContain(`No cloud assembly at ${path.join(empty, 'packages', 'infra', 'cdk.out')}`);
    expect(error.join('\n')).toContain('Run `npx projen synth` first');
  });
});
