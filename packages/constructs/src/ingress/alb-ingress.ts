import { Aws, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { CustomDomainProps, customDomainCertificate } from './custom-domain';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings } from '../nag/acknowledge';
import { EnvironmentKey } from '../security/environment-key';

/**
 * Props of `AlbIngress`. With `domainName` (and a `certificate`, or a `hostedZone` to issue one in) the load balancer
 * serves HTTPS and redirects HTTP; without, it serves plain HTTP on port 80.
 */
export interface AlbIngressProps extends CustomDomainProps {
  /** VPC whose public subnets hold the load balancer. */
  readonly vpc: ec2.IVpc;
  /**
   * Deletion protection on the load balancer, from its first create. ELB then refuses to delete it, so a stack
   * create that fails after the load balancer exists ends in ROLLBACK_FAILED instead of rolling back; protect the
   * stack instead (`SlipwayAppStack` turns on stack termination protection with `deletionProtection`).
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * How long access logs stay in the bucket before the lifecycle rule expires them (whole days).
   * @default Duration.days(30)
   */
  readonly accessLogRetention?: Duration;
  /**
   * Put an AWS WAF web ACL (AWS managed common, known-bad-inputs and IP-reputation rules, plus a per-IP rate limit) in front of the load balancer.
   * About $5/month + $1/rule/month + $0.60 per million requests.
   * @default false
   */
  readonly webApplicationFirewall?: boolean;
  /**
   * Requests per IP per 5 minutes above which WAF blocks the IP (only with webApplicationFirewall).
   * @default 2000
   */
  readonly rateLimitPerIp?: number;
  /**
   * Retention of the WAF log group (only with webApplicationFirewall).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly wafLogRetention?: logs.RetentionDays;
  /**
   * Key encrypting the WAF log group (only with webApplicationFirewall).
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the WAF log group when the stack is deleted (the access-log bucket is always retained).
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE - kept on delete, removed when the stack's create fails
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Port of a plain-HTTP test listener for traffic-shifting deployments: ECS points its rules at a new revision
   * before production traffic moves, and a lifecycle hook tests it there. No security group rule opens it: only
   * what `testListener.connections.allowFrom(...)` allows (never the internet) reaches it.
   * @default - no test listener
   */
  readonly testListenerPort?: number;
}

/**
 * The internet-facing entry through an Application Load Balancer (next to `HttpApiIngress`): an ALB in the public subnets that drops invalid
 * header fields, logs to an encrypted, SSL-only, private bucket with a
 * lifecycle, and answers 404 until services claim paths. With a `domainName`: a TLS
 * 1.2/1.3 listener, HTTP → HTTPS redirect and (with a hosted zone) an ACM
 * certificate validated by DNS and a Route 53 alias.
 */
export class AlbIngress extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener services add their rules to (HTTPS when configured, else HTTP). */
  public readonly listener: elbv2.ApplicationListener;
  /** The bucket receiving access logs. */
  public readonly accessLogBucket: s3.Bucket;
  /** The load balancer's security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Public URL of the app: `https://<domain>` or `http://<alb dns name>`. */
  public readonly url: string;
  /** The certificate, when there is a custom domain. */
  public readonly certificate?: acm.ICertificate;
  /** Whether deletion protection is on (resolved). */
  public readonly deletionProtection: boolean;
  /** Whether a WAF web ACL is attached (resolved). */
  public readonly webApplicationFirewall: boolean;
  /** The test listener of traffic-shifting deployments (with `testListenerPort`). */
  public readonly testListener?: elbv2.ApplicationListener;
  /** Port of the test listener (resolved). */
  public readonly testListenerPort?: number;

  constructor(scope: Construct, id: string, props: AlbIngressProps) {
    super(scope, id);
    this.deletionProtection = props.deletionProtection ?? false;
    this.webApplicationFirewall = props.webApplicationFirewall ?? false;
    const accessLogRetention = props.accessLogRetention ?? Duration.days(30);

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      // ALB log delivery writes only to SSE-S3 buckets; SSE-KMS is not supported for access logs.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          expiration: accessLogRetention,
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Retained on stack deletion: CloudFormation cannot delete a non-empty bucket; the lifecycle empties it.
      // Also on a failed create (no RETAIN_ON_UPDATE_OR_DELETE): the ALB writes a test object into it at once, so
      // deleting it would fail the rollback. Its generated name never blocks a retry.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeFindings(
      this.accessLogBucket,
      {
        id: 'AwsSolutions-S1',
        reason:
          'This bucket holds the ALB access logs; logging its own access would need another log bucket, recursively.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
        reason:
          'This bucket holds the ALB access logs; logging its own access would need another log bucket, recursively.',
      },
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason: 'ALB access log delivery supports only SSE-S3 (AES-256) encryption on the target bucket, not SSE-KMS.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason:
          "Access logs are diagnostic data kept for the environment's log retention; cross-region replication is not warranted.",
      },
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Internet-facing load balancer: HTTP/HTTPS from anywhere',
      allowAllOutbound: false,
    });
    acknowledgeFindings(this.securityGroup, {
      id: 'AwsSolutions-EC23',
      reason:
        'Internet-facing load balancer of a public web app: only ports 80 and 443 are open to the internet, tasks accept traffic from this group only.',
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: this.securityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: this.deletionProtection,
      desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
    });
    this.loadBalancer.logAccessLogs(this.accessLogBucket, 'alb');
    if (!this.deletionProtection) {
      acknowledgeFindings(this.loadBalancer, {
        id: 'NIST.800.53.R5-ELBDeletionProtectionEnabled',
        reason:
          'ELB deletion protection from the first create would make a failed stack create end in ROLLBACK_FAILED; the stack is guarded by termination protection when the environment sets deletionProtection.',
      });
    }

    const notFound = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' });
    this.certificate = customDomainCertificate(this, props);
    if (this.certificate && props.domainName) {
      this.listener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [this.certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultAction: notFound,
      });
      const redirect = this.loadBalancer.addRedirect({
        sourcePort: 80,
        sourceProtocol: elbv2.ApplicationProtocol.HTTP,
        targetPort: 443,
        targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      });
      acknowledgeFindings(redirect, {
        id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired',
        reason:
          'The port 80 listener only answers with a permanent redirect to HTTPS; it serves no content, so it has no certificate.',
      });
      if (props.hostedZone) {
        new route53.ARecord(this, 'Alias', {
          zone: props.hostedZone,
          recordName: props.domainName,
          target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.loadBalancer)),
        });
      }
      this.url = `https://${props.domainName}`;
    } else {
      this.listener = this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultAction: notFound,
      });
      const plainHttpReason =
        'This environment has no https setting (no domain or certificate), so the ALB serves plain HTTP; set https to get TLS and the redirect.';
      acknowledgeFindings(this.loadBalancer, {
        id: 'NIST.800.53.R5-ALBHttpToHttpsRedirection',
        reason: plainHttpReason,
      });
      acknowledgeFindings(this.listener, { id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired', reason: plainHttpReason });
      this.url = `http://${this.loadBalancer.loadBalancerDnsName}`;
    }

    if (props.testListenerPort !== undefined) {
      this.testListenerPort = props.testListenerPort;
      this.testListener = this.addTestListener(
        props.testListenerPort,
        notFound,
        this.certificate !== undefined && props.domainName !== undefined,
      );
    }

    if (this.webApplicationFirewall) {
      this.addWebApplicationFirewall(
        props.rateLimitPerIp ?? 2000,
        props.wafLogRetention ?? logs.RetentionDays.ONE_MONTH,
        props.encryptionKey,
        props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      );
    } else {
      acknowledgeFindings(this.loadBalancer, {
        id: 'NIST.800.53.R5-ALBWAFEnabled',
        reason:
          'This environment sets waf to false (AWS WAF costs about $10/month); TLS, invalid-header dropping and desync mitigation stay on.',
      });
    }
  }

  private addTestListener(
    port: number,
    defaultAction: elbv2.ListenerAction,
    servesHttps: boolean,
  ): elbv2.ApplicationListener {
    if (!Number.isInteger(port) || port < 1 || port > 65535 || port === 80 || port === 443) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'testListenerPort',
        value: port,
        problem: 'must be a port from 1 to 65535 other than 80 and 443',
        fix: 'Use e.g. 9000: the test listener needs a port of its own.',
      });
    }
    const listener = this.loadBalancer.addListener('Test', {
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultAction,
      // Not open to the internet: only the deployment hook's security group is let in (SmokeTestHook).
      open: false,
    });
    const reason =
      'Test listener of traffic-shifting deployments: its security group admits only the deployment smoke test hook inside the VPC, never the internet, so it serves plain HTTP without a certificate.';
    acknowledgeFindings(listener, { id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired', reason });
    if (servesHttps) {
      // Without https the load balancer already carries this acknowledgement (plain HTTP on port 80).
      acknowledgeFindings(this.loadBalancer, { id: 'NIST.800.53.R5-ALBHttpToHttpsRedirection', reason });
    }
    return listener;
  }

  private addWebApplicationFirewall(
    rateLimitPerIp: number,
    logRetention: logs.RetentionDays,
    encryptionKey: kms.IKey | undefined,
    removalPolicy: RemovalPolicy,
  ): void {
    const stack = Stack.of(this);
    const managedRule = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    // The web ACL's metric name is the WebACL dimension of its CloudWatch metrics (and of its rules'): one of its
    // own per stack and ingress, so two apps, or two environments, in one account and region do not add up.
    const webAclMetricName = `${stack.stackName}-${this.node.addr.slice(0, 8)}-web-acl`;
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: webAclMetricName, sampledRequestsEnabled: true },
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: rateLimitPerIp, aggregateKeyType: 'IP' } },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'RateLimitPerIp',
            sampledRequestsEnabled: true,
          },
        },
        managedRule('AWSManagedRulesAmazonIpReputationList', 1),
        managedRule('AWSManagedRulesCommonRuleSet', 2),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 3),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: webAcl.attrArn,
    });
    // WAF only delivers to log groups whose name starts with aws-waf-logs-, so the name cannot be generated by
    // CloudFormation. It ends with the UUID of the stack id, new for every created stack: a group kept after a
    // stack delete (or a failed create) never blocks the next create with "already exists".
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-${stack.stackName}-${this.node.addr.slice(0, 8)}-${stackUuid}`,
      retention: logRetention,
      encryptionKey: encryptionKey ?? new EnvironmentKey(this, 'WafLogsKey').key,
      removalPolicy,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      // WAF wants the log group ARN without the trailing ':*' that logGroupArn carries.
      logDestinationConfigs: [
        `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${wafLogs.logGroupName}`,
      ],
    });
  }
}
