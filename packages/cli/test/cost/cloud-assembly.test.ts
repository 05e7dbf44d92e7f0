import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeAssemblies, template, writeAssembly } from './assembly-fixture';
import { CloudAssemblyError, readCloudAssembly } from '../../src/cost/cloud-assembly';
import { estimateCosts } from '../../src/cost/cost-estimate';

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
