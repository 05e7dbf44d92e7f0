import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { HttpApiIngress, HttpApiIngressProps, httpApiRouteKeys } from '../../src/ingress';
import { SlipwayNetwork } from '../../src/network';
import { TestStack } from '../fixtures/stacks';

/** Where the test's certificate and zone come from: attributes, turned into references in the test stack. */
interface DomainReferences {
  readonly hostedZone?: { readonly hostedZoneId: string; readonly zoneName: string };
  readonly certificateArn?: string;
}

function httpApi(props: Omit<HttpApiIngressProps, 'vpc' | 'hostedZone' | 'certificate'> & DomainReferences = {}) {
  const stack = new TestStack();
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const { hostedZone, certificateArn, ...rest } = props;
  const construct = new HttpApiIngress(stack, 'Ingress', {
    vpc: network.vpc,
    hostedZone: hostedZone ? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', hostedZone) : undefined,
    certificate: certificateArn ? acm.Certificate.fromCertificateArn(stack, 'Imported', certificateArn) : undefined,
    ...rest,
  });
  return { stack, network, construct };
}

/** A Cloud Map service registering SRV records, as HttpApiService creates. */
function srvService(stack: TestStack, name: string): servicediscovery.Service {
  const namespace =
    (stack.node.tryFindChild('Namespace') as servicediscovery.PrivateDnsNamespace | undefined) ??
    new servicediscovery.PrivateDnsNamespace(stack, 'Namespace', {
      name: 'dev.local',
      vpc: (stack.node.findChild('Network') as SlipwayNetwork).vpc,
    });
  return namespace.createService(name, { name, dnsRecordType: servicediscovery.DnsRecordType.SRV });
}

describe('HttpApiIngress', () => {
  describe('GIVEN no https', () => {
    let template: Template;
    let construct: HttpApiIngress;
    let stack: TestStack;
    beforeAll(() => {
      ({ construct, stack } = httpApi({ accessLogRetention: logs.RetentionDays.ONE_WEEK }));
      template = Template.fromStack(stack);
    });

    test('THEN an HTTP API keeps its execute-api endpoint (already HTTPS) and that is the URL', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'HTTP',
        DisableExecuteApiEndpoint: false,
      });
      expect(stack.resolve(construct.url)).toEqual({
        'Fn::GetAtt': [stack.getLogicalId(construct.api.node.defaultChild as never), 'ApiEndpoint'],
      });
    });

    test('THEN the $default stage deploys automatically, throttles every route at 50/s with bursts of 100 and logs JSON access lines', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngressAccessLogs'), 'Arn'] },
          Format: Match.stringLikeRegexp(
            '"requestId":"\\$context.requestId".*"status":"\\$context.status".*"integrationError":"\\$context.integrationErrorMessage"',
          ),
        },
      });
      expect(construct.throttle).toEqual({ rateLimit: 50, burstLimit: 100 });
    });

    test('THEN access logs go to a KMS-encrypted log group with the given retention', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 7,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngressAccessLogsKey'), 'Arn'] },
      });
    });

    test('THEN the VPC link sits in the private subnets with its own security group that opens nothing inbound', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::VpcLink', {
        SubnetIds: [
          { Ref: Match.stringLikeRegexp('^NetworkVpcPrivateSubnet1') },
          { Ref: Match.stringLikeRegexp('^NetworkVpcPrivateSubnet2') },
        ],
        SecurityGroupIds: [
          { 'Fn::GetAtt': [stack.getLogicalId(construct.securityGroup.node.defaultChild as never), 'GroupId'] },
        ],
      });
      const group = template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('^HTTP API VPC link') },
      });
      expect(Object.values(group)).toHaveLength(1);
      expect(Object.values(group)[0].Properties.SecurityGroupIngress).toBeUndefined();
    });

    test('THEN it alarms on the 5xx share and the p99 latency of the stage', () => {
      const dimensions = [
        { Name: 'ApiId', Value: { Ref: stack.getLogicalId(construct.api.node.defaultChild as never) } },
        { Name: 'Stage', Value: '$default' },
      ];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        // Fixed: the services behind the API name it as their ECS deployment alarm.
        AlarmName: 'Test-Ingress-ErrorRate',
        Threshold: 5,
        EvaluationPeriods: 3,
        Metrics: Match.arrayWith([
          Match.objectLike({
            Id: 'errors',
            MetricStat: Match.objectLike({
              Metric: { Dimensions: dimensions, MetricName: '5xx', Namespace: 'AWS/ApiGateway' },
              Stat: 'Sum',
            }),
          }),
          Match.objectLike({
            Id: 'requests',
            MetricStat: Match.objectLike({
              Metric: { Dimensions: dimensions, MetricName: 'Count', Namespace: 'AWS/ApiGateway' },
              Stat: 'Sum',
            }),
          }),
        ]),
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Latency',
        Namespace: 'AWS/ApiGateway',
        Dimensions: dimensions,
        ExtendedStatistic: 'p99',
        Threshold: 2000,
        EvaluationPeriods: 5,
      });
      expect(construct.alarms).toEqual([construct.errorRateAlarm, construct.latencyAlarm]);
    });

    test('THEN there is no custom domain, certificate or DNS record', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
      template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
    });
  });

  test('GIVEN a throttle WHEN built THEN every route gets it by default', () => {
    const { stack } = httpApi({ throttle: { rateLimit: 5, burstLimit: 10 } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
  });

  test('GIVEN only a rate THEN the burst keeps its default', () => {
    const { stack, construct } = httpApi({ throttle: { rateLimit: 5, burstLimit: undefined } });
    expect(construct.throttle).toEqual({ rateLimit: 5, burstLimit: 100 });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 100 },
    });
  });

  test('GIVEN a throttle rate API Gateway does not accept THEN it is refused', () => {
    expect(() => httpApi({ throttle: { rateLimit: 0, burstLimit: 10 } })).toThrow(
      /Test\/Ingress: throttle\.rateLimit must be between 1 and 10000 requests per second; got 0/,
    );
  });

  test('GIVEN a burst that is not a whole number from 1 to 5000 THEN it is refused', () => {
    expect(() => httpApi({ throttle: { rateLimit: 10, burstLimit: 6000 } })).toThrow(
      /Test\/Ingress: throttle\.burstLimit must be a whole number between 1 and 5000; got 6000/,
    );
  });

  describe('GIVEN https with a hosted zone', () => {
    let template: Template;
    let construct: HttpApiIngress;
    beforeAll(() => {
      const built = httpApi({
        domainName: 'app.example.com',
        hostedZone: { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' },
      });
      construct = built.construct;
      template = Template.fromStack(built.stack);
    });

    test('THEN a DNS-validated certificate backs a regional TLS 1.2 custom domain mapped to the stage', () => {
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'app.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'app.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: 'app.example.com',
        DomainNameConfigurations: [
          {
            CertificateArn: { Ref: Match.stringLikeRegexp('^IngressCertificate') },
            EndpointType: 'REGIONAL',
            SecurityPolicy: 'TLS_1_2',
          },
        ],
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
        Stage: '$default',
        DomainName: { Ref: Match.stringLikeRegexp('^IngressDomainName') },
      });
    });

    test('THEN a Route 53 alias points the domain at it and the execute-api endpoint is off', () => {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'app.example.com.',
        Type: 'A',
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
        AliasTarget: {
          DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IngressDomainName'), 'RegionalDomainName'] },
          HostedZoneId: Match.anyValue(),
        },
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
      expect(construct.url).toBe('https://app.example.com');
    });
  });

  test('GIVEN an imported certificate THEN the domain uses it and DNS is left to the owner', () => {
    const { stack, construct } = httpApi({
      domainName: 'app.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' }),
      ],
    });
    expect(construct.url).toBe('https://app.example.com');
  });

  test('GIVEN a certificate without a domain THEN it is refused', () => {
    expect(() => httpApi({ certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' })).toThrow(
      /Test\/Ingress: domainName is required with a certificate or hostedZone; got nothing/,
    );
  });

  describe('addServiceRoutes', () => {
    test('GIVEN a backend on /api/* and a frontend on the rest THEN each gets a VPC-link integration to its Cloud Map service', () => {
      const { stack, construct } = httpApi();
      const backend = srvService(stack, 'backend');
      const frontend = srvService(stack, 'frontend');
      construct.addServiceRoutes({ serviceName: 'backend', cloudMapService: backend, pathPatterns: ['/api/*'] });
      construct.addServiceRoutes({ serviceName: 'frontend', cloudMapService: frontend });
      const template = Template.fromStack(stack);

      template.resourceCountIs('AWS::ApiGatewayV2::Integration', 2);
      for (const service of [backend, frontend]) {
        template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
          IntegrationType: 'HTTP_PROXY',
          ConnectionType: 'VPC_LINK',
          ConnectionId: { Ref: stack.getLogicalId(construct.vpcLink.node.defaultChild as never) },
          IntegrationUri: { 'Fn::GetAtt': [stack.getLogicalId(service.node.defaultChild as never), 'Arn'] },
          IntegrationMethod: 'ANY',
        });
      }
      const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
        .map((route) => route.Properties.RouteKey)
        .sort();
      expect(routeKeys).toEqual(['$default', 'ANY /api', 'ANY /api/{proxy+}']);
      expect(construct.routes).toEqual([
        { routeKey: 'ANY /api/{proxy+}', serviceName: 'backend' },
        { routeKey: 'ANY /api', serviceName: 'backend' },
        { routeKey: '$default', serviceName: 'frontend' },
      ]);
    });

    test('GIVEN two services on the catch-all route THEN the second is refused', () => {
      const { stack, construct } = httpApi();
      construct.addServiceRoutes({ serviceName: 'frontend', cloudMapService: srvService(stack, 'frontend') });
      expect(() =>
        construct.addServiceRoutes({ serviceName: 'admin', cloudMapService: srvService(stack, 'admin') }),
      ).toThrow(
        /services\.admin\.pathPatterns must not claim route "\$default", which already goes to frontend; got \["\/\*"\]\. Only one service can take the catch-all route/,
      );
    });

    test('GIVEN two services claiming the same path THEN the second is refused', () => {
      const { stack, construct } = httpApi();
      construct.addServiceRoutes({
        serviceName: 'backend',
        cloudMapService: srvService(stack, 'backend'),
        pathPatterns: ['/api/*'],
      });
      expect(() =>
        construct.addServiceRoutes({
          serviceName: 'admin',
          cloudMapService: srvService(stack, 'admin'),
          pathPatterns: ['/api'],
        }),
      ).toThrow(/services\.admin\.pathPatterns must not claim route "ANY \/api", which already goes to backend/);
    });
  });

  describe('httpApiRouteKeys', () => {
    test('GIVEN ALB-style patterns THEN they become HTTP API route keys', () => {
      expect(httpApiRouteKeys({ source: 'App', serviceName: 'web' })).toEqual(['$default']);
      expect(httpApiRouteKeys({ source: 'App', serviceName: 'web', pathPatterns: ['/*'] })).toEqual(['$default']);
      expect(httpApiRouteKeys({ source: 'App', serviceName: 'api', pathPatterns: ['/api/*', '/health'] })).toEqual([
        'ANY /api/{proxy+}',
        'ANY /api',
        'ANY /health',
      ]);
      expect(httpApiRouteKeys({ source: 'App', serviceName: 'api', pathPatterns: ['/api/v1/*'] })).toEqual([
        'ANY /api/v1/{proxy+}',
        'ANY /api/v1',
      ]);
    });

    test('GIVEN a wildcard inside a segment THEN it is refused with the forms that work', () => {
      expect(() => httpApiRouteKeys({ source: 'App/Ingress', serviceName: 'assets', pathPatterns: ['*.png'] })).toThrow(
        /App\/Ingress: services\.assets\.pathPatterns must be '\/\*', a prefix ending in '\/\*' \('\/api\/\*'\) or an exact path \('\/health'\) with the HTTP API ingress; got "\*\.png"/,
      );
      expect(() => httpApiRouteKeys({ source: 'App', serviceName: 'api', pathPatterns: ['/api*'] })).toThrow(
        /pathPatterns must be/,
      );
    });
  });
});
