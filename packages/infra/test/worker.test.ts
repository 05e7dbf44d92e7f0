import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  EnvironmentConfig,
  SlipwayAppStack,
  WorkerService,
  defineEnvironment,
  enforceSecurityChecks,
} from '@slipway/constructs';
import { App, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact, CloudAssembly } from 'aws-cdk-lib/cx-api';
import { prod } from '#environments/prod';
import { REPOSITORY_ROOT } from '../src/app';
import { appServices, appSmokeTest, containerHealthCheck } from '../src/services';

// The sample app has no worker; this is the one a team adds to services.ts in a few lines (docs/constructs.md,
// "WorkerService"): the backend's image with another command, no port, its own health check.
function servicesWithWorker(environmentName: string) {
  const services = appServices(REPOSITORY_ROOT, environmentName);
  return {
    ...services,
    worker: {
      kind: 'worker' as const,
      image: services.backend.image,
      command: ['node', 'dist/worker.js'],
      containerHealthCheck: containerHealthCheck([
        'CMD',
        'node',
        '-e',
        "process.exit(Date.now() - require('fs').statSync('/tmp/heartbeat').mtimeMs < 60000 ? 0 : 1)",
      ]),
    },
  };
}

const prodWithWorker: EnvironmentConfig = defineEnvironment({
  ...prod,
  services: {
    ...prod.services,
    worker: {
      cpu: 512,
      memoryMiB: 1024,
      capacity: 'on-demand',
      autoscaling: { min: 2, max: 5, cpuTargetPercent: 70 },
      uses: ['database', 'cache'],
    },
  },
});

let assembly: CloudAssembly;
let stage: Stage;
let stack: SlipwayAppStack;
let template: Template;

beforeAll(() => {
  // GIVEN prod (canary releases, a data tier) with a worker beside the sample services, in a pipeline-like Stage
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'slipway-infra-worker-')) });
  enforceSecurityChecks(app);
  stage = new Stage(app, 'Prod', { env: { account: prodWithWorker.account, region: prodWithWorker.region } });
  stack = new SlipwayAppStack(stage, 'App', {
    config: prodWithWorker,
    services: servicesWithWorker('prod'),
    smokeTest: appSmokeTest(REPOSITORY_ROOT),
  });
  // WHEN synthesized: both cdk-nag packs run over the stage, and any unacknowledged finding throws here
  assembly = app.synth();
  template = Template.fromStack(stack);
});

function container(name: string) {
  return Object.values(template.findResources('AWS::ECS::TaskDefinition'))
    .flatMap((definition) => definition.Properties.ContainerDefinitions)
    .find((candidate) => candidate.Name === name);
}

test('THEN the worker runs the backend image with its own command and no port, as a WorkerService', () => {
  expect(stack.services.worker).toBeInstanceOf(WorkerService);
  expect(container('worker').Image).toEqual(container('backend').Image);
  expect(container('worker').Command).toEqual(['node', 'dist/worker.js']);
  expect(container('worker').PortMappings).toBeUndefined();
  expect(container('worker').Environment.map((entry: { Name: string }) => entry.Name)).toContain('PGHOST');
});

test("THEN the stage's asset manifest has one image for the backend and the worker, one for the frontend", () => {
  const dockerImages = assembly
    .getNestedAssembly(stage.artifactId)
    .artifacts.filter((artifact): artifact is AssetManifestArtifact => artifact instanceof AssetManifestArtifact)
    .flatMap((manifest) => Object.keys(manifest.contents.dockerImages ?? {}));
  expect(dockerImages).toHaveLength(2);
});

test('THEN the worker rolls while the web services release as canaries', () => {
  const resources = template.toJSON().Resources;
  const configuration = (name: string) =>
    resources[stack.getLogicalId(stack.services[name].service.node.defaultChild as never)].Properties
      .DeploymentConfiguration;
  expect(configuration('worker').Strategy).toBeUndefined();
  expect(configuration('worker').DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
  expect(configuration('backend').Strategy).toBe('CANARY');
});
