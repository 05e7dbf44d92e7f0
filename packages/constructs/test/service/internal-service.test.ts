import { Template } from 'aws-cdk-lib/assertions';
import { InternalService } from '../../src/service';
import { backendAndWorker, platform, registryImage, spotSettings } from '../fixtures/stacks';

describe('InternalService', () => {
  test('GIVEN a worker reachable from the backend THEN it has Cloud Map but no target group or listener rule', () => {
    const base = platform();
    const { stack } = base;
    const { backend, worker } = backendAndWorker(base);
    worker.connections.allowDefaultPortFrom(backend, 'to worker');
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1); // the backend's only
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'worker' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 9000,
      ToPort: 9000,
      Description: 'to worker',
      SourceSecurityGroupId: {
        'Fn::GetAtt': [stack.getLogicalId(backend.securityGroup.node.defaultChild as never), 'GroupId'],
      },
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      ServiceRegistries: [
        {
          RegistryArn: {
            'Fn::GetAtt': [stack.getLogicalId(worker.service.cloudMapService!.node.defaultChild as never), 'Arn'],
          },
        },
      ],
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      },
    });
    expect(worker.discoveryName).toBe('worker.dev.local');
    expect(worker.alarms.map((alarm) => alarm.node.id)).toEqual(['CpuHigh', 'MemoryHigh']);
  });

  test('GIVEN two services of a fixed size THEN each keeps its DesiredCount and waits for the capacity providers', () => {
    const base = platform();
    backendAndWorker(base);
    const template = Template.fromStack(base.stack);
    const [associationId] = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    const services = Object.values(template.findResources('AWS::ECS::Service'));
    expect(services).toHaveLength(2);
    for (const service of services) {
      expect(service.Properties.DesiredCount).toBe(spotSettings.desiredCount);
      expect(service.DependsOn).toContain(associationId);
    }
  });

  test('GIVEN a cluster without a namespace THEN it is refused', () => {
    const { stack, cluster } = platform({ namespace: null });
    expect(
      () =>
        new InternalService(stack, 'Worker', {
          cluster,
          serviceName: 'worker',
          ...spotSettings,
          image: registryImage,
          containerPort: 9000,
        }),
    ).toThrow(/Test\/Worker: cluster\.defaultCloudMapNamespace is required for an internal service/);
  });

  test('GIVEN request-count scaling THEN it is refused, having no load balancer', () => {
    const { stack, cluster } = platform();
    const autoScaling = { minCapacity: 1, maxCapacity: 2, targetCpuUtilizationPercent: 60, requestsPerTarget: 100 };
    expect(
      () =>
        new InternalService(stack, 'Worker', {
          cluster,
          serviceName: 'worker',
          ...spotSettings,
          autoScaling,
          image: registryImage,
          containerPort: 9000,
        }),
    ).toThrow(/autoScaling\.requestsPerTarget needs a load balancer, which an internal service does not have; got 100/);
  });
});
