import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AlarmTopic } from '../../src/alarms';
import { AlbService, AlbServiceProps } from '../../src/service';
import { platform, registryImage, spotSettings } from '../fixtures/stacks';

function albService(overrides: Partial<AlbServiceProps> = {}, options: { containerInsights?: boolean } = {}) {
  const { stack, cluster, ingress } = platform(options);
  const service = new AlbService(stack, 'Backend', {
    cluster,
    listener: ingress.listener,
    serviceName: 'backend',
    ...spotSettings,
    image: registryImage,
    containerPort: 8000,
    healthCheckPath: '/api/health',
    pathPatterns: ['/api/*'],
    priority: 10,
    ...overrides,
  });
  return { stack, service, ingress };
}

describe('AlbService', () => {
  describe('GIVEN a backend with secrets, a container health check and autoscaling', () => {
    let template: Template;
    let annotations: Annotations;
    let service: AlbService;
    beforeAll(() => {
      const { stack, cluster, ingress } = platform({ containerInsights: true });
      const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'DbSecret', 'app/db');
      const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiKey', {
        parameterName: '/app/api-key',
      });
      service = new AlbService(stack, 'Backend', {
        cluster,
        containerInsights: true,
        listener: ingress.listener,
        serviceName: 'backend',
        image: registryImage,
        containerPort: 8000,
        cpu: 512,
        memoryLimitMiB: 1024,
        desiredCount: 2,
        capacityProviderStrategies: [
          { capacityProvider: 'FARGATE', base: 1, weight: 1 },
          { capacityProvider: 'FARGATE_SPOT', weight: 3 },
        ],
        autoScaling: {
          minCapacity: 2,
          maxCapacity: 5,
          targetCpuUtilizationPercent: 65,
          targetMemoryUtilizationPercent: 75,
          requestsPerTarget: 500,
          scaleInCooldown: Duration.seconds(120),
        },
        healthCheckPath: '/api/health',
        pathPatterns: ['/api/*'],
        priority: 10,
        user: '1000',
        gitSha: 'abc1234',
        environment: { PORT: '8000' },
        secrets: {
          DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'),
          API_KEY: ecs.Secret.fromSsmParameter(parameter),
        },
        containerHealthCheck: {
          command: ['CMD', 'node', '-e', "fetch('http://localhost:8000/api/health')"],
          interval: Duration.seconds(10),
        },
        alarmActions: new AlarmTopic(stack, 'Alarms').alarmActions,
      });
      template = Template.fromStack(stack);
      annotations = Annotations.fromStack(stack);
    });

    test('THEN the container runs non-root on a read-only root filesystem with a writable /tmp volume', () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        Cpu: '512',
        Memory: '1024',
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
        Volumes: [{ Name: 'writable-0' }],
        ContainerDefinitions: [
          Match.objectLike({
            Name: 'backend',
            ReadonlyRootFilesystem: true,
            User: '1000',
            MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'writable-0', ReadOnly: false }],
            PortMappings: [Match.objectLike({ ContainerPort: 8000, Protocol: 'tcp' })],
            HealthCheck: Match.objectLike({
              Command: ['CMD', 'node', '-e', "fetch('http://localhost:8000/api/health')"],
              Interval: 10,
            }),
            StopTimeout: 30,
          }),
        ],
      });
    });

    test('THEN secrets come from Secrets Manager and SSM as ECS secrets, never as plain variables', () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [
          Match.objectLike({
            Secrets: Match.arrayWith([
              Match.objectLike({
                Name: 'DATABASE_PASSWORD',
                ValueFrom: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
              }),
              Match.objectLike({ Name: 'API_KEY' }),
            ]),
            // The git SHA (abc1234) is the image's business, not the task definition's.
            Environment: [{ Name: 'PORT', Value: '8000' }],
          }),
        ],
      });
    });

    test('THEN logs go to an encrypted log group with retention, without blocking the app', () => {
      template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [
          Match.objectLike({
            LogConfiguration: {
              LogDriver: 'awslogs',
              Options: Match.objectLike({ 'awslogs-stream-prefix': 'backend', mode: 'non-blocking' }),
            },
          }),
        ],
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: Match.anyValue() });
    });

    test('THEN, autoscaled, the service has no DesiredCount, so a deploy keeps the running count; the minimum is 2', () => {
      // CloudFormation AWS::ECS::Service: DesiredCount omitted on update keeps the current count; set, it resets it.
      template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 5 });
    });

    test("THEN the service depends on the cluster's capacity provider association it places tasks by", () => {
      // Created after the association, deleted before it: otherwise the stack delete fails.
      const [associationId] = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
      const [ecsService] = Object.values(template.findResources('AWS::ECS::Service'));
      expect(ecsService.Properties.CapacityProviderStrategy).toBeDefined();
      expect(ecsService.DependsOn).toContain(associationId);
    });

    test('THEN the service rolls back failed deployments (circuit breaker and alarms) and keeps 100%–200% healthy', () => {
      template.hasResourceProperties('AWS::ECS::Service', {
        CapacityProviderStrategy: [
          { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
        ],
        HealthCheckGracePeriodSeconds: 30,
        DeploymentConfiguration: {
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
          Alarms: {
            Enable: true,
            Rollback: true,
            AlarmNames: ['Test-Backend-ErrorRate', 'Test-Backend-UnhealthyTargets'],
          },
        },
      });
    });

    test('THEN the deployment alarms have fixed names, so the service names them without a Ref and CDK notes no possible cycle', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'Test-Backend-ErrorRate',
        Threshold: 5,
        EvaluationPeriods: 3,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'Test-Backend-UnhealthyTargets',
        MetricName: 'UnHealthyHostCount',
      });
      expect(service.deploymentAlarms.map((alarm) => alarm.node.id)).toEqual(['ErrorRate', 'UnhealthyTargets']);
      // The other alarms keep generated names.
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmName: Match.anyValue() }, 2);
      annotations.hasNoInfo('*', Match.stringLikeRegexp('circular dependency'));
    });

    test('THEN a rolling step is quick: healthy after 2 checks 10 s apart, drained in 15 s', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: 8000,
        Protocol: 'HTTP',
        TargetType: 'ip',
        HealthCheckPath: '/api/health',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        Matcher: { HttpCode: '200' },
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '15' }]),
      });
    });

    test('THEN a listener rule routes /api/* at priority 10', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
        Actions: [Match.objectLike({ Type: 'forward' })],
      });
    });

    test('THEN the tasks accept traffic on 8000 from the load balancer only', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp',
        FromPort: 8000,
        ToPort: 8000,
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngressSecurityGroup'), 'GroupId'] },
      });
      const ingressRules = template.findResources('AWS::EC2::SecurityGroupIngress');
      expect(Object.values(ingressRules).filter((rule) => rule.Properties.CidrIp)).toEqual([]);
    });

    test('THEN autoscaling tracks CPU, memory and ALB requests per target with the configured cooldowns', () => {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 5 });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: 65,
          ScaleInCooldown: 120,
          ScaleOutCooldown: 60,
        }),
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
          TargetValue: 75,
          ScaleInCooldown: 120,
          ScaleOutCooldown: 60,
        }),
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          TargetValue: 500,
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        }),
      });
    });

    test('THEN it alarms on 5xx rate, p99 latency, unhealthy targets, CPU, memory and running < desired, to the topic', () => {
      expect(service.alarms.map((alarm) => alarm.node.id).sort()).toEqual([
        'CpuHigh',
        'ErrorRate',
        'LatencyP99',
        'MemoryHigh',
        'RunningBelowDesired',
        'UnhealthyTargets',
      ]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 5,
        EvaluationPeriods: 3,
        Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)' })]),
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmsTopic') }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'TargetResponseTime',
        ExtendedStatistic: 'p99',
        Threshold: 2,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Threshold: 1 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([Match.objectLike({ Expression: 'desired - running' })]),
      });
    });

    test('THEN the service registers in Cloud Map as backend.dev.local', () => {
      template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'backend' });
      expect(service.discoveryName).toBe('backend.dev.local');
    });
  });

  test('GIVEN no pathPatterns THEN it is the catch-all route at priority 50000', () => {
    const { service } = albService({ pathPatterns: undefined, priority: undefined });
    expect(service.pathPatterns).toEqual(['/*']);
    expect(service.priority).toBe(50000);
  });

  test('GIVEN Container Insights off THEN there is no running < desired alarm', () => {
    const { service } = albService();
    expect(service.alarms.map((alarm) => alarm.node.id)).not.toContain('RunningBelowDesired');
  });

  const invalid: Array<[string, Partial<AlbServiceProps>, RegExp]> = [
    [
      'a service name that is not a DNS label',
      { serviceName: 'Back_End' },
      /Test\/Backend: serviceName must be a lowercase DNS label/,
    ],
    ['a port out of range', { containerPort: 70000 }, /containerPort must be a TCP port \(1–65535\); got 70000/],
    [
      'an invalid Fargate size',
      { memoryLimitMiB: 3000 },
      /memoryLimitMiB must be a Fargate task size together with cpu/,
    ],
    ['a root user', { user: '0:0' }, /user must not be root; got "0:0"/],
    [
      'a relative writable path',
      { writablePaths: ['tmp'] },
      /writablePaths must be an absolute path other than \/; got "tmp"/,
    ],
    ['pathPatterns without priority', { priority: undefined }, /priority is required with pathPatterns/],
    ['a priority out of range', { priority: 60000 }, /priority must be an integer from 1 to 50000; got 60000/],
    [
      'more than 5 path patterns',
      { pathPatterns: ['/a', '/b', '/c', '/d', '/e', '/f'] },
      /pathPatterns must hold 1 to 5 patterns/,
    ],
    [
      'a health check path without a slash',
      { healthCheckPath: 'health' },
      /healthCheckPath must start with '\/'; got "health"/,
    ],
    [
      'a drain over 30 s',
      { deregistrationDelay: Duration.seconds(60) },
      /deregistrationDelay must be at most 30 s so a rolling step stays under a minute; got "60s"/,
    ],
  ];
  test.each(invalid)('GIVEN %s THEN it is refused', (_name, overrides, message) => {
    expect(() => albService(overrides)).toThrow(message);
  });
});
