import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib';
import { removeAssemblies, SCHEMA_VERSION, template, writeAssembly } from './assembly-fixture';
import { CloudAssemblyError, readCloudAssembly, readStackOfTemplate } from '../../src/assembly/cloud-assembly';
import { runCost } from '../../src/cost/command';
import { estimateCosts } from '../../src/cost/cost-estimate';
import { runDiagram } from '../../src/diagram/command';
import { RecordedOutput } from '../fakes';

afterAll(removeAssemblies);

describe('readCloudAssembly', () => {
  test('each Stage is a section with its own stacks; the top-level stacks come last, named after the pipeline stack', () => {
    const dir = writeAssembly({
      stages: {
        Dev: { Network: { template: template({}) }, App: { template: template({}) } },
        Prod: { App: { template: template({}), environment: 'aws://333333333333/eu-west-1' } },
      },
      stacks: {
        Support: { template: template({}) },
        Pipeline: { template: template({ P: { Type: 'AWS::CodePipeline::Pipeline', Properties: {} } }) },
      },
    });

    const view = readCloudAssembly(dir);

    expect(
      view.sections.map((section) => [section.name, section.kind, section.stacks.map((stack) => stack.displayName)]),
    ).toEqual([
      ['Dev', 'stage', ['Dev/Network', 'Dev/App']],
      ['Prod', 'stage', ['Prod/App']],
      ['Pipeline', 'pipeline', ['Support', 'Pipeline']],
    ]);
    expect(view.sections[1].stacks[0]).toMatchObject({
      account: '333333333333',
      region: 'eu-west-1',
      templateFile: path.join('assembly-Prod', 'App.template.json'),
    });
  });

  test('an environment-agnostic stack is priced in us-east-1, and the estimate says so', () => {
    const dir = writeAssembly({
      stacks: { Agnostic: { template: template({}), environment: 'aws://unknown-account/unknown-region' } },
    });
    const view = readCloudAssembly(dir);
    expect(view.sections[0].stacks[0].region).toBeUndefined();
    expect(estimateCosts(view).notes).toEqual(['Stack Agnostic is environment-agnostic; priced in us-east-1.']);
  });

  test('a directory without manifest.json is not a cloud assembly', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-empty-'));
    expect(() => readCloudAssembly(empty)).toThrow(CloudAssemblyError);
    expect(() => readCloudAssembly(empty)).toThrow(/Run `npx projen synth` first, or pass --assembly/);
    fs.rmSync(empty, { recursive: true });
  });
});

describe('resource names', () => {
  test('come from the assembly metadata, so templates without path metadata read the same', () => {
    const dir = writeAssembly({
      stacks: { App: { template: template({ ApiService1234ABCD: { Type: 'AWS::KMS::Key', Properties: {} } }) } },
    });
    const bare = estimateCosts(readCloudAssembly(dir)).sections[0].lines[0].resource;
    expect(bare).toBe('ApiService'); // the logical id without CDK's hash

    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    fs.writeFileSync(
      path.join(dir, 'App.metadata.json'),
      JSON.stringify({ '/App/Api/Service/Resource': [{ type: 'aws:cdk:logicalId', data: 'ApiService1234ABCD' }] }),
    );
    manifest.artifacts.App.additionalMetadataFile = 'App.metadata.json';
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    expect(estimateCosts(readCloudAssembly(dir)).sections[0].lines[0].resource).toBe('Api/Service');
  });
});

describe('an assembly as aws-cdk-lib synthesizes it', () => {
  // GIVEN a pipeline-like app: a top-level stack, a Stage per environment, and a Stage nested in a Stage
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-synth-assembly-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const pipeline = new Stack(app, 'Delivery', { env: { account: '111111111111', region: 'eu-west-1' } });
  new CfnResource(pipeline, 'Pipeline', { type: 'AWS::CodePipeline::Pipeline', properties: {} });
  const dev = new Stage(pipeline, 'Dev', { env: { account: '222222222222', region: 'eu-west-1' } });
  const devApp = new Stack(dev, 'App', { stackName: 'slipway-dev' });
  new CfnResource(devApp, 'Key', { type: 'AWS::KMS::Key', properties: {} });
  const prod = new Stage(pipeline, 'Prod', { env: { account: '333333333333', region: 'us-west-2' } });
  new Stack(prod, 'App', { stackName: 'slipway-prod' });
  const canary = new Stage(prod, 'Canary');
  new Stack(canary, 'Probe', { env: { account: '333333333333', region: 'eu-central-1' } });
  new Stack(app, 'Agnostic');
  app.synth();

  test('every Stage, nested ones included, is a section; stacks carry their construct path, stack name and environment', () => {
    // WHEN
    const view = readCloudAssembly(outdir);
    // THEN a nested Stage comes before the Stage that holds it, as the app added them; the top level comes last
    expect(view.sections.map((section) => [section.name, section.path, section.kind])).toEqual([
      ['Dev', 'Delivery/Dev', 'stage'],
      ['Canary', 'Delivery/Prod/Canary', 'stage'],
      ['Prod', 'Delivery/Prod', 'stage'],
      ['Delivery', 'Delivery', 'pipeline'],
    ]);
    const stacks = Object.fromEntries(
      view.sections.flatMap((section) => section.stacks).map((s) => [s.displayName, s]),
    );
    // AND a stack's display name is its construct path, not cx-api's "path (stack name)"
    expect(stacks['Delivery/Dev/App']).toMatchObject({
      stackName: 'slipway-dev',
      account: '222222222222',
      region: 'eu-west-1',
    });
    expect(stacks['Delivery/Dev/App'].templateFile).toMatch(
      /^assembly-Delivery-Dev[\\/]DeliveryDevApp[0-9A-F]{8}\.template\.json$/,
    );
    expect(stacks['Delivery/Prod/Canary/Probe']).toMatchObject({ account: '333333333333', region: 'eu-central-1' });
    // AND the construct path of each resource comes from the assembly's metadata
    expect(Object.values(stacks['Delivery/Dev/App'].constructPaths)).toContain('/Delivery/Dev/App/Key');
    // AND a stack without an environment has neither account nor region
    expect(stacks.Agnostic.account).toBeUndefined();
    expect(stacks.Agnostic.region).toBeUndefined();
  });

  test("readStackOfTemplate finds a Stage's stack by its template file in the nested assembly", () => {
    const view = readCloudAssembly(outdir);
    const found = readStackOfTemplate(path.join(outdir, view.sections[0].stacks[0].templateFile));
    expect(found.stack).toMatchObject({ displayName: 'Delivery/Dev/App', stackName: 'slipway-dev' });
    expect(found.dockerImages).toEqual([]);
  });
});

describe('an assembly that cannot be read is a CloudAssemblyError that says what to do', () => {
  function assemblyWith(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-broken-assembly-'));
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    return dir;
  }
  const stack = (templateFile: string) => ({
    type: 'aws:cloudformation:stack',
    environment: 'aws://111111111111/eu-west-1',
    properties: { templateFile },
  });

  test.each([
    [
      'a manifest that is not JSON',
      { 'manifest.json': `{"version": "${SCHEMA_VERSION}", "artifacts": {` },
      /Cannot read the cloud assembly at .*: .*JSON.*\. Synthesize it again with `npx projen synth`\.$/,
    ],
    [
      'a manifest from a newer CDK',
      { 'manifest.json': JSON.stringify({ version: '99.0.0', artifacts: {} }) },
      /schema version mismatch.*99\.0\.0\. Synthesize it again/,
    ],
    [
      'a stack without an environment',
      {
        'manifest.json': JSON.stringify({
          version: SCHEMA_VERSION,
          artifacts: { App: { ...stack('App.template.json'), environment: undefined } },
        }),
      },
      /Missing environment\. Synthesize it again/,
    ],
    [
      'a Stage whose nested assembly is missing',
      {
        'manifest.json': JSON.stringify({
          version: SCHEMA_VERSION,
          artifacts: {
            'assembly-Dev': {
              type: 'cdk:cloud-assembly',
              properties: { directoryName: 'assembly-Dev', displayName: 'Dev' },
            },
          },
        }),
      },
      /assembly-Dev.manifest\.json/,
    ],
    [
      'a template that is cut off',
      {
        'manifest.json': JSON.stringify({ version: SCHEMA_VERSION, artifacts: { App: stack('App.template.json') } }),
        'App.template.json': '{"Resources": ',
      },
      /^Cannot read the template of stack App \(App\.template\.json\): .*JSON.*\. Synthesize it again/,
    ],
  ])('%s', (_, files, message) => {
    const dir = assemblyWith(files);
    expect(() => readCloudAssembly(dir)).toThrow(CloudAssemblyError);
    expect(() => readCloudAssembly(dir)).toThrow(message);
    fs.rmSync(dir, { recursive: true });
  });

  test.each([
    ['slipway cost', runCost],
    ['slipway diagram', runDiagram],
  ])('%s prints the message alone (exit 1), never a stack trace', async (_, run) => {
    const dir = assemblyWith({ 'manifest.json': '{"version": ' });
    const output = new RecordedOutput();
    const code = await run(['--assembly', dir], output, dir);
    expect(code).toBe(1);
    expect(output.errors).toHaveLength(1);
    expect(output.errors[0]).toMatch(/^Cannot read the cloud assembly at /);
    expect(output.errors[0]).not.toMatch(/\n\s+at /);
    fs.rmSync(dir, { recursive: true });
  });

  test('a template outside any cloud assembly, or not a stack of it, is named in the message', () => {
    const outside = assemblyWith({ 'App.template.json': '{}' });
    expect(() => readStackOfTemplate(path.join(outside, 'App.template.json'))).toThrow(
      /App\.template\.json is not in a cloud assembly: .*manifest\.json does not exist/,
    );
    const dir = writeAssembly({ stacks: { App: { template: template({}) } } });
    fs.writeFileSync(path.join(dir, 'Other.template.json'), '{}');
    expect(() => readStackOfTemplate(path.join(dir, 'Other.template.json'))).toThrow(
      /Other\.template\.json is not the template of any stack in .*manifest\.json \(its stacks: App\.template\.json\)/,
    );
    fs.rmSync(outside, { recursive: true });
  });
});
