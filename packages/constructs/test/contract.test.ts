import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as barrel from '../src';
import { sampleApp, sampleServices } from './fixtures/apps';
import { devLike } from './fixtures/environments';
import { environment, PIPELINE_ACCOUNT, pipelineApp, VERIFY_BUNDLE } from './pipeline/fixtures';
import {
  ENVIRONMENT_TAG_KEY,
  IMAGE_COMMIT_BUILD_ARG,
  IMAGE_REVISION_LABEL,
  NIGHT_START_SKIP_TAG_KEY,
  NIGHT_START_SKIP_TAG_VALUE,
  NIGHT_START_TAG_KEY,
  NIGHT_START_TAG_VALUE,
  SCHEDULE_TAG_KEY,
  VERIFY_BUNDLE_FILE,
} from '../src/contract';

/*
 * @slipway/cli reads what these constructs write through src/contract.ts. The values are part of deployed
 * environments (tags on running clusters, build arguments of pushed images, the file a pipeline's buildspec
 * runs), so a change is a breaking change for every CLI already out there: pinned literally here.
 */
describe('the contract with @slipway/cli', () => {
  test('holds these literal values', () => {
    expect(ENVIRONMENT_TAG_KEY).toBe('slipway:environment');
    expect(IMAGE_COMMIT_BUILD_ARG).toBe('GIT_SHA');
    expect(VERIFY_BUNDLE_FILE).toBe('slipway-verify.js');
    expect(IMAGE_REVISION_LABEL).toBe('org.opencontainers.image.revision');
    expect(SCHEDULE_TAG_KEY).toBe('slipway:awake-hours');
    expect(NIGHT_START_TAG_KEY).toBe('slipway:verify');
    expect(NIGHT_START_TAG_VALUE).toBe('night-start');
    expect(NIGHT_START_SKIP_TAG_KEY).toBe('slipway:night-start');
    expect(NIGHT_START_SKIP_TAG_VALUE).toBe('skip');
  });

  test('is exported from the package barrel too', () => {
    expect(barrel.ENVIRONMENT_TAG_KEY).toBe(ENVIRONMENT_TAG_KEY);
    expect(barrel.IMAGE_COMMIT_BUILD_ARG).toBe(IMAGE_COMMIT_BUILD_ARG);
    expect(barrel.VERIFY_BUNDLE_FILE).toBe(VERIFY_BUNDLE_FILE);
    expect(barrel.IMAGE_REVISION_LABEL).toBe(IMAGE_REVISION_LABEL);
  });

  test('imports nothing, so the CLI and its single-file verify bundle load it without aws-cdk-lib', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'contract.ts'), 'utf8');
    expect(source).not.toMatch(/\bimport\b|\brequire\(/);
  });

  test('the awake hours the CLI reads back import types only, so the verify bundle takes them in alone', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'schedule', 'awake-hours.ts'), 'utf8');
    expect(source.match(/^import .*$/gm)).toEqual([expect.stringMatching(/^import type /)]);
  });
});

test('an environment with a schedule tags each ECS service with its awake hours (what `slipway verify/status/cost` read)', () => {
  const { stack } = sampleApp({
    ...devLike,
    schedule: { timezone: 'Europe/Dublin', awake: { days: 'MON-FRI', from: '08:00', to: '19:00' } },
  });
  const services = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'));
  expect(services.length).toBeGreaterThan(0);
  for (const service of services) {
    expect(service.Properties.Tags).toContainEqual({
      Key: SCHEDULE_TAG_KEY,
      Value: 'Europe/Dublin MON TUE WED THU FRI 08:00-19:00',
    });
  }
});

describe('a synthesized sample environment carries the contract', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-contract-image-'));
  fs.writeFileSync(path.join(directory, 'Dockerfile'), 'FROM scratch\nARG GIT_SHA\nLABEL revision=$GIT_SHA\n');
  // GIVEN the sample app whose backend is built from a Dockerfile directory
  const { app, stack } = sampleApp(devLike, {
    services: { backend: { ...sampleServices().backend, image: { directory } } },
  });
  // WHEN it is synthesized
  const assembly = app.synth();

  test('its ECS cluster is tagged with the environment name (what `slipway status/verify --env` look up)', () => {
    // ECS DescribeClusters with include: TAGS returns the cluster's own tags, which CloudFormation sets from Tags.
    const clusters = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Cluster'));
    expect(clusters).toHaveLength(1);
    expect(clusters[0].Properties.Tags).toContainEqual({ Key: ENVIRONMENT_TAG_KEY, Value: devLike.name });
  });

  test('its directory image is built with the commit as the build argument `slipway verify --version-service` reads', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'),
    );
    const buildArgs = Object.values(manifest.dockerImages as Record<string, any>).map(
      (image) => image.source.dockerBuildArgs,
    );
    expect(buildArgs).toEqual([{ [IMAGE_COMMIT_BUILD_ARG]: '0123456789abcdef0123456789abcdef01234567' }]);
  });

  test("its backend container is labelled with its image's commit, which `slipway images` reads", () => {
    const definitions = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
    const labels = definitions.flatMap((definition) =>
      definition.Properties.ContainerDefinitions.map((container: any) => container.DockerLabels),
    );
    expect(labels).toContainEqual({ [IMAGE_REVISION_LABEL]: '0123456789abcdef0123456789abcdef01234567' });
  });

  test('every task definition keeps its replaced revisions ACTIVE, so `slipway images --commit` can put one back', () => {
    // CloudFormation deletes (deregisters) a replaced task definition unless its UpdateReplacePolicy is Retain, and
    // ECS refuses to update a service to an INACTIVE revision.
    const definitions = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
    expect(definitions.length).toBeGreaterThan(0);
    for (const definition of definitions) {
      expect(definition.UpdateReplacePolicy).toBe('Retain');
      expect(definition.DeletionPolicy).toBe('Delete');
    }
  });
});

test('the pipeline puts the verify bundle into the cloud assembly under the name its buildspec runs', () => {
  const built = pipelineApp([environment('dev', PIPELINE_ACCOUNT)]);
  const assembly = built.app.synth();
  expect(fs.readFileSync(path.join(assembly.directory, VERIFY_BUNDLE_FILE), 'utf8')).toBe(
    fs.readFileSync(VERIFY_BUNDLE, 'utf8'),
  );
  const buildSpecs = Object.values(Template.fromStack(built.stack).findResources('AWS::CodeBuild::Project')).map(
    (project) => String(project.Properties.Source.BuildSpec),
  );
  expect(buildSpecs.filter((spec) => spec.includes(`node ${VERIFY_BUNDLE_FILE} verify `))).toHaveLength(1);
});
