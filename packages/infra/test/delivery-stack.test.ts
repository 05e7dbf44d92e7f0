import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createApp, REPOSITORY_ROOT } from '../src/app';
import { findDeliveryStack } from '../src/synth-report';

/** What Docker builds from; the rest of the repository only has to be there for the copy to look real. */
const COPIED = ['package.json', 'package-lock.json', 'README.md', 'docs', 'packages/backend', 'packages/frontend'];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/**
 * A git repository holding this repository's build inputs (tracked or not, never git-ignored: no
 * node_modules or build output), committed once. Works in a freshly generated project with no commit yet.
 */
function copyRepository(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'slipway-repo-'));
  const files = git(REPOSITORY_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...COPIED);
  for (const file of files.split('\0').filter(Boolean)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    copyFileSync(path.join(REPOSITORY_ROOT, file), path.join(root, file));
  }
  git(root, 'init', '-q');
  commit(root, 'base');
  return root;
}

function commit(root: string, message: string): string {
  git(root, 'add', '-A');
  git(root, '-c', 'user.name=Slipway Test', '-c', 'user.email=test@example.org', 'commit', '-q', '-m', message);
  return git(root, 'rev-parse', 'HEAD');
}

interface Synthesized {
  /** The pipeline stack's template file, byte for byte. */
  readonly pipelineTemplate: string;
  /** The dev stage's app stack template. */
  readonly devTemplate: Record<string, any>;
  /** Docker image assets of the dev stage by Dockerfile: content hash and GIT_SHA. */
  readonly images: Record<string, { hash: string; gitSha?: string }>;
}

/** Synthesize the whole app (both nag packs included) from `root`, as the pipeline's synth step does. */
function synthesize(root: string): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'slipway-selfmutation-'));
  const app = createApp({ outdir, repositoryRoot: root });
  const assembly = app.synth();
  const delivery = findDeliveryStack(app);
  const dev = delivery.stages[0];
  const stageAssembly = assembly.getNestedAssembly(dev.artifactId);
  const manifest = JSON.parse(
    readFileSync(path.join(stageAssembly.directory, `${dev.app.artifactId}.assets.json`), 'utf8'),
  );
  const images = Object.fromEntries(
    Object.entries(manifest.dockerImages as Record<string, any>).map(([hash, image]) => [
      image.source.dockerFile ?? 'Dockerfile',
      { hash, gitSha: image.source.dockerBuildArgs?.GIT_SHA },
    ]),
  );
  return {
    pipelineTemplate: readFileSync(path.join(assembly.directory, delivery.templateFile), 'utf8'),
    devTemplate: stageAssembly.getStackArtifact(dev.app.artifactId).template,
    images,
  };
}

function taskDefinition(template: Record<string, any>, container: string): unknown {
  const definitions = Object.values(template.Resources).filter(
    (resource: any) =>
      resource.Type === 'AWS::ECS::TaskDefinition' &&
      resource.Properties.ContainerDefinitions.some((definition: any) => definition.Name === container),
  );
  expect(definitions).toHaveLength(1);
  return definitions[0];
}

// Pins two AWS behaviours: CloudFormation updates a stack only when its template changes (so self-mutation's
// `cdk deploy` of an identical pipeline template changes nothing and CodePipeline does not restart), and ECS
// registers a new task definition revision, and rolls the service, only when the container definitions change.
describe('a commit that changes only app code or docs', () => {
  let root: string;
  let base: Synthesized;
  let backendCommit: string;
  let afterBackend: Synthesized;
  let afterDocs: Synthesized;
  beforeAll(() => {
    // GIVEN a copy of the repository, synthesized at its first commit
    root = copyRepository();
    base = synthesize(root);
    // WHEN one line of the backend's source and a doc change, and it is synthesized again
    appendFileSync(path.join(root, 'packages/backend/src/app.ts'), '// one more line\n');
    appendFileSync(path.join(root, 'README.md'), '\nOne more sentence.\n');
    backendCommit = commit(root, 'backend and docs');
    afterBackend = synthesize(root);
    // AND THEN a commit changes only a doc
    mkdirSync(path.join(root, 'docs'), { recursive: true });
    appendFileSync(path.join(root, 'docs/release-notes.md'), '\nAnother sentence.\n');
    commit(root, 'docs only');
    afterDocs = synthesize(root);
  }, 180_000);

  test('leaves the pipeline stack template byte-identical, so the pipeline does not update or restart itself', () => {
    expect(afterBackend.pipelineTemplate).toBe(base.pipelineTemplate);
    expect(afterDocs.pipelineTemplate).toBe(base.pipelineTemplate);
  });

  test('rebuilds the backend image only, with the commit that changed it as its GIT_SHA', () => {
    expect(afterBackend.images['packages/backend/Dockerfile'].hash).not.toBe(
      base.images['packages/backend/Dockerfile'].hash,
    );
    expect(afterBackend.images['packages/backend/Dockerfile'].gitSha).toBe(backendCommit);
    expect(afterBackend.images.Dockerfile).toEqual(base.images.Dockerfile);
  });

  test("gives the backend a new task definition and leaves the frontend's as it was", () => {
    expect(taskDefinition(afterBackend.devTemplate, 'backend')).not.toEqual(
      taskDefinition(base.devTemplate, 'backend'),
    );
    expect(taskDefinition(afterBackend.devTemplate, 'frontend')).toEqual(taskDefinition(base.devTemplate, 'frontend'));
  });

  test("labels each container with its own image's commit, so `slipway images` can find a release by commit", () => {
    const label = (template: Record<string, any>, container: string) =>
      (taskDefinition(template, container) as any).Properties.ContainerDefinitions[0].DockerLabels;
    expect(label(afterBackend.devTemplate, 'backend')).toEqual({
      'org.opencontainers.image.revision': backendCommit,
    });
    expect(label(afterBackend.devTemplate, 'frontend')).toEqual({
      'org.opencontainers.image.revision': afterBackend.images.Dockerfile.gitSha,
    });
    expect(afterBackend.images.Dockerfile.gitSha).toMatch(/^[0-9a-f]{40}$/);
  });

  test('a docs-only commit changes no image and no stage template at all', () => {
    expect(afterDocs.images).toEqual(afterBackend.images);
    expect(afterDocs.devTemplate).toEqual(afterBackend.devTemplate);
  });
});
