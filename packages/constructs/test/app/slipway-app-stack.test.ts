import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { SlipwayAppStack } from '../../src/app';
import { sampleApp, sampleServices } from '../fixtures/apps';
import { devHttpApi, devLike, prodLike, variant } from '../fixtures/environments';

/** Each ECS service's DeploymentConfiguration.Alarms.AlarmNames, checked to be the names of alarms in the stack. */
/**
 * Each Lambda function's log group, CDK's provider functions' included: the retention and key of the group its
 * LoggingConfig names (undefined: Lambda's default group, which never expires).
 */
function functionLogGroups(template: Template): unknown[] {
  const groups = template.findResources('AWS::Logs::LogGroup');
  return Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => {
    const group = groups[fn.Properties.LoggingConfig?.LogGroup?.Ref]?.Properties;
    return group && { RetentionInDays: group.RetentionInDays, KmsKeyId: group.KmsKeyId };
  });
}

function deploymentAlarmNames(stack: SlipwayAppStack): unknown[][] {
  const template = Template.fromStack(stack);
  const names = Object.values(template.findResources('AWS::ECS::Service')).map(
    (service) => service.Properties.DeploymentConfiguration.Alarms.AlarmNames as unknown[],
  );
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => alarm.Properties.AlarmName,
  );
  for (const name of names.flat()) expect(alarms).toContain(name);
  return names;
}

describe('SlipwayAppStack', () => {
  let dev: Template;
  let prod: Template;
  let devStack: SlipwayAppStack;
  let prodStack: SlipwayAppStack;

  beforeAll(() => {
    // GIVEN the sample services in a dev-like and a prod-like environment, with security checks on
    devStack = sampleApp(devLike).stack;
    prodStack = sampleApp(prodLike).stack;
    // WHEN synthesized (this also runs cdk-nag: any unacknowledged finding would throw)
    dev = Template.fromStack(devStack);
    prod = Template.fromStack(prodStack);
  });

  describe('dev-like settings', () => {
    test('THEN services run on FARGATE_SPOT only, one task each', () => {
      dev.resourcePropertiesCountIs(
        'AWS::ECS::Service',
        {
          DesiredCount: 1,
          CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
        },
        2,
      );
    });

    test('THEN each service is registered in Cloud Map under dev.local', () => {
      dev.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'dev.local' });
      dev.hasResourceProperties('AWS::ServiceDiscovery::Service', {
        Name: 'backend',
        DnsConfig: Match.objectLike({ DnsRecords: [{ TTL: 10, Type: 'A' }] }),
      });
      dev.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'frontend' });
      expect(devStack.services.backend.discoveryName).toBe('backend.dev.local');
    });

    test('THEN Container Insights is off', () => {
      dev.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
      });
    });

    test('THEN logs are kept 7 days', () => {
      const groups = dev.findResources('AWS::Logs::LogGroup');
      expect(new Set(Object.values(groups).map((group) => group.Properties.RetentionInDays))).toEqual(new Set([7]));
    });

    test('THEN every Lambda function, CDK’s own included, logs to a group of the stack kept 7 days and encrypted', () => {
      const logGroups = functionLogGroups(dev);
      expect(logGroups.length).toBeGreaterThan(0);
      for (const group of logGroups) expect(group).toEqual({ RetentionInDays: 7, KmsKeyId: expect.anything() });
    });

    test('THEN there is no autoscaling', () => {
      dev.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
      dev.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 0);
    });

    test('THEN a single t4g.nano NAT instance replaces NAT gateways', () => {
      dev.resourceCountIs('AWS::EC2::NatGateway', 0);
      dev.resourceCountIs('AWS::EC2::Instance', 1);
      dev.hasResourceProperties('AWS::EC2::Instance', { InstanceType: 't4g.nano', SourceDestCheck: false });
    });

    test('THEN the ALB serves plain HTTP with a 404 default and no deletion protection', () => {
      dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not found' },
          },
        ],
      });
      dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
      });
      expect(devStack.ingress?.url).toMatch(/^http:\/\//);
    });
  });

  describe('prod-like settings', () => {
    test('THEN the backend keeps an on-demand base with Spot overflow, the frontend is on-demand, at least two tasks each', () => {
      // Autoscaled: no DesiredCount (a deploy keeps the running count); the scalable target's minimum is the floor.
      prod.hasResourceProperties('AWS::ECS::Service', {
        DesiredCount: Match.absent(),
        CapacityProviderStrategy: [
          { CapacityProvider: 'FARGATE', Base: 2, Weight: 1 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
        ],
      });
      prod.hasResourceProperties('AWS::ECS::Service', {
        DesiredCount: Match.absent(),
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      });
      prod.resourcePropertiesCountIs('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2 }, 2);
    });

    test('THEN tasks spread over three AZs in private subnets, each AZ with its own NAT gateway', () => {
      prod.resourceCountIs('AWS::EC2::NatGateway', 3);
      prod.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false }, 6);
      const service = Object.values(prod.findResources('AWS::ECS::Service'))[0];
      expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets).toHaveLength(3);
      expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    });

    test('THEN autoscaling tracks CPU and requests per target, not memory unless a service asks for it', () => {
      prod.resourcePropertiesCountIs(
        'AWS::ApplicationAutoScaling::ScalingPolicy',
        {
          TargetTrackingScalingPolicyConfiguration: Match.objectLike({
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
          }),
        },
        0,
      );
      prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
      prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: 60,
          ScaleInCooldown: 300,
          ScaleOutCooldown: 60,
        }),
      });
      prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
          TargetValue: 1000,
        }),
      });
    });

    test('THEN HTTPS uses a TLS 1.2/1.3 policy with a DNS-validated certificate', () => {
      prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
      });
      prod.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'app.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'app.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
      });
    });

    test('THEN HTTP redirects to HTTPS', () => {
      prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        DefaultActions: [
          { Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } },
        ],
      });
    });

    test('THEN a Route 53 alias points the domain at the ALB', () => {
      prod.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'app.example.com.',
        Type: 'A',
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
        AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
      });
      expect(prodStack.ingress?.url).toBe('https://app.example.com');
    });

    test('THEN Container Insights is on', () => {
      prod.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
      });
    });

    test('THEN logs are kept 30 days', () => {
      const groups = prod.findResources('AWS::Logs::LogGroup');
      expect(new Set(Object.values(groups).map((group) => group.Properties.RetentionInDays))).toEqual(new Set([30]));
    });

    test('THEN every Lambda function, CDK’s own included, logs to a group of the stack kept 30 days and encrypted', () => {
      const logGroups = functionLogGroups(prod);
      expect(logGroups.length).toBeGreaterThan(0);
      for (const group of logGroups) expect(group).toEqual({ RetentionInDays: 30, KmsKeyId: expect.anything() });
    });

    test('THEN the stack is protected from deletion, on both the cdk deploy and the pipeline path, and the ALB is not', () => {
      // ALB deletion protection from the first create would make a failed create end in ROLLBACK_FAILED.
      const [loadBalancer] = Object.values(prod.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
      expect(loadBalancer.Properties.LoadBalancerAttributes).not.toContainEqual({
        Key: 'deletion_protection.enabled',
        Value: 'true',
      });
      expect(prodStack.terminationProtection).toBe(true);
      expect(prodStack.terminationProtectionResource).toBeDefined();
      prod.resourceCountIs('Custom::AWS', 1);
      expect(devStack.terminationProtection).toBe(false);
      expect(devStack.terminationProtectionResource).toBeUndefined();
      dev.resourceCountIs('Custom::AWS', 0);
    });

    test('THEN VPC endpoints keep ECR, logs, secrets and S3 traffic off the NAT', () => {
      prod.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 4);
      prod.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 1);
    });
  });

  describe('dev-like settings behind the HTTP API', () => {
    let api: Template;
    let apiStack: SlipwayAppStack;
    beforeAll(() => {
      // GIVEN the dev-like environment with ingress: { type: 'http-api' }, security checks on
      apiStack = sampleApp(devHttpApi).stack;
      // WHEN synthesized (cdk-nag runs: an unacknowledged finding would throw)
      api = Template.fromStack(apiStack);
    });

    test('THEN there is no load balancer, target group or access-log bucket', () => {
      api.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
      api.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
      api.resourceCountIs('AWS::S3::Bucket', 0);
      expect(apiStack.ingress).toBeUndefined();
      expect(apiStack.ingressType).toBe('http-api');
    });

    test('THEN an HTTP API with a VPC link routes /api/* to the backend and the rest to the frontend, through Cloud Map SRV', () => {
      api.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      // Named after its stack, so two apps (or environments) in one account and region never share the name.
      api.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: apiStack.stackName, ProtocolType: 'HTTP' });
      api.resourceCountIs('AWS::ApiGatewayV2::VpcLink', 1);
      api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
      for (const name of ['backend', 'frontend'] as const) {
        const cloudMap = apiStack.getLogicalId(
          apiStack.services[name].service.cloudMapService!.node.defaultChild as never,
        );
        api.hasResourceProperties('AWS::ServiceDiscovery::Service', {
          Name: name,
          DnsConfig: Match.objectLike({ DnsRecords: [{ TTL: 10, Type: 'SRV' }] }),
        });
        api.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
          ConnectionType: 'VPC_LINK',
          IntegrationUri: { 'Fn::GetAtt': [cloudMap, 'Arn'] },
        });
      }
      expect(apiStack.httpApi?.routes).toEqual([
        { routeKey: 'ANY /api/{proxy+}', serviceName: 'backend' },
        { routeKey: 'ANY /api', serviceName: 'backend' },
        { routeKey: '$default', serviceName: 'frontend' },
      ]);
      expect(apiStack.services.backend.discoveryName).toBe('backend.dev.local');
    });

    test('THEN task security groups accept traffic from the VPC link security group only', () => {
      const linkGroup = apiStack.getLogicalId(apiStack.httpApi!.securityGroup.node.defaultChild as never);
      const sources = Object.values(api.findResources('AWS::EC2::SecurityGroupIngress'))
        .filter((rule) => rule.Properties.GroupId['Fn::GetAtt']?.[0]?.match(/^(Backend|Frontend)SecurityGroup/))
        .map((rule) => rule.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]);
      expect(sources).toEqual([linkGroup, linkGroup]);
    });

    test('THEN the outputs keep their names: Url is the API endpoint, and there is no load balancer name', () => {
      api.hasOutput('Url', {
        Value: {
          'Fn::GetAtt': [apiStack.getLogicalId(apiStack.httpApi!.api.node.defaultChild as never), 'ApiEndpoint'],
        },
      });
      for (const output of [
        'ClusterName',
        'BackendServiceName',
        'FrontendServiceName',
        'DashboardName',
        'AlarmTopicArn',
      ]) {
        api.hasOutput(output, {});
      }
      expect(Object.keys(api.findOutputs('LoadBalancerDnsName'))).toEqual([]);
      expect(apiStack.urlOutput).toBeDefined();
    });

    test('THEN access logs, like every log group, are kept 7 days', () => {
      const groups = api.findResources('AWS::Logs::LogGroup');
      expect(new Set(Object.values(groups).map((group) => group.Properties.RetentionInDays))).toEqual(new Set([7]));
      for (const group of functionLogGroups(api)) {
        expect(group).toEqual({ RetentionInDays: 7, KmsKeyId: expect.anything() });
      }
    });

    test('THEN a web service needs no health check path (there is no target group)', () => {
      const services = { ...sampleServices(), frontend: { ...sampleServices().frontend, healthCheckPath: undefined } };
      expect(() => new SlipwayAppStack(new App(), 'NoPath', { config: devHttpApi, services })).not.toThrow();
    });

    test('GIVEN WAF with the HTTP API WHEN built THEN the config error names the file', () => {
      const config = variant(devHttpApi, (c) => {
        c.waf = true;
      }) as any;
      expect(() => new SlipwayAppStack(new App(), 'Bad', { config, services: sampleServices() })).toThrow(
        /^environments\/dev\.ts: waf must be false or absent when ingress is 'http-api'/,
      );
    });
  });

  test('THEN routes, outputs and account/region come from the config', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
    });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 50000,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
    });
    for (const output of [
      'Url',
      'LoadBalancerDnsName',
      'ClusterName',
      'BackendServiceName',
      'FrontendServiceName',
      'DashboardName',
      'AlarmTopicArn',
    ]) {
      prod.hasOutput(output, {});
    }
    expect(prodStack.account).toBe('222222222222');
    expect(prodStack.region).toBe('eu-west-1');
    expect(prodStack.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(prodStack.tags.tagValues()).toEqual({ 'slipway:environment': 'prod' });
  });

  test.each([
    ['dev-like (Container Insights off)', () => devStack],
    ['prod-like', () => prodStack],
  ])(
    'GIVEN %s settings THEN a service task of the cluster that stops unexpectedly is reported to the alarm topic, which EventBridge may publish to with its key',
    (_settings, stackOf) => {
      const stack = stackOf();
      const template = Template.fromStack(stack);
      const id = (construct: { node: { defaultChild?: unknown } }) =>
        stack.getLogicalId(construct.node.defaultChild as never);
      const topicRef = { Ref: id(stack.alarmTopic.topic) };
      const ruleId = id(stack.stoppedTaskAlert.rule);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          'detail-type': ['ECS Task State Change'],
          detail: Match.objectLike({
            clusterArn: [{ 'Fn::GetAtt': [id(stack.cluster.cluster), 'Arn'] }],
            lastStatus: ['STOPPED'],
          }),
        }),
        Targets: [Match.objectLike({ Arn: topicRef })],
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            // No Condition: EventBridge documents none for SNS topic policies.
            {
              Sid: 'EventBridgeStoppedTaskRule',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topicRef,
            },
          ]),
        },
      });
      // The environment key encrypts the topic: EventBridge must be able to use it.
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'FailedInvocations',
        Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
        AlarmActions: [topicRef],
      });
    },
  );

  test('THEN no service gets the ECS "deployment alarm may cause a circular dependency" note: deployment alarms are referenced by fixed name', () => {
    // GIVEN each ingress, and the prod-like app inside a pipeline Stage
    const apps = [sampleApp(devLike), sampleApp(devHttpApi), sampleApp(prodLike, { inStage: true })];
    for (const { app, stack } of apps) {
      // WHEN the whole app is synthesized
      const messages = app.synth().stacks.flatMap((artifact) => artifact.messages);
      // THEN
      expect(messages.filter((message) => String(message.entry.data).includes('circular dependency'))).toEqual([]);
      Annotations.fromStack(stack).hasNoInfo('*', Match.stringLikeRegexp('circular dependency'));
    }
    const [alb, httpApi, inStage] = apps.map(({ stack }) => stack);
    expect(inStage.stackName).toBe('Deploy-App-prod');
    for (const stack of [alb, inStage]) {
      expect(deploymentAlarmNames(stack)).toEqual([
        [`${stack.stackName}-Backend-ErrorRate`, `${stack.stackName}-Backend-UnhealthyTargets`],
        [`${stack.stackName}-Frontend-ErrorRate`, `${stack.stackName}-Frontend-UnhealthyTargets`],
      ]);
    }
    expect(deploymentAlarmNames(httpApi)).toEqual([['App-dev-Ingress-ErrorRate'], ['App-dev-Ingress-ErrorRate']]);
  });

  test("THEN every service is created after its subnets' route to the internet: its tasks pull their image through it", () => {
    // Dev's route goes through a NAT instance, added only once the instance has signalled it is ready; prod's through
    // NAT gateways. A service created before the route would see its first tasks fail to pull (CannotPullContainer),
    // and three failures trip the circuit breaker, which rolls a first create back.
    for (const template of [dev, prod]) {
      const resources = template.toJSON().Resources as Record<
        string,
        { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }
      >;
      const internetRoutes = Object.entries(resources)
        .filter(([, resource]) => resource.Type === 'AWS::EC2::Route')
        .filter(([, resource]) => resource.Properties.DestinationCidrBlock === '0.0.0.0/0')
        .filter(([, resource]) => resource.Properties.NatGatewayId ?? resource.Properties.InstanceId)
        .map(([id]) => id);
      expect(internetRoutes.length).toBeGreaterThan(0);
      const services = Object.values(resources).filter((resource) => resource.Type === 'AWS::ECS::Service');
      expect(services.length).toBeGreaterThan(0);
      for (const service of services) expect(service.DependsOn).toEqual(expect.arrayContaining(internetRoutes));
    }
  });

  test('THEN the git SHA stays out of every task definition, so a commit that leaves an image alone rolls nothing', () => {
    // ECS registers a new task definition revision, and rolls the service, whenever the container definitions
    // change; the image carries its commit (GIT_SHA build argument) instead.
    const definitions = Object.values(prod.findResources('AWS::ECS::TaskDefinition'));
    expect(definitions.length).toBeGreaterThan(0);
    for (const definition of definitions) {
      for (const container of definition.Properties.ContainerDefinitions) {
        expect(JSON.stringify(container)).not.toContain('0123456789abcdef0123456789abcdef01234567');
        expect(container.DockerLabels).toBeUndefined();
      }
    }
  });

  describe('validation', () => {
    test('GIVEN an invalid config WHEN the stack is built THEN the config error names the file', () => {
      const config = variant(prodLike, (c) => {
        c.services.backend.desiredCount = 1;
        c.services.backend.autoscaling = undefined;
      }) as any;
      expect(() => new SlipwayAppStack(new App(), 'Bad', { config, services: sampleServices() })).toThrow(
        /^environments\/prod\.ts: services\.backend\.desiredCount must be ≥ 2 when highAvailability is on/,
      );
    });

    test('GIVEN a service the environment does not size WHEN built THEN it fails naming the service', () => {
      const services = {
        ...sampleServices(),
        worker: { image: { image: ecs.ContainerImage.fromRegistry('busybox') }, containerPort: 9000, internal: true },
      };
      expect(() => new SlipwayAppStack(new App(), 'Bad', { config: devLike, services })).toThrow(
        /environments\/dev\.ts: services\.worker has no settings in this environment; got nothing\. Add services\.worker/,
      );
    });

    test('GIVEN an environment sizing a service the app lacks WHEN built THEN it fails naming the service', () => {
      const { frontend: _frontend, ...backendOnly } = sampleServices();
      expect(() => new SlipwayAppStack(new App(), 'Bad', { config: devLike, services: backendOnly })).toThrow(
        /services\.frontend is not a service of the app/,
      );
    });

    test('GIVEN a web service without a health check path WHEN built THEN it fails', () => {
      const services = { ...sampleServices(), frontend: { ...sampleServices().frontend, healthCheckPath: undefined } };
      expect(() => new SlipwayAppStack(new App(), 'Bad', { config: devLike, services })).toThrow(
        /services\.frontend\.healthCheckPath is required for a service behind the load balancer/,
      );
    });

    test('GIVEN reachableFrom naming an unknown service WHEN built THEN it fails', () => {
      const services = { ...sampleServices(), backend: { ...sampleServices().backend, reachableFrom: ['worker'] } };
      expect(() => new SlipwayAppStack(new App(), 'Bad', { config: devLike, services })).toThrow(
        /services\.backend\.reachableFrom must name another service of this app; got "worker"/,
      );
    });
  });
});
