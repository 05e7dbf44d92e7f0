import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Project } from 'projen';
import { Testing } from 'projen/lib/testing';
import { addOpsTasks } from '../../src/workspace/ops-tasks';

describe('addOpsTasks', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ops-tasks-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  // GIVEN a root with synth and test tasks and packages/infra
  const root = new Project({ name: 'root', outdir });
  root.addTask('synth', { exec: 'node fan-out synth' });
  root.testTask.exec('node fan-out test');
  const infra = new Project({ name: 'infra', parent: root, outdir: 'packages/infra' });

  // WHEN
  addOpsTasks(root, infra);
  const tasks = Testing.synth(root)['.projen/tasks.json'].tasks;

  test('cost and diagram read packages/infra/cdk.out with the slipway CLI', () => {
    expect(tasks.cost.steps).toEqual([{ exec: 'slipway cost --assembly packages/infra/cdk.out', receiveArgs: true }]);
    expect(tasks.diagram.steps).toEqual([
      { exec: 'slipway diagram --assembly packages/infra/cdk.out --write docs/architecture.md --embed README.md' },
    ]);
  });

  test('doctor synthesizes, then checks the environment named after --; logs passes its arguments on', () => {
    expect(tasks.doctor.steps).toEqual([
      { spawn: 'synth' },
      { exec: 'slipway doctor --assembly packages/infra/cdk.out', receiveArgs: true },
    ]);
    expect(tasks.logs.steps).toEqual([{ exec: 'slipway logs', receiveArgs: true }]);
  });

  test('docs synthesizes, then regenerates docs/cost.md, docs/architecture.md and the README diagrams', () => {
    expect(tasks.docs.steps).toEqual([
      { spawn: 'synth' },
      { exec: 'slipway cost --assembly packages/infra/cdk.out --write docs/cost.md' },
      { exec: 'slipway diagram --assembly packages/infra/cdk.out --write docs/architecture.md --embed README.md' },
    ]);
  });

  test('docs:check fails on a stale document without rewriting it; the test task is left to the workspaces', () => {
    expect(tasks['docs:check'].steps).toEqual([
      { spawn: 'synth' },
      { exec: 'slipway cost --assembly packages/infra/cdk.out --write docs/cost.md --check' },
      {
        exec: 'slipway diagram --assembly packages/infra/cdk.out --write docs/architecture.md --embed README.md --check',
      },
    ]);
    // The root test runs docs alongside the packages' tests (SlipwayProject's NpmWorkspaces), not after them.
    expect(tasks.test.steps).toEqual([{ exec: 'node fan-out test' }]);
  });
});
