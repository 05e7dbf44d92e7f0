import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDiagram } from '../../src/diagram/command';
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

const pipelineTemplate = template({
  Pipeline: {
    Type: 'AWS::CodePipeline::Pipeline',
    Properties: {
      Stages: [
        { Name: 'Source', Actions: [{ Name: 'Code', ActionTypeId: { Category: 'Source', Provider: 'S3' } }] },
        { Name: 'Prod', Actions: [{ Name: 'Approve', ActionTypeId: { Category: 'Approval', Provider: 'Manual' } }] },
      ],
    },
  },
});

afterAll(removeAssemblies);

describe('slipway diagram', () => {
  test('--write creates docs/architecture.md; --embed fills only the markers a README has', async () => {
    const dir = writeAssembly({
      stages: { Prod: { App: { template: template({}) } } },
      stacks: { Delivery: { template: pipelineTemplate } },
    });
    const docs = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-docs-'));
    const readme = path.join(docs, 'README.md');
    const plainReadme = path.join(docs, 'PLAIN.md');
    fs.writeFileSync(
      readme,
      '# App\n\n<!-- slipway:diagram:pipeline:start -->\n<!-- slipway:diagram:pipeline:end -->\n',
    );
    fs.writeFileSync(plainReadme, '# Nothing to fill\n');
    const { output, info, error } = capture();

    expect(
      await runDiagram(
        ['--assembly', dir, '--write', 'architecture.md', '--embed', 'README.md', '--embed', 'PLAIN.md'],
        output,
        docs,
      ),
    ).toBe(0);

    const architecture = fs.readFileSync(path.join(docs, 'architecture.md'), 'utf8');
    expect(architecture).toMatch(/^# Architecture/);
    expect(architecture).toContain('### Prod');
    expect(architecture).toContain('### Delivery pipeline');
    expect(fs.readFileSync(readme, 'utf8')).toContain('Approve<br/>manual approval');
    expect(fs.readFileSync(readme, 'utf8')).not.toContain('### Prod');
    expect(fs.readFileSync(plainReadme, 'utf8')).toBe('# Nothing to fill\n');
    expect(info).toContain('PLAIN.md: no slipway diagram markers, left alone');

    expect(
      await runDiagram(
        ['--assembly', dir, '--write', 'architecture.md', '--embed', 'README.md', '--check'],
        output,
        docs,
      ),
    ).toBe(0);
    fs.writeFileSync(readme, fs.readFileSync(readme, 'utf8').replace('manual approval', 'approval'));
    expect(await runDiagram(['--assembly', dir, '--embed', 'README.md', '--check'], output, docs)).toBe(1);
    expect(error).toEqual([
      'README.md is out of date with the synthesized app. Run `npx projen docs` and commit the result.',
    ]);
  });

  test('without files it prints the Markdown', async () => {
    const dir = writeAssembly({ stacks: { Delivery: { template: pipelineTemplate } } });
    const { output, info } = capture();
    expect(await runDiagram(['--assembly', dir], output)).toBe(0);
    expect(info.join('\n')).toMatch(/^### Delivery pipeline\n\n```mermaid\nflowchart LR/);
  });
});
