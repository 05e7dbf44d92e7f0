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
import { CustomDomainProps, customDomainCertificate } from './custom-domain';
import { deploymentAlarmName } from '../alarms/deployment-alarm-name';
import { sustainedAlarm } from '../alarms/sustained-alarm';
import { httpApiThrottleIssues } from '../config/shared-rules';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings } from '../nag/acknowledge';
import { EnvironmentKey } from '../security/environment-key';

/** Throttling when none is given: far above a dev environment's traffic, a ceiling on a runaway client's bill. */
export const DEFAULT_HTTP_API_THROTTLE: Readonly<Required<apigwv2.ThrottleSettings>> = {
  rateLimit: 50,
  burstLimit: 100,
};

/** The route key of the catch-all route: every request no other route matches. */
export const DEFAULT_ROUTE_KEY = '$default';

/**
 * Props of `HttpApiIngress`. With `domainName` (and a `certificate`, or a `hostedZone` to issue one in) the API gets
 * a regional custom domain and its own execute-api endpoint is turned off, so the domain is the only way in.
 */
export interface HttpApiIngressProps extends CustomDomainProps {
  /** VPC whose private subnets hold the VPC link's network interfaces (where the tasks run). */
  readonly vpc: ec2.IVpc;
  /**
   * Default throttling of every route: requests per second (1–10000) and burst (a whole number 1–5000).
   * @default DEFAULT_HTTP_API_THROTTLE (50 per second, bursts of 100)
   */
  readonly throttle?: apigwv2.ThrottleSettings;
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
   * Actions for the API's alarms, on ALARM and on OK (`AlarmTopic.alarmActions`, or any `SnsAction`).
   * @default - alarms are created without actions
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /**
   * Share of requests answered 5xx by the API (percent) above which it alarms, over 3 minutes.
   * @default 5
   */
  readonly errorRateAlarmPercent?: number;
  /**
   * p99 latency (the whole request as the client sees it) above which the API alarms, over 5 minutes.
   * @default Duration.seconds(2)
   */
  readonly latencyAlarmThreshold?: Duration;
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
 * request. With a `domainName`, a regional custom domain (TLS 1.2), its certificate
 * and (with a hosted zone) a Route 53 alias.
 *
 * Services claim routes with `addServiceRoutes`; the API's 5xx-rate and p99
 * latency alarms are what services watch during a deployment.
 */
export class HttpApiIngress extends Construct implements ec2.IConnectable {
  /** The HTTP API. */
  public readonly api: apigwv2.HttpApi;
  /** The `$default` stage (no stage name in the URL). */
  public readonly stage: apigwv2.HttpStage;
  /** The VPC link in the private subnets. */
  public readonly vpcLink: apigwv2.VpcLink;
  /** The VPC link's security group: services open their container port to it. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The VPC link's connections: a service lets the API in with `service.connections.allowDefaultPortFrom(api)`. */
  public readonly connections: ec2.Connections;
  /** The access log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** Public URL of the app: `https://<domain>` or the API's execute-api endpoint. */
  public readonly url: string;
  /** The certificate, when there is a custom domain. */
  public readonly certificate?: acm.ICertificate;
  /** The custom domain, when there is one. */
  public readonly domainName?: apigwv2.DomainName;
  /** Default throttling (resolved). */
  public readonly throttle: Readonly<Required<apigwv2.ThrottleSettings>>;
  /** 5xx share of all requests; services use it as their ECS deployment alarm, so it has a fixed name (`deploymentAlarmName`). */
  public readonly errorRateAlarm: cloudwatch.Alarm;
  /** p99 latency of all requests. */
  public readonly latencyAlarm: cloudwatch.Alarm;
  /** Every alarm the API created. */
  public readonly alarms: readonly cloudwatch.Alarm[];

  private readonly routeOwners = new Map<string, string>();

  constructor(scope: Construct, id: string, props: HttpApiIngressProps) {
    super(scope, id);
    this.throttle = {
      rateLimit: props.throttle?.rateLimit ?? DEFAULT_HTTP_API_THROTTLE.rateLimit,
      burstLimit: props.throttle?.burstLimit ?? DEFAULT_HTTP_API_THROTTLE.burstLimit,
    };
    const throttleIssues = httpApiThrottleIssues({
      rateLimit: Token.isUnresolved(this.throttle.rateLimit) ? undefined : this.throttle.rateLimit,
      burstLimit: Token.isUnresolved(this.throttle.burstLimit) ? undefined : this.throttle.burstLimit,
    }).map((issue) => ({ ...issue, field: `throttle.${issue.field}` }));
    if (throttleIssues.length > 0) throw new SlipwayConfigError(this.node.path, throttleIssues);
    this.certificate = customDomainCertificate(this, props);
    const domainName = this.certificate ? props.domainName : undefined;

    if (this.certificate && domainName) {
      this.domainName = new apigwv2.DomainName(this, 'DomainName', {
        domainName,
        certificate: this.certificate,
        endpointType: apigwv2.EndpointType.REGIONAL,
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      if (props.hostedZone) {
        new route53.ARecord(this, 'Alias', {
          zone: props.hostedZone,
          recordName: domainName,
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
      disableExecuteApiEndpoint: this.domainName !== undefined,
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
    this.url = domainName ? `https://${domainName}` : this.api.apiEndpoint;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'HTTP API VPC link: to the container ports of the services only',
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup] });
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
      props.alarmActions,
      deploymentAlarmName(this, 'ErrorRate'),
    );
    const latencySeconds = (props.latencyAlarmThreshold ?? Duration.seconds(2)).toSeconds();
    this.latencyAlarm = this.addAlarm(
      'LatencyP99',
      this.stage.metricLatency({ period, statistic: 'p99' }),
      latencySeconds * 1000,
      5,
      `HTTP API: p99 latency above ${latencySeconds}s for 5 minutes`,
      props.alarmActions,
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
   * @throws SlipwayConfigError for a pattern HTTP API routes cannot express, or a route another service already has
   */
  public addServiceRoutes(options: ServiceRouteOptions): apigwv2.HttpRoute[] {
    const { serviceName, cloudMapService, pathPatterns } = options;
    const routeKeys = httpApiRouteKeys({ source: this.node.path, serviceName, pathPatterns });
    for (const routeKey of routeKeys) {
      const owner = this.routeOwners.get(routeKey);
      if (owner !== undefined) {
        throw SlipwayConfigError.of(this.node.path, {
          field: `services.${serviceName}.pathPatterns`,
          value: pathPatterns ?? ['/*'],
          problem: `must not claim route "${routeKey}", which already goes to ${owner}`,
          fix:
            routeKey === DEFAULT_ROUTE_KEY
              ? "Only one service can take the catch-all route: give the others pathPatterns such as ['/api/*']."
              : 'Give each service its own paths.',
        });
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
    actions: readonly cloudwatch.IAlarmAction[] | undefined,
    alarmName?: string,
  ): cloudwatch.Alarm {
    return sustainedAlarm(this, id, { alarmName, metric, threshold, periods, description, actions });
  }
}

/** A service's claim on the HTTP API's routes (`HttpApiIngress.addServiceRoutes`). */
export interface ServiceRouteOptions {
  /** The service's name, named in errors and in construct ids. */
  readonly serviceName: string;
  /** The service's Cloud Map service; it must register SRV records. */
  readonly cloudMapService: servicediscovery.IService;
  /**
   * The paths it serves, ALB-style.
   * @default ['/*'] - the `$default` route
   */
  readonly pathPatterns?: readonly string[];
}

/** What `httpApiRouteKeys` translates, and what its errors name. */
export interface RouteKeyOptions {
  /** Construct path or file named in errors. */
  readonly source: string;
  /** The service the patterns belong to, named in errors. */
  readonly serviceName: string;
  /**
   * ALB-style path patterns.
   * @default ['/*']
   */
  readonly pathPatterns?: readonly string[];
}

/**
 * The HTTP API route keys for ALB-style path patterns: none or `/*` → `$default`;
 * `/prefix/*` → `ANY /prefix/{proxy+}` and `ANY /prefix`; `/exact` → `ANY /exact`.
 *
 * @throws SlipwayConfigError for a wildcard anywhere but a whole last segment
 */
export function httpApiRouteKeys(options: RouteKeyOptions): string[] {
  const { source, serviceName, pathPatterns } = options;
  const keys: string[] = [];
  for (const pattern of pathPatterns ?? ['/*']) {
    if (pattern === '/*') {
      keys.push(DEFAULT_ROUTE_KEY);
      continue;
    }
    const prefix = pattern.endsWith('/*') ? pattern.slice(0, -2) : pattern;
    if (!/^(\/[A-Za-z0-9._~!$&'()+,;=:@%-]+)+$/.test(prefix)) {
      throw SlipwayConfigError.of(source, {
        field: `services.${serviceName}.pathPatterns`,
        value: pattern,
        problem:
          "must be '/*', a prefix ending in '/*' ('/api/*') or an exact path ('/health') with the HTTP API ingress",
        fix: "HTTP API routes match whole path segments: replace wildcards inside a segment by a prefix such as '/assets/*'.",
      });
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
