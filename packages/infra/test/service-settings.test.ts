import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defineEnvironment, EnvironmentConfig, enforceSecurityChecks, SlipwayConfigError } from '@slipway/constructs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { dev } from '#environments/dev';
import { prod } from '#environments/prod';
import { REPOSITORY_ROOT } from '../src/app';
import { ApplicationStage } from '../src/application-stage';

/**
 * The example of a service's own settings that environments/dev.ts carries as a comment, as the object it would be
 * uncommented: the lines from `// environment:` to the `// },` that closes `secrets`.
 */
function commentedExample(): Pick<EnvironmentConfig['services'][string], 'environment' | 'secrets'> {
  const lines = readFileSync(path.join(REPOSITORY_ROOT, 'environments', 'dev.ts'), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^\s*\/\/ environment: /.test(line));
  const end = lines.findIndex((line, index) => index > start && /^\s*\/\/ },$/.test(line));
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const code = lines
    .slice(start, end + 1)
    .map((line) => line.replace(/^\s*\/\/ ?/, ''))
    .join('\n');
  // The file's own text, evaluated as the object literal it is.
  return new Function(`return ({ ${code} });`)();
}

/** The backend's container definition in an environment's stage, synthesized with cdk-nag on. */
function backendContainer(config: EnvironmentConfig): any {
  const app = new App();
  enforceSecurityChecks(app);
  const stage = new ApplicationStage(app, 'Dev', {
    config,
    pipelineAccount: config.account,
    repositoryRoot: REPOSITORY_ROOT,
    stackName: `slipway-${config.name}`,
  });
  const definitions = Object.values(Template.fromStack(stage.app).findResources('AWS::ECS::TaskDefinition')).flatMap(
    (definition) => definition.Properties.ContainerDefinitions,
  );
  return definitions.find((container) => container.Name === 'backend');
}

test('the sample environments reference no secret: their first deploy needs none to exist', () => {
  for (const config of [dev, prod]) {
    for (const service of Object.values(config.services)) expect(service.secrets).toBeUndefined();
  }
});

test("GIVEN dev with the commented example of a service's own settings WHEN its stage is synthesized THEN the backend gets them beside the app's own variables", () => {
  const example = commentedExample();
  const config = defineEnvironment({
    ...dev,
    services: { ...dev.services, backend: { ...dev.services.backend, ...example } },
  });
  const container = backendContainer(config);
  expect(container.Environment.map((entry: any) => entry.Name)).toEqual(
    expect.arrayContaining(['PORT', 'APP_ENV', 'LOG_LEVEL', ...Object.keys(example.environment ?? {})]),
  );
  expect(container.Secrets.map((entry: any) => entry.Name)).toEqual(
    expect.arrayContaining(['PGPASSWORD', ...Object.keys(example.secrets ?? {})]),
  );
});

test("GIVEN an environment that sets a variable the app's definition of the service sets WHEN its stage is synthesized THEN it is refused naming the environment's file", () => {
  const config = defineEnvironment({
    ...dev,
    services: { ...dev.services, backend: { ...dev.services.backend, environment: { LOG_LEVEL: 'debug' } } },
  });
  expect(() => backendContainer(config)).toThrow(SlipwayConfigError);
  expect(() => backendContainer(config)).toThrow(
    /^environments\/dev\.ts: services\.backend\.environment must not set LOG_LEVEL, which the app's definition of backend already sets/,
  );
});
