import { SlipwayProject } from './packages/projen/src';
import { addCli } from './projenrc/cli-package';
import { addConstructLibrary } from './projenrc/constructs-package';
import { addProjectType } from './projenrc/projen-package';

// This repository is the Slipway template's first instance: the same project
// type that `npx projen new --from @slipway/projen` runs, used from source, plus
// the published packages that only this repository holds.
const project = new SlipwayProject({
  name: 'slipway',
  description: 'Ship a containerized web app to AWS Fargate: a projen project type and the monorepo it generates',
  defaultReleaseBranch: 'main',
  repository: 'https://github.com/slipway-dev/slipway.git',
  authorName: 'Slipway',
  // infra builds on the construct library and the CLI from source, through the workspace links.
  constructsDependency: '@slipway/constructs@0.0.0',
  cliDependency: '@slipway/cli@0.0.0',
  gitignore: ['/.ci-artifacts/'],
});

// The npm registry this project builds from lacks some platform builds of unrs-resolver 1.13 (eslint's import
// resolver), so npm leaves them out of the lock file and `npm ci` on a fresh clone then refuses the lock.
// 1.12.2 has a build for every platform it lists.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The project type's build copies the samples into packages/projen/samples/; they are linted where they live.
project.eslint?.addIgnorePattern('packages/projen/samples/');

addConstructLibrary(project);
addCli(project);
addProjectType(project);

project.addTask('test:template', {
  description: 'End-to-end test of the template from packed tarballs (run after build)',
  steps: [{ exec: 'npx projen test:template', cwd: 'packages/projen', receiveArgs: true }],
});

// The README's test command, run by .ci/run: every package's build and tests, then the template end-to-end test
// with the Fargate contract check of every container (root) beside it. The check spends most of its half minute
// waiting (each backend's stop takes its 15 s drain) and the template's first half minute is an npm install that
// leaves a core idle, so side by side they take about as long as the template alone. The check's output follows
// the template's, in one piece.
project.addTask('test:all', {
  description:
    'Builds and tests every package, then runs the template end-to-end test with the Fargate contract check beside it',
  steps: [
    { spawn: 'build' },
    { exec: 'node .projen/run-workspaces.mjs test:template --alongside "npx projen test:fargate"' },
  ],
});

project.synth();
