import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApiService, InternalService } from '../../src/service';
import { apiPlatform, registryImage, spotSettings } from '../fixtures/stacks';

describe('HttpApiService', () => {
  describe('GIVEN a backend on /api/* and a frontend on the rest, behind the HTTP API', () => {
    let template: Template;
    let backend: HttpApiService;
    let frontend: HttpApiService;
    let platform: ReturnType<typeof apiPlatform>;
    beforeAll(() => {
      platform = apiPlatform();
      const { stack, cluster, ingress } = platform;
      backend = new HttpApiService(stack, 'Backend', {
        cluster,
        httpApi: ingress,
        serviceName: 'backend',
        ...spotSettings,
        autoScaling: { minCapacity: 1, maxCapacity: 3, targetCpuUtilizationPercent: 60 },
        image: registryImage,
        containerPort: 8000,
        pathPatterns: ['/api/*'],
      });
      frontend = new HttpApiService(stack, 'Frontend', {
        cluster,
        httpApi: ingress,
        serviceName: 'frontend',
        ...spotSettings,
        image: registryImage,
        containerPort: 8080,
      });
      template = Template.fromStack(stack);
    });

    test('THEN each registers SRV records in Cloud Map, with its container and port, under <name>.dev.local', () => {
      template.resourcePropertiesCountIs(
        'AWS::ServiceDiscovery::Service',
        { DnsConfig: Match.objectLike({ DnsRecords: [{ TTL: 10, Type: 'SRV' }] }) },
        2,
      );
      template.hasResourceProperties('AWS::ECS::Service', {
        ServiceRegistries: [
          {
            RegistryArn: {
              'Fn::GetAtt': [
                platform.stack.getLogicalId(backend.service.cloudMapService!.node.defaultChild as never),
                'Arn',
              ],
            },
            ContainerName: 'backend',
            ContainerPort: 8000,
          },
        ],
      });
      expect(backend.discoveryName).toBe('backend.dev.local');
      expect(backend.discoveryRecordType).toBe('SRV');
    });

    test('THEN the API routes /api/* to the backend and everything else to the frontend', () => {
      expect(backend.routeKeys).toEqual(['ANY /api/{proxy+}', 'ANY /api']);
      expect(frontend.routeKeys).toEqual(['$default']);
      template.resourceCountIs('AWS::ApiGatewayV2::Route', 3);
    });

    test("THEN each container is told its clients' addresses arrive in the Forwarded header, which API Gateway sets (not X-Forwarded-For)", () => {
      const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
      expect(definitions).toHaveLength(2);
      for (const definition of definitions) {
        expect(definition.Properties.ContainerDefinitions[0].Environment).toEqual(
          expect.arrayContaining([{ Name: 'CLIENT_ADDRESS_FROM', Value: 'forwarded' }]),
        );
      }
    });

    test('THEN there is no target group, listener rule or load balancer', () => {
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
      template.hasResourceProperties('AWS::ECS::Service', {
        LoadBalancers: Match.absent(),
        HealthCheckGracePeriodSeconds: Match.absent(),
      });
    });

    test('THEN the tasks accept their container port from the VPC link security group only', () => {
      const linkGroup = {
        'Fn::GetAtt': [
          platform.stack.getLogicalId(platform.ingress.securityGroup.node.defaultChild as never),
          'GroupId',
        ],
      };
      for (const service of [backend, frontend]) {
        const groupId = {
          'Fn::GetAtt': [platform.stack.getLogicalId(service.securityGroup.node.defaultChild as never), 'GroupId'],
        };
        const ingressRules = Object.values(
          template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: groupId } }),
        );
        expect(ingressRules.map((rule) => rule.Properties)).toEqual([
          {
            IpProtocol: 'tcp',
            FromPort: service.containerPort,
            ToPort: service.containerPort,
            SourceSecurityGroupId: linkGroup,
            GroupId: groupId,
            Description: `HTTP API VPC link to ${service.serviceName}`,
          },
        ]);
        template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
          GroupId: linkGroup,
          DestinationSecurityGroupId: groupId,
          FromPort: service.containerPort,
          ToPort: service.containerPort,
        });
      }
    });

    test('THEN a deployment rolls back on a failing start (circuit breaker) or on the API 5xx alarm', () => {
      const alarmName = 'Test-Ingress-ErrorRate';
      template.resourcePropertiesCountIs(
        'AWS::ECS::Service',
        {
          DeploymentConfiguration: {
            DeploymentCircuitBreaker: { Enable: true, Rollback: true },
            MinimumHealthyPercent: 100,
            MaximumPercent: 200,
            Alarms: { AlarmNames: [alarmName], Enable: true, Rollback: true },
          },
        },
        2,
      );
      expect(backend.deploymentAlarms).toEqual([platform.ingress.errorRateAlarm]);
      // By fixed name, not a Ref to the alarm: aws-cdk-lib notes no possible circular dependency.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: alarmName, Threshold: 5 });
      Annotations.fromStack(platform.stack).hasNoInfo('*', Match.stringLikeRegexp('circular dependency'));
    });

    test('THEN it keeps Spot capacity, CPU target tracking and its own CPU and memory alarms', () => {
      template.hasResourceProperties('AWS::ECS::Service', {
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: 60,
        }),
      });
      expect(backend.alarms.map((alarm) => alarm.node.id)).toEqual(['CpuHigh', 'MemoryHigh']);
    });
  });

  test('GIVEN an internal worker next to it THEN the worker keeps A records (plain DNS lookups of worker.dev.local)', () => {
    const { stack, cluster, ingress } = apiPlatform();
    new HttpApiService(stack, 'Frontend', {
      cluster,
      httpApi: ingress,
      serviceName: 'frontend',
      ...spotSettings,
      image: registryImage,
      containerPort: 8080,
    });
    const worker = new InternalService(stack, 'Worker', {
      cluster,
      serviceName: 'worker',
      ...spotSettings,
      image: registryImage,
      containerPort: 9000,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'worker',
      DnsConfig: Match.objectLike({ DnsRecords: [{ TTL: 10, Type: 'A' }] }),
    });
    expect(worker.discoveryRecordType).toBe('A');
  });

  test('GIVEN a cluster without a namespace THEN it is refused', () => {
    const { stack, cluster, ingress } = apiPlatform({ namespace: null });
    expect(
      () =>
        new HttpApiService(stack, 'Frontend', {
          cluster,
          httpApi: ingress,
          serviceName: 'frontend',
          ...spotSettings,
          image: registryImage,
          containerPort: 8080,
        }),
    ).toThrow(
      /Test\/Frontend: cluster\.defaultCloudMapNamespace is required for a service behind the HTTP API \(the API reaches tasks through Cloud Map\)/,
    );
  });

  test('GIVEN request-count scaling THEN it is refused: the HTTP API has no per-task request metric', () => {
    const { stack, cluster, ingress } = apiPlatform();
    const autoScaling = { minCapacity: 1, maxCapacity: 2, targetCpuUtilizationPercent: 60, requestsPerTarget: 100 };
    expect(
      () =>
        new HttpApiService(stack, 'Frontend', {
          cluster,
          httpApi: ingress,
          serviceName: 'frontend',
          ...spotSettings,
          autoScaling,
          image: registryImage,
          containerPort: 8080,
        }),
    ).toThrow(
      /autoScaling\.requestsPerTarget needs a load balancer target group; the HTTP API has no per-task request metric; got 100\. Remove requestsPerTarget/,
    );
  });
});
