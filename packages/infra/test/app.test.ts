import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { defineEnvironment, VERIFY_BUNDLE_FILE } from '@slipway/constructs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { appName, pipeline as pipelineSettings, promotionOrder } from '#environments';
import { dev } from '#environments/dev';
import { prod } from '#environments/prod';
import { createApp, DELIVERY_STACK_ID, REPOSITORY_ROOT } from '../src/app';
import { checkAppName, DeliveryStack, stageId, verifyBundlePath } from '../src/delivery-stack';
import { imageRevision } from '../src/image-revision';
import { findDeliveryStack, summarizeSynth } from '../src/synth-report';

/** Stacks are named after the app: `<appName>-dev`, `<appName>-pipeline`. */
const APP_NAME = appName;

let app: App;
let outdir: string;
let assembly: CloudAssembly;
let delivery: DeliveryStack;
let devTemplate: Template;
let prodTemplate: Template;
let pipelineTemplate: Template;

beforeAll(() => {
  // The test task turns CDK's built-in CloudFormation validation off (CDK_VALIDATION=false); this file's
  // own copy of the environment turns it on, so it runs over the whole app here.
  process.env.CDK_VALIDATION = 'true';
  // The validator is WebAssembly that runs once over the app: compiled by V8's baseline compiler alone, without the
  // optimizing tier, it gives the same answers for about 1.6 CPU-seconds less (docs/performance.md). Process-wide,
  // for WebAssembly compiled from here on; the other test files compile none.
  setFlagsFromString('--liftoff-only');
  // GIVEN the environments of environments/ and this repository
  outdir = mkdtempSync(path.join(tmpdir(), 'slipway-infra-'));
  app = createApp({ outdir });
  delivery = findDeliveryStack(app);
  // WHEN the whole App is synthesized: both cdk-nag packs run over every stack,
  // the stages' included, and any unacknowledged finding throws here.
  assembly = app.synth();
  const stageTemplate = (name: string) => {
    const stage = delivery.stages.find((candidate) => candidate.config.name === name)!;
    return Template.fromJSON(
      assembly.getNestedAssembly(stage.artifactId).getStackArtifact(stage.app.artifactId).template,
    );
  };
  devTemplate = stageTemplate('dev');
  prodTemplate = stageTemplate('prod');
  pipelineTemplate = Template.fromJSON(assembly.getStackArtifact(delivery.artifactId).template);
});

test("the cloud assembly carries @slipway/cli's real verify bundle, which every verification step runs with node alone", () => {
  // The pipeline's verification steps take the cloud assembly as input and install nothing (the buildspec tests in
  // packages/constructs/test/pipeline): the file they run must be the CLI's single-file bundle, copied at synth.
  const bundle = path.join(outdir, VERIFY_BUNDLE_FILE);
  expect(verifyBundlePath()).toBe(require.resolve('@slipway/cli/lib/slipway-verify.js'));
  expect(readFileSync(bundle, 'utf8')).toBe(readFileSync(verifyBundlePath(), 'utf8'));
  expect(readFileSync(bundle, 'utf8')).toContain('usage: slipway verify');
  for (const config of promotionOrder) {
    const commands: string[] = verifyBuildSpecCommands(stageId(config.name));
    expect(commands.filter((command) => command.includes(` ${VERIFY_BUNDLE_FILE} verify `))).toHaveLength(1);
    expect(commands.join('\n')).not.toMatch(/npm |npx |yarn |pnpm /);
  }
});

/** The build commands of one environment's verification step: the only buildspec that names its stage's template. */
function verifyBuildSpecCommands(stageName: string): string[] {
  const specs = Object.values(pipelineTemplate.findResources('AWS::CodeBuild::Project'))
    .map((project) => project.Properties.Source.BuildSpec)
    .filter(
      (spec): spec is string =>
        typeof spec === 'string' && spec.includes(`assembly-${DELIVERY_STACK_ID}-${stageName}/`),
    );
  expect(specs).toHaveLength(1);
  const buildSpec = JSON.parse(specs[0]);
  expect(buildSpec.phases.install?.commands).toBeUndefined();
  return buildSpec.phases.build.commands;
}

test('the cdk-assets that the Assets stage installs reads every asset manifest it publishes from', () => {
  // Each asset-publishing step runs `npm install -g cdk-assets@<version>` and then `cdk-assets --path <manifest>
  // publish <asset:destination>` for each of its assets. cdk-assets refuses a manifest written with a cloud assembly
  // schema newer than its own before it publishes anything (aws-cdk-lib 2.274 and later write schema 55; cdk-assets
  // 4.7.3 reads 54): that failed the Assets stage of every pipeline run. Here the same version reads each manifest.
  const steps = readdirSync(outdir)
    .filter((file) => /^buildspec-.*Asset\.yaml$/.test(file))
    .map((file) => JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as AssetBuildSpec);
  expect(steps.length).toBeGreaterThan(0);
  const cdkAssets = path.dirname(require.resolve('cdk-assets/package.json'));
  const installed = (JSON.parse(readFileSync(path.join(cdkAssets, 'package.json'), 'utf8')) as { version: string })
    .version;
  const publishes: { manifest: string; asset: string }[] = [];
  for (const step of steps) {
    expect(step.phases.install.commands).toEqual([`npm install -g cdk-assets@${installed}`]);
    for (const command of step.phases.build.commands) {
      const [, manifest, asset] = /^cdk-assets --path "([^"]+)" --verbose publish "([^"]+)"$/.exec(command) ?? [];
      expect({ command, manifest, asset }).toEqual({
        command,
        manifest: expect.any(String),
        asset: expect.any(String),
      });
      publishes.push({ manifest, asset });
    }
  }
  const cli = path.join(cdkAssets, 'bin', 'cdk-assets');
  for (const manifest of new Set(publishes.map((publish) => publish.manifest))) {
    // `ls` reads and validates the manifest as `publish` does, and needs no AWS credentials.
    const listing = execFileSync(process.execPath, [cli, '--path', manifest, 'ls'], { cwd: outdir, encoding: 'utf8' });
    for (const { asset } of publishes.filter((publish) => publish.manifest === manifest)) {
      expect(listing).toContain(` ${asset} `);
    }
  }
});

/** A buildspec of the Assets stage, as CDK Pipelines writes it into the cloud assembly. */
interface AssetBuildSpec {
  readonly phases: { install: { commands: string[] }; build: { commands: string[] } };
}

test('one stage per environment of environments/index.ts, in promotion order, after source, build, self-mutation and assets', () => {
  expect(delivery.node.id).toBe(DELIVERY_STACK_ID);
  expect(delivery.stages.map((stage) => stage.config.name)).toEqual(promotionOrder.map((config) => config.name));
  const [codePipeline] = Object.values(pipelineTemplate.findResources('AWS::CodePipeline::Pipeline'));
  expect(codePipeline.Properties.Stages.map((stage: { Name: string }) => stage.Name)).toEqual([
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    ...promotionOrder.map((config) => stageId(config.name)),
  ]);
});

test("CDK's built-in CloudFormation validation finds nothing in any template", () => {
  // The synth task turns it off for speed (it only ever warns); this is where it runs over the whole app.
  // cdk-nag's packs report only when they fail, so a synth that did not throw leaves just this report.
  const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; conclusion: string; violations: { ruleName: string }[] }[];
  };
  expect(
    report.pluginReports.map((plugin) => [
      plugin.pluginName,
      plugin.conclusion,
      plugin.violations.map((violation) => violation.ruleName),
    ]),
  ).toEqual([['CloudFormation Validate', 'success', []]]);
});

test('the pipeline builds the configured repository and branch', () => {
  pipelineTemplate.hasResourceProperties('AWS::CodePipeline::Pipeline', {
    PipelineType: 'V2',
    Stages: Match.arrayWith([
      Match.objectLike({
        Name: 'Source',
        Actions: [
          Match.objectLike({
            Configuration: Match.objectLike({
              FullRepositoryId: pipelineSettings.repository,
              BranchName: pipelineSettings.branch,
              ConnectionArn: pipelineSettings.connectionArn,
            }),
          }),
        ],
      }),
    ]),
  });
});

test("stacks are named after the repository and environment, in each environment's account and region", () => {
  const stacks = delivery.stages.map((stage) => {
    const artifact = assembly.getNestedAssembly(stage.artifactId).getStackArtifact(stage.app.artifactId);
    return [artifact.stackName, artifact.environment.account, artifact.environment.region];
  });
  expect(stacks).toEqual([
    [`${APP_NAME}-dev`, dev.account, dev.region],
    [`${APP_NAME}-prod`, prod.account, prod.region],
  ]);
  expect(assembly.getStackArtifact(delivery.artifactId).stackName).toBe(`${APP_NAME}-pipeline`);
});

describe('dev', () => {
  test('rolls its services in place: the HTTP API ingress has no target groups to shift traffic between', () => {
    const services = Object.values(devTemplate.findResources('AWS::ECS::Service'));
    expect(services).toHaveLength(2);
    for (const service of services) {
      expect(service.Properties.DeploymentConfiguration.Strategy).toBeUndefined();
      expect(service.Properties.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
      expect(service.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({
        Enable: true,
        Rollback: true,
      });
    }
    expect(
      Object.keys(devTemplate.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('SmokeTest')),
    ).toEqual([]);
  });

  test('runs one Fargate Spot task per service, sized 256/512, on working days only', () => {
    // The schedule owns the count (a DesiredCount would wake a sleeping service on every deploy): one task awake,
    // none asleep, in dev's time zone.
    devTemplate.resourcePropertiesCountIs(
      'AWS::ECS::Service',
      {
        DesiredCount: Match.absent(),
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
      },
      2,
    );
    devTemplate.resourcePropertiesCountIs('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512' }, 2);
    devTemplate.resourcePropertiesCountIs(
      'AWS::ApplicationAutoScaling::ScalableTarget',
      {
        MinCapacity: 1,
        MaxCapacity: 1,
        ScheduledActions: [
          {
            ScheduledActionName: 'Wake',
            Schedule: 'cron(0 7 ? * MON,TUE,WED,THU,FRI *)',
            Timezone: dev.schedule!.timezone,
            ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 1 },
          },
          {
            ScheduledActionName: 'Sleep',
            Schedule: 'cron(0 20 ? * MON,TUE,WED,THU,FRI *)',
            Timezone: dev.schedule!.timezone,
            ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 0 },
          },
        ],
      },
      2,
    );
  });

  test("tells the API which environment it is, so /api/version and the frontend's banner say dev", () => {
    devTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Environment: Match.arrayWith([{ Name: 'APP_ENV', Value: 'dev' }]) }),
      ]),
    });
  });

  test("registers backend and frontend in Cloud Map, in dev's namespace", () => {
    devTemplate.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', {
      Name: dev.serviceDiscovery!.namespace,
    });
    devTemplate.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'backend' });
    devTemplate.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'frontend' });
  });

  test('is reached through an HTTP API and a VPC link, with no load balancer and no custom domain', () => {
    devTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    devTemplate.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    devTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    devTemplate.resourceCountIs('AWS::ApiGatewayV2::VpcLink', 1);
    devTemplate.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    devTemplate.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    // The URL the pipeline verifies is the API's own (https://<id>.execute-api.<region>.amazonaws.com).
    const [apiId] = Object.keys(devTemplate.findResources('AWS::ApiGatewayV2::Api'));
    const url = Object.values(devTemplate.findOutputs('Url'))[0];
    expect(url.Value).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
  });

  test('keeps logs 7 days, Container Insights off, no deletion protection', () => {
    for (const group of Object.values(devTemplate.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(7);
    }
    devTemplate.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
    });
    const devStage = delivery.stages.find((stage) => stage.config.name === 'dev')!;
    expect(
      assembly.getNestedAssembly(devStage.artifactId).getStackArtifact(devStage.app.artifactId).terminationProtection,
    ).toBeFalsy();
  });

  test('uses one NAT instance across two zones', () => {
    devTemplate.resourceCountIs('AWS::EC2::NatGateway', 0);
    devTemplate.resourceCountIs('AWS::EC2::Instance', 1);
    const zones = new Set(
      Object.values(devTemplate.findResources('AWS::EC2::Subnet')).map((subnet) => subnet.Properties.AvailabilityZone),
    );
    expect([...zones].sort()).toEqual(dev.availabilityZones.slice(0, 2).sort());
  });
  test('has Aurora Serverless v2 that pauses at 0 ACU and no reader, and no cache (one task: the rate limit is in-process)', () => {
    devTemplate.hasResourceProperties('AWS::RDS::DBCluster', {
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2 },
      DeletionProtection: false,
    });
    devTemplate.resourceCountIs('AWS::RDS::DBInstance', 1);
    devTemplate.resourceCountIs('AWS::ElastiCache::ServerlessCache', 0);
    devTemplate.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
  });
});

test('in every stage the backend, and only it, is migrated before its update and gets the data tier as env + ECS secrets', () => {
  for (const [template, cache] of [
    [devTemplate, false],
    [prodTemplate, true],
  ] as const) {
    const [migrationId] = Object.keys(template.findResources('Custom::SlipwayDatabaseMigration'));
    expect(template.toJSON().Resources[migrationId].Properties.Command).toEqual(['node', 'dist/migrate.js', 'up']);
    const services = template.findResources('AWS::ECS::Service');
    const backendService = Object.keys(services).find((id) => id.startsWith('Backend'))!;
    const frontendService = Object.keys(services).find((id) => id.startsWith('Frontend'))!;
    expect(services[backendService].DependsOn).toContain(migrationId);
    expect(services[frontendService].DependsOn ?? []).not.toContain(migrationId);
    const containers = Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap(
      (definition) => definition.Properties.ContainerDefinitions,
    );
    const backend = containers.find((container) => container.Name === 'backend');
    // dev has no cache: no REDIS_* at all, so the backend counts its rate limit in the process.
    expect(backend.Secrets.map((secret: { Name: string }) => secret.Name)).toEqual(
      cache ? ['PGPASSWORD', 'REDIS_PASSWORD'] : ['PGPASSWORD'],
    );
    const names = backend.Environment.map((variable: { Name: string }) => variable.Name);
    expect(names).toEqual(expect.arrayContaining(['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSSLMODE']));
    const redis = ['REDIS_HOST', 'REDIS_PORT', 'REDIS_USERNAME'];
    if (cache) expect(names).toEqual(expect.arrayContaining(redis));
    else expect(names.filter((name: string) => name.startsWith('REDIS_'))).toEqual([]);
    expect(containers.find((container) => container.Name === 'frontend').Secrets).toBeUndefined();
  }
});

describe('prod', () => {
  test('runs at least two on-demand tasks per service, backend 512/1024, frontend 256/512', () => {
    // Autoscaled: no DesiredCount in the template (a deploy keeps the running count); MinCapacity 2 is the floor.
    prodTemplate.resourcePropertiesCountIs(
      'AWS::ECS::Service',
      {
        DesiredCount: Match.absent(),
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      },
      2,
    );
    prodTemplate.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2 }, 2);
    prodTemplate.resourcePropertiesCountIs('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' }, 1);
    prodTemplate.resourcePropertiesCountIs('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512' }, 1);
  });

  test('scales each service on CPU at 60 % between 2 and at least 4 tasks', () => {
    const targets = Object.values(prodTemplate.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
    expect(targets).toHaveLength(2);
    for (const target of targets) {
      expect(target.Properties.MinCapacity).toBe(2);
      expect(target.Properties.MaxCapacity).toBeGreaterThanOrEqual(4);
    }
    prodTemplate.resourcePropertiesCountIs(
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: 60,
        }),
      },
      2,
    );
  });

  test('releases every service as a canary (10 % for 5 minutes, 10 minutes of bake time) behind the smoke test hook', () => {
    // environments/prod.ts: deployment { strategy: 'canary', percent: 10, minutes: 5, bakeTimeMinutes: 10 }
    const services = Object.values(prodTemplate.findResources('AWS::ECS::Service'));
    expect(services).toHaveLength(2);
    for (const service of services) {
      expect(service.Properties.DeploymentConfiguration).toMatchObject({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
        BakeTimeInMinutes: 10,
        LifecycleHooks: [{ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
        Alarms: { Enable: true, Rollback: true },
      });
      // 5xx rate, p99 latency, unhealthy targets, and the new revision's tasks failing to start or exiting.
      expect(service.Properties.DeploymentConfiguration.Alarms.AlarmNames).toEqual([
        expect.stringMatching(/-ErrorRate$/),
        expect.stringMatching(/-LatencyP99$/),
        expect.stringMatching(/-UnhealthyTargets$/),
        expect.stringMatching(/-NewTasksFailing$/),
      ]);
      expect(service.Properties.LoadBalancers[0].AdvancedConfiguration).toEqual({
        AlternateTargetGroupArn: expect.anything(),
        ProductionListenerRule: expect.anything(),
        TestListenerRule: expect.anything(),
        RoleArn: expect.anything(),
      });
    }
    // The hook expects the commit the backend image is built from: its GIT_SHA build argument.
    prodTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          VERSION_PATH: '/api/version',
          EXPECTED_COMMIT: imageRevision(REPOSITORY_ROOT, {
            context: REPOSITORY_ROOT,
            dockerfile: 'packages/backend/Dockerfile',
          }),
        }),
      },
    });
    prodTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000, Protocol: 'HTTP' });
  });

  test('serves HTTPS on its domain with a DNS-validated certificate, HTTP only redirecting', () => {
    prodTemplate.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: prod.https!.domainName });
    prodTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    prodTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
  });

  test('keeps logs 30 days, Container Insights on, termination protection on (the ALB is not protected: see first-deploy.test.ts)', () => {
    for (const group of Object.values(prodTemplate.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
    prodTemplate.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    const prodStage = delivery.stages.find((stage) => stage.config.name === 'prod')!;
    expect(
      assembly.getNestedAssembly(prodStage.artifactId).getStackArtifact(prodStage.app.artifactId).terminationProtection,
    ).toBe(true);
  });

  test('has a NAT gateway in each of its three zones', () => {
    prodTemplate.resourceCountIs('AWS::EC2::NatGateway', 3);
    const zones = new Set(
      Object.values(prodTemplate.findResources('AWS::EC2::Subnet')).map((subnet) => subnet.Properties.AvailabilityZone),
    );
    expect(zones.size).toBe(3);
  });
  test('has an Aurora writer and a reader in different zones, deletion protection and a final snapshot', () => {
    prodTemplate.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({
        DeletionProtection: true,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 8 },
      }),
    });
    const zones = Object.values(prodTemplate.findResources('AWS::RDS::DBInstance')).map(
      (instance) => instance.Properties.AvailabilityZone,
    );
    expect(zones).toHaveLength(2);
    expect(new Set(zones).size).toBe(2);
  });
});

describe.each(['dev', 'prod'])('the %s stage', (name) => {
  const template = () => (name === 'dev' ? devTemplate : prodTemplate);

  test('outputs its URL, cluster and service names for the verification step', () => {
    const outputs = Object.keys(template().toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining(['Url', 'ClusterName', 'BackendServiceName', 'FrontendServiceName']),
    );
  });

  test('has the read-only verification role the pipeline account may assume', () => {
    template().hasResourceProperties('AWS::IAM::Role', {
      RoleName: `${APP_NAME}-${name}-${name === 'dev' ? dev.region : prod.region}-verify`,
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [
          Match.objectLike({
            Principal: {
              AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${pipelineSettings.account}:root`]] },
            },
          }),
        ],
      }),
    });
  });

  test('lets the verification role start and stop tasks only where a schedule puts the services to sleep', () => {
    const config = name === 'dev' ? dev : prod;
    const statements = Object.values(template().findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes('DeploymentVerificationRole'))
      .flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: any }[],
      );
    const runTask = statements.find((statement) => statement.Action === 'ecs:RunTask');
    if (config.schedule) {
      // At night verify starts one task of each sleeping service's deployed revision: every service's.
      const families = Object.keys(template().findResources('AWS::ECS::TaskDefinition')).sort();
      expect(
        [runTask?.Resource]
          .flat()
          .map((resource: { Ref: string }) => resource.Ref)
          .sort(),
      ).toEqual(families);
      expect(statements.map((statement) => statement.Action)).toEqual(
        expect.arrayContaining(['ecs:StopTask', 'ecs:TagResource', 'iam:PassRole']),
      );
    } else {
      expect(statements.flatMap((statement) => [statement.Action].flat())).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/RunTask|StopTask|TagResource|PassRole/)]),
      );
    }
  });

  test('tags its resources with the environment, which slipway status finds the cluster by', () => {
    template().hasResourceProperties('AWS::ECS::Cluster', {
      Tags: Match.arrayWith([{ Key: 'slipway:environment', Value: name }]),
    });
  });
});

test('each image is built with its own commit as GIT_SHA (the last that changed its build), the backend from the repository root', () => {
  const stage = delivery.stages[0];
  const manifestFile = path.join(
    assembly.getNestedAssembly(stage.artifactId).directory,
    `${stage.app.artifactId}.assets.json`,
  );
  const images = Object.values(JSON.parse(readFileSync(manifestFile, 'utf8')).dockerImages) as {
    source: { directory: string; dockerFile?: string; dockerBuildArgs?: Record<string, string> };
  }[];
  expect(images).toHaveLength(2);
  const byDockerfile = Object.fromEntries(
    images.map((image) => [
      image.source.dockerFile ?? 'Dockerfile',
      Object.keys(image.source.dockerBuildArgs ?? {}).length > 0 ? image.source.dockerBuildArgs : undefined,
    ]),
  );
  // (In a repository with no commit yet there is no revision, and the Dockerfiles' default applies.)
  const buildArgs = (revision: string | undefined) => (revision ? { GIT_SHA: revision } : undefined);
  expect(byDockerfile).toEqual({
    'packages/backend/Dockerfile': buildArgs(
      imageRevision(REPOSITORY_ROOT, { context: REPOSITORY_ROOT, dockerfile: 'packages/backend/Dockerfile' }),
    ),
    Dockerfile: buildArgs(
      imageRevision(REPOSITORY_ROOT, { context: path.join(REPOSITORY_ROOT, 'packages', 'frontend') }),
    ),
  });
});

test("the synth report lists each environment's stacks, resources and acknowledged findings, then the pipeline", () => {
  const rows = summarizeSynth(assembly, delivery);
  expect(rows.map((row) => [row.environment, row.path, row.stacks])).toEqual([
    ['dev', 'Delivery/Dev', [`${APP_NAME}-dev`]],
    ['prod', 'Delivery/Prod', [`${APP_NAME}-prod`]],
    ['pipeline', 'Delivery', [`${APP_NAME}-pipeline`]],
  ]);
  expect(rows[0].resources).toBe(Object.keys(devTemplate.toJSON().Resources).length);
  expect(rows[1].resources).toBe(Object.keys(prodTemplate.toJSON().Resources).length);
  expect(rows[2].resources).toBe(Object.keys(pipelineTemplate.toJSON().Resources).length);
  for (const row of rows) expect(row.acknowledged).toBeGreaterThan(0);
});

test('an environment in another region puts the support stack CodePipeline adds for it in the pipeline row', () => {
  // GIVEN prod in us-east-1, the pipeline in its own region
  const prodInUsEast1 = defineEnvironment({
    ...prod,
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  });
  // WHEN the app is synthesized (both nag packs over every stack, the support stack's included)
  const crossRegionApp = createApp({
    outdir: mkdtempSync(path.join(tmpdir(), 'slipway-cross-region-')),
    environments: [dev, prodInUsEast1],
  });
  const crossRegion = crossRegionApp.synth();
  // THEN the pipeline row counts the support stack's resources and acknowledgements with the pipeline stack's
  const row = summarizeSynth(crossRegion, findDeliveryStack(crossRegionApp)).find(
    (candidate) => candidate.environment === 'pipeline',
  )!;
  expect(row.stacks).toEqual([`${APP_NAME}-pipeline`, `${APP_NAME}-pipeline-support-us-east-1`]);
  const resources = row.stacks.map(
    (name) => Object.keys(crossRegion.stacks.find((stack) => stack.stackName === name)!.template.Resources).length,
  );
  expect(row.resources).toBe(resources[0] + resources[1]);
});

test('a third environment in the promotion order adds its stage between the others', () => {
  // GIVEN staging, a copy of dev in its own account, between dev and prod
  const staging = defineEnvironment({
    ...dev,
    name: 'staging',
    account: '333333333333',
    serviceDiscovery: { namespace: 'staging.local' },
  });
  // WHEN (the pipeline's stages exist once the construct is built; no synth needed)
  const withStaging = findDeliveryStack(createApp({ environments: [dev, staging, prod] }));
  // THEN
  expect(withStaging.pipeline.codePipeline.pipeline.stages.map((stage) => stage.stageName)).toEqual([
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    'Dev',
    'Staging',
    'Prod',
  ]);
  expect(withStaging.pipeline.verifications.staging).toBeDefined();
  expect(withStaging.pipeline.approvals.prod).toBeDefined();
  expect(withStaging.pipeline.approvals.staging).toBeUndefined();
});

test.each([['My_Shop'], ['-shop'], ['shop-'], ['s'], ['a'.repeat(41)], ['']])(
  'appName %j is refused with the file, the field and the fix',
  (name) => {
    expect(() => checkAppName(name)).toThrow(
      /^environments\/index\.ts: appName must be 2 to 40 lowercase letters, digits or hyphens, starting with a letter; got ".*"\. It names the stacks/,
    );
  },
);

test('appName names the stacks without the repository', () => {
  // GIVEN another app name than the repository's (WHEN the app is built; no synth needed)
  const shop = findDeliveryStack(createApp({ appName: 'my-shop' }));
  // THEN every stack is named after it
  expect([shop.stackName, ...shop.stages.map((stage) => stage.app.stackName)]).toEqual([
    'my-shop-pipeline',
    'my-shop-dev',
    'my-shop-prod',
  ]);
});
