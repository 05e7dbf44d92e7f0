import * as path from 'node:path';
import { Project } from 'projen';

/** Where the generated cost and architecture documents live, relative to the root. */
export const OPS_DOCS = {
  cost: 'docs/cost.md',
  architecture: 'docs/architecture.md',
  /** Gets the diagrams its `<!-- slipway:diagram:... -->` markers ask for; left alone without markers. */
  readme: 'README.md',
} as const;

/**
 * The root tasks that read the synthesized app (packages/infra/cdk.out) with
 * the `slipway` CLI of @slipway/cli (a dependency of packages/infra):
 *
 * - `cost`: monthly list-price estimate per environment and for the pipeline (`npx projen cost -- --json`);
 * - `diagram`: Mermaid diagrams into docs/architecture.md (and the README's diagram markers);
 * - `docs`: synthesize, then regenerate docs/cost.md, docs/architecture.md and the README diagrams;
 * - `docs:check`: synthesize, then fail if any of them is stale, changing nothing;
 * - `doctor`: synthesize, then check an environment's AWS side before a deploy (`npx projen doctor -- --env dev`);
 * - `logs`: a service's container logs (`npx projen logs -- --env dev --service backend --follow`).
 *
 * The root `test` ends with `docs`, the projen way for generated files: a build brings the documents up to
 * date (a new project gets them on its first build), and CI fails when a build changed tracked files (the
 * pull-request workflow's mutation check, and .ci/run in the Slipway repository), so a stale document
 * cannot land.
 *
 * `cost` and `diagram` read whatever was synthesized last: run `npx projen synth` first after a change.
 */
export function addOpsTasks(root: Project, infra: Project): void {
  const assembly = path.posix.join(path.relative(root.outdir, infra.outdir).split(path.sep).join('/'), 'cdk.out');
  const costArgs = `--assembly ${assembly} --write ${OPS_DOCS.cost}`;
  const diagramArgs = `--assembly ${assembly} --write ${OPS_DOCS.architecture} --embed ${OPS_DOCS.readme}`;

  root.addTask('cost', {
    description:
      'Monthly AWS list-price estimate of each environment and the pipeline, from the synthesized app (-- --json for machines)',
    exec: `slipway cost --assembly ${assembly}`,
    receiveArgs: true,
  });
  root.addTask('diagram', {
    description: `Draws each environment and the pipeline from the synthesized app into ${OPS_DOCS.architecture}`,
    exec: `slipway diagram ${diagramArgs}`,
  });

  const synth = root.tasks.tryFind('synth');
  // doctor reads the settings from the synthesized app: synthesize first, so it checks what environments/ says now.
  const doctor = root.addTask('doctor', {
    description:
      "Checks an environment's AWS side before a deploy: credentials, CDK bootstrap, ECS role, connection, hosted zone (-- --env <name> [--pipeline-profile <profile of the pipeline's account>])",
  });
  if (synth) doctor.spawn(synth);
  doctor.exec(`slipway doctor --assembly ${assembly}`, { receiveArgs: true });
  root.addTask('logs', {
    description: "Prints a service's container logs from CloudWatch Logs (-- --env <name> --service <name> [--follow])",
    exec: 'slipway logs',
    receiveArgs: true,
  });
  const docs = root.addTask('docs', {
    description: `Synthesizes the app and regenerates ${OPS_DOCS.cost}, ${OPS_DOCS.architecture} and the README diagrams`,
  });
  const check = root.addTask('docs:check', {
    description: `Fails when ${OPS_DOCS.cost}, ${OPS_DOCS.architecture} or the README diagrams differ from the synthesized app`,
  });
  if (synth) {
    docs.spawn(synth);
    check.spawn(synth);
  }
  docs.exec(`slipway cost ${costArgs}`);
  docs.exec(`slipway diagram ${diagramArgs}`);
  check.exec(`slipway cost ${costArgs} --check`);
  check.exec(`slipway diagram ${diagramArgs} --check`);
  // The root test runs docs alongside the packages' tests (see SlipwayProject), so a build regenerates them.
}
