import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { AppServiceSpec, AppWorkerServiceSpec, SlipwayAppStack } from '../../src/app';
import { EnvironmentConfig } from '../../src/config';
import { NIGHT_START_SKIP_TAG_KEY, NIGHT_START_SKIP_TAG_VALUE } from '../../src/contract';
import { enforceSecurityChecks } from '../../src/nag';
import { DeploymentVerificationRole } from '../../src/pipeline';
import { WorkerService } from '../../src/service';
import { sampleApp, sampleServices } from '../fixtures/apps';
import { devHttpApi, devLike, prodCanary } from '../fixtures/environments';

/** A worker as the reference deployment runs one: the backend's image, another command, no port. */
function temporalWorker(image: AppServiceSpec['image'] = sampleServices().backend.image): AppWorkerServiceSpec {
  return {
    kind: 'worker',
    image,
    command: ['node', 'dist/worker.js'],
    user: '1000',
    environment: { TEMPORAL_TASK_QUEUE: 'orchestrator-task-queue' },
    containerHealthCheck: {
      command: ['CMD-SHELL', 'test $(( $(date +%s) - $(stat -c %Y /tmp/heartbeat) )) -lt 60'],
    },
  };
}

/** Prod, releasing as canaries, with a data tier the backend and the worker use; the worker scales on CPU and memory. */
const prodWithWorker: EnvironmentConfig = {
  ...prodCanary,
  services: {
    ...prodCanary.services,
    backend: { ...prodCanary.services.backend, uses: ['database', 'cache'] },
    worker: {
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 2,
      capacity: { onDemandBase: 1, spotWeight: 1 },
      autoscaling: { min: 2, max: 5, cpuTargetPercent: 70, memoryTargetPercent: 80 },
      uses: ['database', 'cache'],
      environment: { TEMPORAL_NAMESPACE: 'default' },
      secrets: { TEMPORAL_API_KEY: { create: true } },
    },
  },
  database: { engine: 'aurora-serverless', minCapacity: 0.5, maxCapacity: 8, readers: 1 },
  cache: { mode: 'node', nodeType: 'cache.t4g.small', replicas: 1 },
};

const devWithWorker: EnvironmentConfig = {
  ...devHttpApi,
  services: { ...devHttpApi.services, worker: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: 'spot' } },
};

function serviceResource(stack: SlipwayAppStack, name: string) {
  return Template.fromStack(stack).toJSON().Resources[
    stack.getLogicalId(stack.services[name].service.node.defaultChild as never)
  ];
}

function containerOf(template: Template, name: string) {
  return Object.values(template.findResources('AWS::ECS::TaskDefinition'))
    .flatMap((definition) => definition.Properties.ContainerDefinitions)
    .find((container) => container.Name === name);
}

describe('SlipwayAppStack with a worker', () => {
  describe('GIVEN prod-like settings releasing as canaries, a data tier, and a worker beside the web services', () => {
    // WHEN synthesized inside a Stage, with both cdk-nag packs enforced (an unacknowledged finding throws in synth)
    const { app, stack } = sampleApp(prodWithWorker, { inStage: true, services: { worker: temporalWorker() } });
    app.synth();
    const template = Template.fromStack(stack);
    const worker = stack.services.worker;

    test('THEN the worker is a WorkerService: no port, no Cloud Map name, no target group, no route', () => {
      expect(worker).toBeInstanceOf(WorkerService);
      const service = serviceResource(stack, 'worker');
      expect(service.Properties.LoadBalancers).toBeUndefined();
      expect(service.Properties.ServiceRegistries).toBeUndefined();
      expect(containerOf(template, 'worker')).toMatchObject({
        Command: ['node', 'dist/worker.js'],
        HealthCheck: { Command: ['CMD-SHELL', expect.stringContaining('/tmp/heartbeat')] },
      });
      expect(containerOf(template, 'worker').PortMappings).toBeUndefined();
      // Only the two web services have target groups (two each: canary releases swap them) and Cloud Map names.
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 4);
      template.resourceCountIs('AWS::ServiceDiscovery::Service', 2);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 4);
    });

    test('THEN nothing may connect to the worker; the worker may connect to the database and the cache', () => {
      const workerGroup = stack.getLogicalId(worker.securityGroup.node.defaultChild as never);
      const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
      expect(rules.filter((rule) => rule.GroupId?.['Fn::GetAtt']?.[0] === workerGroup)).toEqual([]);
      expect(template.toJSON().Resources[workerGroup].Properties.SecurityGroupIngress).toBeUndefined();
      const fromWorker = rules.filter((rule) => rule.SourceSecurityGroupId?.['Fn::GetAtt']?.[0] === workerGroup);
      expect(fromWorker.map((rule) => rule.Description).sort()).toEqual([
        'worker to the cache',
        'worker to the database',
      ]);
    });

    test('THEN the worker gets the data tier, its settings and its secrets, as every service does', () => {
      const container = containerOf(template, 'worker');
      const environment = container.Environment.map((entry: { Name: string }) => entry.Name);
      expect(environment).toEqual(
        expect.arrayContaining(['PGHOST', 'REDIS_HOST', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_NAMESPACE']),
      );
      const secrets = container.Secrets.map((entry: { Name: string }) => entry.Name);
      expect(secrets).toEqual(expect.arrayContaining(['PGPASSWORD', 'TEMPORAL_API_KEY']));
      expect(Object.keys(stack.createdSecrets.worker)).toEqual(['TEMPORAL_API_KEY']);
    });

    test('THEN the worker rolls with the circuit breaker while the web services release as canaries', () => {
      const configuration = serviceResource(stack, 'worker').Properties.DeploymentConfiguration;
      expect(configuration).toMatchObject({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      });
      expect(configuration.Strategy).toBeUndefined();
      expect(configuration.LifecycleHooks).toBeUndefined();
      expect(configuration.CanaryConfiguration).toBeUndefined();
      expect(serviceResource(stack, 'backend').Properties.DeploymentConfiguration.Strategy).toBe('CANARY');
      // Its failed starts are the circuit breaker's: no alarm of the canary services' on its new tasks.
      expect(configuration.Alarms).toEqual({ AlarmNames: [], Enable: false, Rollback: false });
      expect(worker.node.tryFindChild('NewTasksFailingRule')).toBeUndefined();
      expect(stack.stoppedTaskAlert.revisionRules).toHaveLength(2);
    });

    test("THEN the smoke test's checks stay with the web services", () => {
      const hooks = (name: string) =>
        serviceResource(stack, name).Properties.DeploymentConfiguration.LifecycleHooks?.map(
          (hook: { HookDetails?: unknown }) => hook.HookDetails,
        );
      expect(hooks('backend')).toEqual([{ smokeTestChecks: ['health', 'version'] }]);
      expect(hooks('frontend')).toEqual([{ smokeTestChecks: ['page'] }]);
    });

    test('THEN it runs on the capacity and scales on CPU and memory as its settings say', () => {
      expect(serviceResource(stack, 'worker').Properties.CapacityProviderStrategy).toEqual([
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ]);
      const workerService = stack.getLogicalId(worker.service.node.defaultChild as never);
      const target = Object.entries(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget')).find(
        ([, resource]) => JSON.stringify(resource.Properties.ResourceId).includes(workerService),
      );
      expect(target?.[1].Properties).toMatchObject({ MinCapacity: 2, MaxCapacity: 5 });
      const policies = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
        .filter((policy) => policy.Properties.ScalingTargetId?.Ref === target?.[0])
        .map((policy) => policy.Properties.TargetTrackingScalingPolicyConfiguration);
      expect(policies).toEqual([
        expect.objectContaining({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: 70,
        }),
        expect.objectContaining({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
          TargetValue: 80,
        }),
      ]);
    });

    test('THEN it has its alarms, its dashboard rows, and the stopped-task alert covers it', () => {
      expect(worker.alarms.map((alarm) => alarm.node.id)).toEqual(['CpuHigh', 'MemoryHigh', 'RunningBelowDesired']);
      const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
      for (const label of ['\\"label\\":\\"worker\\"', '\\"label\\":\\"worker running\\"']) {
        expect(body).toContain(label);
      }
      // The rule matches every service task of the cluster (group "service:<name>"), the worker's included.
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          detail: Match.objectLike({ group: [{ prefix: 'service:' }] }),
        }),
      });
      template.hasOutput('WorkerServiceName', {});
    });

    test('THEN it has zero unacknowledged AwsSolutions and NIST 800-53 R5 findings', () => {
      for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
        expect(pack.validateScope(app).violations).toEqual([]);
      }
    });
  });

  test('GIVEN dev behind the HTTP API with a worker THEN the API routes only the web services and the worker has no Cloud Map name', () => {
    const { app, stack } = sampleApp(devWithWorker, { services: { worker: temporalWorker() } });
    app.synth();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ServiceDiscovery::Service', 2);
    const targets = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).map(
      (integration) => integration.Properties.IntegrationUri,
    );
    expect(targets).toHaveLength(2);
    expect(serviceResource(stack, 'worker').Properties.ServiceRegistries).toBeUndefined();
    expect(stack.services.worker.discoveryName).toBeUndefined();
  });

  test("GIVEN a worker that runs the backend's Dockerfile directory THEN the asset manifest has ONE image asset for the two", () => {
    // GIVEN a Dockerfile directory both services name
    const directory = mkdtempSync(path.join(tmpdir(), 'slipway-worker-image-'));
    mkdirSync(path.join(directory, 'src'));
    writeFileSync(
      path.join(directory, 'Dockerfile'),
      'FROM public.ecr.aws/docker/library/node:22-alpine\nCOPY src /app\n',
    );
    writeFileSync(path.join(directory, 'src', 'index.js'), 'console.log("hello")\n');
    const image = { directory };
    const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), 'slipway-worker-out-')) });
    enforceSecurityChecks(app);
    const stack = new SlipwayAppStack(app, 'App-dev', {
      config: { ...devLike, services: { ...devLike.services, worker: devWithWorker.services.worker } },
      services: { ...sampleServices(), backend: { ...sampleServices().backend, image }, worker: temporalWorker(image) },
      gitSha: '0123456789abcdef0123456789abcdef01234567',
    });
    // WHEN the app is synthesized
    const assembly = app.synth();
    // THEN one image is built and published, and both task definitions name it
    const manifests = assembly.artifacts.filter(
      (artifact): artifact is AssetManifestArtifact => artifact instanceof AssetManifestArtifact,
    );
    const dockerImages = manifests.flatMap((manifest) => Object.keys(manifest.contents.dockerImages ?? {}));
    expect(dockerImages).toHaveLength(1);
    const template = Template.fromStack(stack);
    expect(containerOf(template, 'worker').Image).toEqual(containerOf(template, 'backend').Image);
    expect(JSON.stringify(containerOf(template, 'worker').Image)).toContain(dockerImages[0]);
  });

  test('GIVEN an app whose only service is a worker THEN it has no ingress and no URL', () => {
    const app = new App();
    enforceSecurityChecks(app);
    const stack = new SlipwayAppStack(app, 'App-dev', {
      config: { ...devLike, services: { worker: devWithWorker.services.worker } },
      services: { worker: temporalWorker() },
    });
    app.synth();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    expect(stack.ingress).toBeUndefined();
    expect(stack.urlOutput).toBeUndefined();
    template.resourceCountIs('AWS::ECS::Service', 1);
  });

  test('GIVEN a schedule and a worker that must not run out of hours THEN verify may start the web services at night, not it', () => {
    // GIVEN dev asleep out of hours, and a worker whose spec says startWhenAsleep: false
    const { app, stack } = sampleApp(
      {
        ...devWithWorker,
        schedule: { timezone: 'Europe/Dublin', awake: { days: 'MON-FRI', from: '08:00', to: '19:00' } },
      },
      { services: { worker: { ...temporalWorker(), startWhenAsleep: false } } },
    );
    // WHEN the verification role is given the stack's night-start task definitions, as ApplicationStage does
    new DeploymentVerificationRole(stack, 'Verification', {
      pipelineAccount: '111111111111',
      cluster: stack.cluster.cluster,
      services: Object.values(stack.services).map((service) => service.service),
      scheduledTaskDefinitions: stack.nightStartTaskDefinitions,
    });
    app.synth();
    const template = Template.fromStack(stack);
    // THEN the worker alone carries the tag verify reads, and the role may run the web services' revisions only
    const skipTagged = Object.keys(stack.services).filter((name) =>
      (serviceResource(stack, name).Properties.Tags as { Key: string; Value: string }[]).some(
        (tag) => tag.Key === NIGHT_START_SKIP_TAG_KEY && tag.Value === NIGHT_START_SKIP_TAG_VALUE,
      ),
    );
    expect(skipTagged).toEqual(['worker']);
    expect(stack.nightStartTaskDefinitions).toEqual([
      stack.services.backend.taskDefinition,
      stack.services.frontend.taskDefinition,
    ]);
    const runTask = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
      .find((statement) => statement.Action === 'ecs:RunTask');
    expect(runTask?.Resource).toEqual(
      ['backend', 'frontend'].map((name) => ({
        Ref: stack.getLogicalId(stack.services[name].taskDefinition.node.defaultChild as never),
      })),
    );
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      expect(pack.validateScope(app).violations).toEqual([]);
    }
  });

  describe('misuse fails naming the service, the field, the value and the fix', () => {
    const build =
      (services: Record<string, unknown>, config: EnvironmentConfig = devWithWorker) =>
      () =>
        new SlipwayAppStack(new App(), 'Bad', {
          config,
          services: { ...sampleServices(), ...services } as Record<string, AppServiceSpec>,
        });

    test.each([
      [
        'healthCheckPath',
        '/health',
        /services\.worker\.healthCheckPath must not be set on a worker: a worker has no load balancer health check/,
      ],
      [
        'pathPatterns',
        ['/jobs/*'],
        /services\.worker\.pathPatterns must not be set on a worker: a worker has no route on the ingress; got \["\/jobs\/\*"\]/,
      ],
      ['priority', 20, /services\.worker\.priority must not be set on a worker/],
      [
        'reachableFrom',
        ['backend'],
        /services\.worker\.reachableFrom must not be set on a worker: nothing can call a worker/,
      ],
      [
        'containerPort',
        9000,
        /services\.worker\.containerPort must not be set on a worker: a worker listens on no port; got 9000\. Remove containerPort from worker, or drop kind: 'worker'/,
      ],
      ['internal', true, /services\.worker\.internal must not be set on a worker/],
    ])('GIVEN a worker with %s THEN it is refused', (field, value, message) => {
      expect(build({ worker: { ...temporalWorker(), [field]: value } })).toThrow(message);
      expect(build({ worker: { ...temporalWorker(), [field]: value } })).toThrow(/^Bad: /);
    });

    test('GIVEN a worker without a container health check THEN it is refused', () => {
      expect(build({ worker: { ...temporalWorker(), containerHealthCheck: undefined } })).toThrow(
        /Bad: services\.worker\.containerHealthCheck is required for a worker: it is the worker's only health signal/,
      );
    });

    test('GIVEN a web service without a port THEN it is refused, pointing at kind worker', () => {
      expect(build({ frontend: { ...sampleServices().frontend, containerPort: undefined } }, devLike)).toThrow(
        /Bad: services\.frontend\.containerPort is required for a web service \(it is reached on that port\); got nothing\. .*kind: 'worker'/,
      );
    });

    test('GIVEN an unknown kind THEN it is refused', () => {
      expect(build({ worker: { ...temporalWorker(), kind: 'cron' } })).toThrow(
        /services\.worker\.kind must be 'web' or 'worker'; got "cron"/,
      );
    });

    test("GIVEN a worker's settings with request-count scaling THEN the environment file is named", () => {
      const config: EnvironmentConfig = {
        ...devLike,
        services: {
          ...devLike.services,
          worker: {
            ...devWithWorker.services.worker,
            autoscaling: { min: 1, max: 2, cpuTargetPercent: 60, requestsPerTarget: 100 },
          },
        },
      };
      expect(build({ worker: temporalWorker() }, config)).toThrow(
        /^environments\/dev\.ts: services\.worker\.autoscaling\.requestsPerTarget must not be set: worker is a worker, and request-count scaling needs a load balancer target group; got 100/,
      );
    });

    test('GIVEN a service reachable from the worker THEN the worker may call it', () => {
      const config: EnvironmentConfig = {
        ...devWithWorker,
        services: { ...devWithWorker.services, api: devWithWorker.services.worker },
      };
      const { app, stack } = sampleApp(config, {
        services: {
          worker: temporalWorker(),
          api: { ...sampleServices().backend, internal: true, containerPort: 9000, reachableFrom: ['worker'] },
        },
      });
      void app;
      expect(stack.services.api.connections.securityGroups).toHaveLength(1);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 9000,
        Description: 'worker to api',
      });
    });
  });
});
