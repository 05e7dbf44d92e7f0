import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { InternalService, WorkerService, WorkerServiceProps } from '../../src/service';
import { platform, registryImage, spotSettings } from '../fixtures/stacks';

const heartbeatCheck: ecs.HealthCheck = {
  command: ['CMD-SHELL', 'test $(( $(date +%s) - $(stat -c %Y /tmp/heartbeat) )) -lt 60'],
  interval: Duration.seconds(15),
  retries: 3,
};

function worker(base: ReturnType<typeof platform>, props: Partial<WorkerServiceProps> = {}): WorkerService {
  return new WorkerService(base.stack, 'Worker', {
    cluster: base.cluster,
    serviceName: 'worker',
    ...spotSettings,
    image: registryImage,
    command: ['node', 'dist/worker.js'],
    containerHealthCheck: heartbeatCheck,
    ...props,
  });
}

describe('WorkerService', () => {
  test('GIVEN a worker in a cluster with a namespace THEN it maps no port, registers nowhere and admits nothing', () => {
    const base = platform();
    const service = worker(base);
    const template = Template.fromStack(base.stack);

    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'worker',
          Command: ['node', 'dist/worker.js'],
          PortMappings: Match.absent(),
          HealthCheck: Match.objectLike({ Command: heartbeatCheck.command, Interval: 15, Retries: 3 }),
          ReadonlyRootFilesystem: true,
        }),
      ],
    });
    template.resourceCountIs('AWS::ServiceDiscovery::Service', 0);
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceRegistries: Match.absent(),
      LoadBalancers: Match.absent(),
      HealthCheckGracePeriodSeconds: Match.absent(),
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }),
      },
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
    });
    // Egress as every service; no ingress rule, inline or separate.
    const group =
      template.toJSON().Resources[base.stack.getLogicalId(service.securityGroup.node.defaultChild as never)];
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'Allow all outbound traffic by default', IpProtocol: '-1' },
    ]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(service.containerPort).toBeUndefined();
    expect(service.discoveryName).toBeUndefined();
    expect(service.alarms.map((alarm) => alarm.node.id)).toEqual(['CpuHigh', 'MemoryHigh']);
  });

  test('GIVEN CPU and memory autoscaling THEN both target-tracking policies hold the task count', () => {
    const base = platform({ containerInsights: true });
    const service = worker(base, {
      containerInsights: true,
      autoScaling: {
        minCapacity: 2,
        maxCapacity: 5,
        targetCpuUtilizationPercent: 70,
        targetMemoryUtilizationPercent: 80,
      },
    });
    const template = Template.fromStack(base.stack);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 5 });
    for (const [metric, target] of [
      ['ECSServiceAverageCPUUtilization', 70],
      ['ECSServiceAverageMemoryUtilization', 80],
    ] as const) {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: metric },
          TargetValue: target,
        }),
      });
    }
    expect(service.alarms.map((alarm) => alarm.node.id)).toEqual(['CpuHigh', 'MemoryHigh', 'RunningBelowDesired']);
  });

  test('GIVEN an internal API reachable from the worker THEN the worker is let in on the API port, and nothing into the worker', () => {
    const base = platform();
    const service = worker(base);
    const api = new InternalService(base.stack, 'Api', {
      cluster: base.cluster,
      serviceName: 'api',
      ...spotSettings,
      image: registryImage,
      containerPort: 9000,
    });
    api.connections.allowDefaultPortFrom(service, 'worker to api');
    const template = Template.fromStack(base.stack);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 9000,
      Description: 'worker to api',
      GroupId: { 'Fn::GetAtt': [base.stack.getLogicalId(api.securityGroup.node.defaultChild as never), 'GroupId'] },
      SourceSecurityGroupId: {
        'Fn::GetAtt': [base.stack.getLogicalId(service.securityGroup.node.defaultChild as never), 'GroupId'],
      },
    });
  });

  test('GIVEN a caller let in on the default port THEN it is refused, a worker having no port', () => {
    const base = platform();
    const service = worker(base);
    const api = new InternalService(base.stack, 'Api', {
      cluster: base.cluster,
      serviceName: 'api',
      ...spotSettings,
      image: registryImage,
      containerPort: 9000,
    });
    expect(() => service.connections.allowDefaultPortFrom(api)).toThrow(/no default port/);
  });

  test('GIVEN no container health check THEN it is refused: it is the only health signal', () => {
    const base = platform();
    expect(() => worker(base, { containerHealthCheck: undefined })).toThrow(
      /Test\/Worker: containerHealthCheck is required for a worker: it is the worker's only health signal/,
    );
  });

  test('GIVEN request-count scaling THEN it is refused, having no load balancer', () => {
    const base = platform();
    expect(() =>
      worker(base, {
        autoScaling: { minCapacity: 1, maxCapacity: 2, targetCpuUtilizationPercent: 60, requestsPerTarget: 100 },
      }),
    ).toThrow(/autoScaling\.requestsPerTarget needs a load balancer, which a worker does not have; got 100/);
  });

  test('GIVEN a container port (from code the compiler did not check) THEN it is refused', () => {
    const base = platform();
    const props = { containerPort: 9000 } as Partial<WorkerServiceProps>;
    expect(() => worker(base, props)).toThrow(
      /Test\/Worker: containerPort must not be set for a worker, which listens on no port; got 9000/,
    );
  });
});
