import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpServiceDiscoveryIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { AlarmTopic } from '../alarms/alarm-topic';
import { deploymentAlarmName } from '../alarms/deployment-alarm-name';
import { HttpApiThrottleConfig, HttpsConfig, isHostedZoneHttps } from '../config/environment-config';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings } from '../nag/acknowledge';
import { EnvironmentKey } from '../security/environment-key';

/** Throttling when the environment sets none: far above a dev environment's traffic, a ceiling on a runaway client's bill. */
export const DEFAULT_HTTP_API_THROTTLE: Readonly<HttpApiThrottleConfig> = { rateLimit: 50, burstLimit: 100 };

/** The route key of the catch-all route: every request no other route matches. */
export const DEFAULT_ROUTE_KEY = '$default';

/** Props of `HttpApiIngress`. */
export interface HttpApiIngressProps {
  /** VPC whose private subnets hold the VPC link's network interfaces (where the tasks run). */
  readonly vpc: ec2.IVpc;
  /**
   * Default throttling of every route (requests per second and burst).
   * @default DEFAULT_HTTP_API_THROTTLE (50 per second, bursts of 100)
   */
  readonly throttle?: HttpApiThrottleConfig;
  /**
   * A custom domain: a hosted zone (Slipway issues a DNS-validated certificate and an alias record) or an
   * imported certificate. With it, the API's own execute-api endpoint is turned off so the domain is the only way in.
   * @default - only the execute-api endpoint (already HTTPS)
   */
  readonly https?: HttpsConfig;
  /**
   * Retention of the access log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * Key encrypting the access log group; its policy must let CloudWatch Logs use it.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the access log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE - kept on delete, removed when the stack's create fails
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Topic receiving the API's alarms.
   * @default - alarms are created without actions
   */
  readonly alarmTopic?: AlarmTopic;
  /**
   * Share of requests answered 5xx by the API (percent) above which it alarms, over 3 minutes.
   * @default 5
   */
  readonly errorRateAlarmPercent?: number;
  /**
   * p99 latency (seconds, the whole request as the client sees it) above which the API alarms, over 5 minutes.
   * @default 2
   */
  readonly latencyAlarmSeconds?: number;
  /**
   * Name of the API.
   * @default - generated from the construct path
   */
  readonly apiName?: string;
}

/**
 * The internet-facing entry without a load balancer: an API Gateway HTTP API
 * whose `$default` stage throttles every route and writes JSON access logs to
 * a KMS-encrypted log group, and a VPC link in the private subnets (with its
 * own security group) through which each route reaches a service by its Cloud
 * Map name. No load balancer hours, no public IPv4 addresses: it costs per
 * request. With `https`, a regional custom domain (TLS 1.2), its certificate
 * and (with a hosted zone) a Route 53 alias.
 *
 * Services claim routes with `addServiceRoutes`; the API's 5xx-rate and p99
 * latency alarms are what services watch during a deployment.
 */
export class HttpApiIngress extends Construct {
  /** The HTTP API. */
  public readonly api: apigwv2.HttpApi;
  /** The `$default` stage (no stage name in the URL). */
  public readonly stage: apigwv2.HttpStage;
  /** The VPC link in the private subnets. */
  public readonly vpcLink: apigwv2.VpcLink;
  /** The VPC link's security group: services open their container port to it. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The access log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** Public URL of the app: `https://<domain>` or the API's execute-api endpoint. */
  public readonly url: string;
  /** The certificate, when https is configured. */
  public readonly certificate?: acm.ICertificate;
  /** The custom domain, when https is configured. */
  public readonly domainName?: apigwv2.DomainName;
  /** Default throttling (resolved). */
  public readonly throttle: HttpApiThrottleConfig;
  /** 5xx share of all requests; services use it as their ECS deployment alarm, so it has a fixed name (`deploymentAlarmName`). */
  public readonly errorRateAlarm: cloudwatch.Alarm;
  /** p99 latency of all requests. */
  public readonly latencyAlarm: cloudwatch.Alarm;
  /** Every alarm the API created. */
  public readonly alarms: readonly cloudwatch.Alarm[];

  private readonly routeOwners = new Map<string, string>();

  constructor(scope: Construct, id: string, props: HttpApiIngressProps) {
    super(scope, id);
    this.throttle = props.throttle ?? DEFAULT_HTTP_API_THROTTLE;
    const https = props.https;
    const { rateLimit, burstLimit } = this.throttle;
    if (!Token.isUnresolved(rateLimit) && !(rateLimit >= 1 && rateLimit <= 10000)) {
      throw SlipwayConfigError.of(
        this.node.path,
        'throttle.rateLimit',
        rateLimit,
        'must be between 1 and 10000 requests per second',
        "API Gateway's account default is 10000; use e.g. 50 for dev.",
      );
    }
    if (!Token.isUnresolved(burstLimit) && !(Number.isInteger(burstLimit) && burstLimit >= 1 && burstLimit <= 5000)) {
      throw SlipwayConfigError.of(
        this.node.path,
        'throttle.burstLimit',
        burstLimit,
        'must be a whole number between 1 and 5000',
        'Use e.g. twice the rateLimit.',
      );
    }
    if (https && !https.domainName) {
      throw SlipwayConfigError.of(
        this.node.path,
        'https.domainName',
        https.domainName,
        'is required when https is set',
        "Set the site's domain, e.g. 'app.example.com'.",
      );
    }

    if (https) {
      const zone = isHostedZoneHttps(https)
        ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
            hostedZoneId: https.hostedZoneId,
            zoneName: https.hostedZoneName,
          })
        : undefined;
      this.certificate = isHostedZoneHttps(https)
        ? new acm.Certificate(this, 'Certificate', {
            domainName: https.domainName,
            validation: acm.CertificateValidation.fromDns(zone),
          })
        : acm.Certificate.fromCertificateArn(this, 'Certificate', https.certificateArn);
      this.domainName = new apigwv2.DomainName(this, 'DomainName', {
        domainName: https.domainName!,
        certificate: this.certificate,
        endpointType: apigwv2.EndpointType.REGIONAL,
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      if (zone) {
        new route53.ARecord(this, 'Alias', {
          zone,
          recordName: https.domainName,
          target: route53.RecordTarget.fromAlias(
            new route53Targets.ApiGatewayv2DomainProperties(
              this.domainName.regionalDomainName,
              this.domainName.regionalHostedZoneId,
            ),
          ),
        });
      }
    }

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Slipway ingress: routes to the services through a VPC link and Cloud Map',
      createDefaultStage: false,
      // With a custom domain it is the only way in, as the load balancer's domain is.
      disableExecuteApiEndpoint: https !== undefined,
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey ?? new EnvironmentKey(this, 'AccessLogsKey').key,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: DEFAULT_ROUTE_KEY,
      autoDeploy: true,
      throttle: { rateLimit: this.throttle.rateLimit, burstLimit: this.throttle.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: accessLogFormat(),
      },
      domainMapping: this.domainName ? { domainName: this.domainName } : undefined,
    });
    this.url = https ? `https://${https.domainName}` : this.api.apiEndpoint;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'HTTP API VPC link: to the container ports of the services only',
      allowAllOutbound: false,
    });
    this.vpcLink = new apigwv2.VpcLink(this, 'VpcLink', {
      vpc: props.vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
    });

    const period = Duration.minutes(1);
    const errorRatePercent = props.errorRateAlarmPercent ?? 5;
    // A fixed name: the services behind the API watch this alarm during their deployments, by name.
    this.errorRateAlarm = this.addAlarm(
      'ErrorRate',
      new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: this.stage.metricServerError({ period, statistic: 'Sum' }),
          requests: this.stage.metricCount({ period, statistic: 'Sum' }),
        },
        period,
        label: '5xx %',
      }),
      errorRatePercent,
      3,
      `HTTP API: over ${errorRatePercent}% of requests answered 5xx for 3 minutes`,
      props.alarmTopic,
      deploymentAlarmName(this, 'ErrorRate'),
    );
    const latencySeconds = props.latencyAlarmSeconds ?? 2;
    this.latencyAlarm = this.addAlarm(
      'LatencyP99',
      this.stage.metricLatency({ period, statistic: 'p99' }),
      latencySeconds * 1000,
      5,
      `HTTP API: p99 latency above ${latencySeconds}s for 5 minutes`,
      props.alarmTopic,
    );
    this.alarms = [this.errorRateAlarm, this.latencyAlarm];
  }

  /**
   * Route requests to a service through the VPC link and the service's Cloud Map
   * service (which must register SRV records: the integration needs the port).
   *
   * ALB-style path patterns are translated to HTTP API routes: none or `/*` is the
   * `$default` route; `/api/*` becomes `ANY /api/{proxy+}` and `ANY /api`; an exact
   * path `/health` becomes `ANY /health`. The request path reaches the service unchanged.
   *
   * @param serviceName named in errors and in construct ids
   * @param cloudMapService the service's Cloud Map service
   * @param pathPatterns the paths it serves
   * @default pathPatterns - the `$default` route
   * @throws SlipwayConfigError for a pattern HTTP API routes cannot express, or a route another service already has
   */
  public addServiceRoutes(
    serviceName: string,
    cloudMapService: servicediscovery.IService,
    pathPatterns?: readonly string[],
  ): apigwv2.HttpRoute[] {
    const routeKeys = httpApiRouteKeys(this.node.path, serviceName, pathPatterns);
    for (const routeKey of routeKeys) {
      const owner = this.routeOwners.get(routeKey);
      if (owner !== undefined) {
        throw SlipwayConfigError.of(
          this.node.path,
          `services.${serviceName}.pathPatterns`,
          pathPatterns ?? ['/*'],
          `must not claim route "${routeKey}", which already goes to ${owner}`,
          routeKey === DEFAULT_ROUTE_KEY
            ? "Only one service can take the catch-all route: give the others pathPatterns such as ['/api/*']."
            : 'Give each service its own paths.',
        );
      }
    }
    const integration = new HttpServiceDiscoveryIntegration(`${serviceName}-integration`, cloudMapService, {
      vpcLink: this.vpcLink,
    });
    return routeKeys.map((routeKey) => {
      this.routeOwners.set(routeKey, serviceName);
      // Construct ids cannot hold '/': `backend ANY api {proxy+}`.
      const route = new apigwv2.HttpRoute(this, `${serviceName} ${routeKey.replace(/\//g, ' ').replace(/ +/g, ' ')}`, {
        httpApi: this.api,
        routeKey:
          routeKey === DEFAULT_ROUTE_KEY
            ? apigwv2.HttpRouteKey.DEFAULT
            : apigwv2.HttpRouteKey.with(routeKey.slice('ANY '.length), apigwv2.HttpMethod.ANY),
        integration,
      });
      acknowledgeFindings(route, {
        id: 'AwsSolutions-APIG4',
        reason:
          'Public web app route: the pages and API are meant to be reachable without credentials; the app authenticates its own users where it needs to.',
      });
      return route;
    });
  }

  /** Route keys and the services they go to, in the order they were added. */
  public get routes(): ReadonlyArray<{ readonly routeKey: string; readonly serviceName: string }> {
    return [...this.routeOwners.entries()].map(([routeKey, serviceName]) => ({ routeKey, serviceName }));
  }

  private addAlarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    periods: number,
    description: string,
    topic: AlarmTopic | undefined,
    alarmName?: string,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName,
      metric,
      threshold,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    topic?.notify(alarm);
    return alarm;
  }
}

/**
 * The HTTP API route keys for ALB-style path patterns: none or `/*` → `$default`;
 * `/prefix/*` → `ANY /prefix/{proxy+}` and `ANY /prefix`; `/exact` → `ANY /exact`.
 *
 * @throws SlipwayConfigError for a wildcard anywhere but a whole last segment
 */
export function httpApiRouteKeys(source: string, serviceName: string, pathPatterns?: readonly string[]): string[] {
  const keys: string[] = [];
  for (const pattern of pathPatterns ?? ['/*']) {
    if (pattern === '/*') {
      keys.push(DEFAULT_ROUTE_KEY);
      continue;
    }
    const prefix = pattern.endsWith('/*') ? pattern.slice(0, -2) : pattern;
    if (!/^(\/[A-Za-z0-9._~!$&'()+,;=:@%-]+)+$/.test(prefix)) {
      throw SlipwayConfigError.of(
        source,
        `services.${serviceName}.pathPatterns`,
        pattern,
        "must be '/*', a prefix ending in '/*' ('/api/*') or an exact path ('/health') with the HTTP API ingress",
        "HTTP API routes match whole path segments: replace wildcards inside a segment by a prefix such as '/assets/*'.",
      );
    }
    keys.push(...(pattern.endsWith('/*') ? [`ANY ${prefix}/{proxy+}`, `ANY ${prefix}`] : [`ANY ${prefix}`]));
  }
  return [...new Set(keys)];
}

/** JSON access log lines with the fields HTTP APIs support, one per request. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      method: '$context.httpMethod',
      routeKey: '$context.routeKey',
      path: '$context.path',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integration.latency',
      integrationStatus: '$context.integration.status',
      integrationError: '$context.integrationErrorMessage',
      userAgent: '$context.identity.userAgent',
    }),
  );
}
