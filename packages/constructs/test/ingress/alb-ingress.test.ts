import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AlbIngress, AlbIngressProps } from '../../src/ingress';
import { SlipwayNetwork } from '../../src/network';
import { TestStack } from '../fixtures/stacks';

/** Where the test's certificate and zone come from: attributes, turned into references in the test stack. */
interface DomainReferences {
  readonly hostedZone?: { readonly hostedZoneId: string; readonly zoneName: string };
  readonly certificateArn?: string;
}

function ingress(props: Omit<AlbIngressProps, 'vpc' | 'hostedZone' | 'certificate'> & DomainReferences) {
  const stack = new TestStack();
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const { hostedZone, certificateArn, ...rest } = props;
  const construct = new AlbIngress(stack, 'Ingress', {
    vpc: network.vpc,
    hostedZone: hostedZone ? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', hostedZone) : undefined,
    certificate: certificateArn ? acm.Certificate.fromCertificateArn(stack, 'Imported', certificateArn) : undefined,
    ...rest,
  });
  return { construct, template: Template.fromStack(stack) };
}

describe('AlbIngress', () => {
  describe('GIVEN no https', () => {
    let template: Template;
    let construct: AlbIngress;
    beforeAll(
      () => ({ template, construct } = ingress({ deletionProtection: false, accessLogRetention: Duration.days(7) })),
    );

    test('THEN an internet-facing ALB in the public subnets drops invalid headers and mitigates desync', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'deletion_protection.enabled', Value: 'false' },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          { Key: 'routing.http.desync_mitigation_mode', Value: 'defensive' },
          { Key: 'access_logs.s3.enabled', Value: 'true' },
          { Key: 'access_logs.s3.prefix', Value: 'alb' },
        ]),
      });
    });

    test('THEN access logs go to an encrypted, SSL-only, private, versioned bucket that expires them', () => {
      template.hasResource('AWS::S3::Bucket', {
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          VersioningConfiguration: { Status: 'Enabled' },
          LifecycleConfiguration: {
            Rules: [
              Match.objectLike({
                ExpirationInDays: 7,
                NoncurrentVersionExpiration: { NoncurrentDays: 1 },
                Status: 'Enabled',
              }),
            ],
          },
        },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    test('THEN one HTTP listener answers 404 until services claim paths', () => {
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not found' },
          },
        ],
      });
      expect(construct.url).toMatch(/^http:\/\/\$\{Token/);
    });

    test('THEN only port 80 is open to the internet and no WAF is attached', () => {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'Internet-facing load balancer: HTTP/HTTPS from anywhere',
        SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 })],
      });
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    });
  });

  describe('GIVEN https with a hosted zone and WAF', () => {
    let template: Template;
    beforeAll(
      () =>
        ({ template } = ingress({
          domainName: 'app.example.com',
          hostedZone: { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' },
          webApplicationFirewall: true,
        })),
    );

    test('THEN a DNS-validated certificate backs a TLS 1.2/1.3 HTTPS listener with a 404 default', () => {
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'app.example.com',
        ValidationMethod: 'DNS',
      });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('Certificate') } }],
        DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
      });
    });

    test('THEN HTTP redirects permanently to HTTPS and the domain aliases the ALB', () => {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        DefaultActions: [
          { Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } },
        ],
      });
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'app.example.com.',
        Type: 'A',
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      });
    });

    test('THEN the load balancer has no deletion protection by default, so a failed stack create can delete it', () => {
      // ELB refuses DeleteLoadBalancer while deletion_protection.enabled is true: a create rollback would fail.
      const [loadBalancer] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
      expect(loadBalancer.Properties.LoadBalancerAttributes).not.toContainEqual({
        Key: 'deletion_protection.enabled',
        Value: 'true',
      });
    });

    test('THEN the WAF log group name ends with the UUID of the stack id, so a kept group never blocks the next create', () => {
      const [wafLogs] = Object.values(
        template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: Match.anyValue() } }),
      );
      expect(wafLogs.DeletionPolicy).toBe('RetainExceptOnCreate');
      const [prefix, stackUuid] = wafLogs.Properties.LogGroupName['Fn::Join'][1];
      expect(prefix).toMatch(/^aws-waf-logs-Test-[0-9a-f]{8}-$/);
      expect(stackUuid).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] });
    });

    test('THEN a WAF web ACL with a rate limit and AWS managed rules protects the ALB, logging to an encrypted group', () => {
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: [
          Match.objectLike({
            Name: 'RateLimitPerIp',
            Action: { Block: {} },
            Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
          }),
          Match.objectLike({ Name: 'AWSManagedRulesAmazonIpReputationList' }),
          Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
          Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
        ],
      });
      template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
      // The WebACL dimension of its metrics is the stack's and this ingress's own, not a name every app shares.
      const [webAcl] = Object.values(template.findResources('AWS::WAFv2::WebACL'));
      expect(webAcl.Properties.VisibilityConfig.MetricName).toMatch(/^Test-[0-9a-f]{8}-web-acl$/);
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: { 'Fn::Join': ['', [Match.stringLikeRegexp('^aws-waf-logs-'), Match.anyValue()]] },
        KmsKeyId: Match.anyValue(),
      });
      template.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
    });
  });

  test('GIVEN an imported certificate THEN the listener uses it and no record is created', () => {
    const certificateArn = 'arn:aws:acm:eu-west-1:111111111111:certificate/abc-123';
    const { construct, template } = ingress({ domainName: 'app.example.com', certificateArn });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Certificates: [{ CertificateArn: certificateArn }],
    });
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(construct.url).toBe('https://app.example.com');
  });

  test('GIVEN a certificate without a domain THEN it is refused', () => {
    expect(() => ingress({ certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' })).toThrow(
      /Test\/Ingress: domainName is required with a certificate or hostedZone/,
    );
  });
});
