import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SETTINGS_METADATA, ENVIRONMENT_TAG_KEY } from '@slipway/constructs/lib/contract';
import { Tags } from 'aws-cdk-lib';
import { sampleApp } from '../../../constructs/test/fixtures/apps';
import { prodLike } from '../../../constructs/test/fixtures/environments';
import { environment, pipelineApp, SETTINGS } from '../../../constructs/test/pipeline/fixtures';
import { CloudAssemblyError } from '../../src/assembly/cloud-assembly';
import { DoctorTargetError, readDoctorTarget } from '../../src/doctor/doctor-target';

describe('readDoctorTarget', () => {
  // GIVEN the prod-like SlipwayAppStack inside a Stage, synthesized once
  const { app, stack } = sampleApp(prodLike, { inStage: true });
  const assembly = app.synth();

  test('reads the settings SlipwayAppStack recorded, its stack name and the bootstrap it needs', () => {
    // WHEN
    const target = readDoctorTarget(assembly.directory, 'prod');
    // THEN
    expect(target.config).toEqual(prodLike);
    expect(target.configFile).toBe('environments/prod.ts');
    expect(target.stackNames).toEqual([stack.stackName]);
    expect(target.bootstrapQualifier).toBe('hnb659fds');
    expect(target.pipeline).toBeUndefined();
  });

  test("the required bootstrap version is the one the template's CheckBootstrapVersion rule enforces", () => {
    const target = readDoctorTarget(assembly.directory, 'prod');
    const artifact = assembly.getStackArtifact(stack.artifactId);
    // CDK's rule: Fn::Not(Fn::Contains([1, ..., required - 1], Ref BootstrapVersion)): a lower version fails the deploy.
    const rule = artifact.template.Rules.CheckBootstrapVersion.Assertions[0].Assert['Fn::Not'][0]['Fn::Contains'][0];
    expect(target.requiredBootstrapVersion).toBeGreaterThan(0);
    expect(rule).toEqual(Array.from({ length: target.requiredBootstrapVersion! - 1 }, (_, index) => String(index + 1)));
  });

  test('names the environments it has when --env names another', () => {
    expect(() => readDoctorTarget(assembly.directory, 'staging')).toThrow(DoctorTargetError);
    expect(() => readDoctorTarget(assembly.directory, 'staging')).toThrow(
      /No stack of environment "staging" in .* \(environments there: prod\)/,
    );
  });

  test('says to synthesize when there is no cloud assembly', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'slipway-doctor-'));
    expect(() => readDoctorTarget(empty, 'prod')).toThrow(CloudAssemblyError);
    expect(() => readDoctorTarget(empty, 'prod')).toThrow(/Run `npx projen synth` first/);
  });

  test('reads the assembly through the shared cloud-assembly reader: an unreadable manifest is a CloudAssemblyError', () => {
    const broken = mkdtempSync(path.join(tmpdir(), 'slipway-doctor-'));
    writeFileSync(path.join(broken, 'manifest.json'), '{ not json');
    expect(() => readDoctorTarget(broken, 'prod')).toThrow(CloudAssemblyError);
    expect(() => readDoctorTarget(broken, 'prod')).toThrow(
      /^Cannot read the cloud assembly at .*\. Synthesize it again with `npx projen synth`\.$/,
    );
  });

  test('reads the settings SlipwayPipeline recorded, and says to synthesize again when an assembly has no settings', () => {
    // GIVEN a pipeline app whose stage stacks are tagged like SlipwayAppStack's; only dev records its settings
    const dev = environment('dev', '333333333333');
    const { app: withPipeline } = pipelineApp([dev, environment('qa', '444444444444')], SETTINGS, (stageStack) => {
      const name = stageStack.node.scope!.node.id.toLowerCase();
      Tags.of(stageStack).add(ENVIRONMENT_TAG_KEY, name);
      if (name === 'dev') stageStack.node.addMetadata(SETTINGS_METADATA.environment, dev);
    });
    const directory = withPipeline.synth().directory;
    // WHEN / THEN
    const target = readDoctorTarget(directory, 'dev');
    expect(target.pipeline).toEqual(SETTINGS);
    expect(target.config).toEqual(dev);
    expect(() => readDoctorTarget(directory, 'qa')).toThrow(/carry no slipway:environment-settings metadata/);
  });
});
