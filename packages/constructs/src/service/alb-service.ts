import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { SlipwayServiceBase, scalingCooldowns } from './service-base';
import { SlipwayServiceProps } from './service-props';
import { SlipwayConfigError } from '../config/slipway-config-error';

/** Lowest-precedence listener rule priority; used for the catch-all route. */
export const CATCH_ALL_PRIORITY = 50000;

/** Props of `AlbService`. */
export interface AlbServiceProps extends SlipwayServiceProps {
  /** The load balancer listener the service's rule goes on (`AlbIngress.listener`). */
  readonly listener: elbv2.IApplicationListener;
  /** Path the load balancer health check requests, e.g. `/api/health`. Must answer 200. */
  readonly healthCheckPath: string;
  /**
   * Paths routed to this service (at most 5 ALB path patterns), e.g. `['/api/*']`.
   * @default ['/*'] - the catch-all route (everything no other rule claims)
   */
  readonly pathPatterns?: readonly string[];
  /**
   * Listener rule priority, 1–50000; lower wins. Required with pathPatterns.
   * @default 50000 for the catch-all route
   */
  readonly priority?: number;
  /**
   * Time connections get to finish when a task leaves the target group (rolling deploy, scale-in). At most 30 s.
   * @default Duration.seconds(15)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Target response time p99 above which the service alarms, over 5 minutes.
   * @default Duration.seconds(2)
   */
  readonly latencyAlarmThreshold?: Duration;
  /**
   * Share of requests answered 5xx by the targets (percent) above which the service alarms, over 3 minutes.
   * @default 5
   */
  readonly errorRateAlarmPercent?: number;
}

/**
 * A Fargate service behind an Application Load Balancer (`AlbIngress`; next to `HttpApiService`): a target group whose health
 * check makes a new task healthy in about 20 s and drains an old one in 15 s,
 * a listener rule by path and priority, ingress from the ALB only,
 * target-tracking on CPU and on requests per target, and 5xx-rate, p99
 * latency and unhealthy-host alarms that double as ECS deployment alarms, so a
 * bad deploy rolls back.
 */
export class AlbService extends SlipwayServiceBase {
  /** The target group. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The listener rule routing to it. */
  public readonly listenerRule: elbv2.ApplicationListenerRule;
  /** Routed path patterns (resolved). */
  public readonly pathPatterns: readonly string[];
  /** Listener rule priority (resolved). */
  public readonly priority: number;
  /** Alarms ECS watches during a deployment; any in ALARM rolls the deployment back. */
  public readonly deploymentAlarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: AlbServiceProps) {
    super(scope, id, props, { healthCheckGracePeriod: Duration.seconds(30) });
    this.pathPatterns = props.pathPatterns ?? ['/*'];
    this.priority = props.priority ?? (props.pathPatterns ? NaN : CATCH_ALL_PRIORITY);
    const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(15);
    this.validateRouting(props, deregistrationDelay);

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.cluster.vpc,
      port: props.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay,
      // Healthy after 2 checks 10 s apart (~20 s); CDK's default takes 150 s.
      healthCheck: {
        path: props.healthCheckPath,
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
        healthyHttpCodes: '200',
      },
      targets: [
        this.service.loadBalancerTarget({
          containerName: this.container.containerName,
          containerPort: props.containerPort,
        }),
      ],
    });
    this.listenerRule = new elbv2.ApplicationListenerRule(this, 'Rule', {
      listener: props.listener,
      priority: this.priority,
      conditions: [elbv2.ListenerCondition.pathPatterns([...this.pathPatterns])],
      targetGroups: [this.targetGroup],
    });

    const autoScaling = props.autoScaling;
    if (this.scaling && autoScaling?.requestsPerTarget) {
      this.scaling.scaleOnRequestCount('RequestScaling', {
        requestsPerTarget: autoScaling.requestsPerTarget,
        targetGroup: this.targetGroup,
        ...scalingCooldowns(autoScaling),
      });
    }

    const metrics = this.targetGroup.metrics;
    const errorRatePercent = props.errorRateAlarmPercent ?? 5;
    const errorRate = this.addAlarm('ErrorRate', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            period: Duration.minutes(1),
            statistic: 'Sum',
          }),
          requests: metrics.requestCount({ period: Duration.minutes(1), statistic: 'Sum' }),
        },
        period: Duration.minutes(1),
        label: '5xx %',
      }),
      threshold: errorRatePercent,
      minutes: 3,
      description: `${props.serviceName}: over ${errorRatePercent}% of requests answered 5xx for 3 minutes`,
      deployment: true,
    });
    const latencySeconds = (props.latencyAlarmThreshold ?? Duration.seconds(2)).toSeconds();
    this.addAlarm('LatencyP99', {
      metric: metrics.targetResponseTime({ period: Duration.minutes(1), statistic: 'p99' }),
      threshold: latencySeconds,
      minutes: 5,
      description: `${props.serviceName}: p99 response time above ${latencySeconds}s for 5 minutes`,
    });
    const unhealthy = this.addAlarm('UnhealthyTargets', {
      metric: metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 1,
      minutes: 3,
      description: `${props.serviceName}: a target failed health checks for 3 minutes`,
      deployment: true,
    });

    this.deploymentAlarms = [errorRate, unhealthy];
    this.rollBackOnAlarms(this.deploymentAlarms);
  }

  private validateRouting(props: AlbServiceProps, deregistrationDelay: Duration): void {
    const path = this.node.path;
    if (props.pathPatterns && props.priority === undefined) {
      throw SlipwayConfigError.of(path, {
        field: 'priority',
        value: props.priority,
        problem: 'is required with pathPatterns',
        fix: 'Give the rule a priority 1–49999 (lower wins), e.g. 10 for /api/*.',
      });
    }
    if (
      !Token.isUnresolved(this.priority) &&
      (!Number.isInteger(this.priority) || this.priority < 1 || this.priority > CATCH_ALL_PRIORITY)
    ) {
      throw SlipwayConfigError.of(path, {
        field: 'priority',
        value: this.priority,
        problem: 'must be an integer from 1 to 50000',
        fix: 'Use e.g. 10 for /api/*; 50000 is the catch-all.',
      });
    }
    if (this.pathPatterns.length < 1 || this.pathPatterns.length > 5) {
      throw SlipwayConfigError.of(path, {
        field: 'pathPatterns',
        value: this.pathPatterns,
        problem: 'must hold 1 to 5 patterns (an ALB rule condition limit)',
        fix: 'Split the routes over two services or use a wildcard.',
      });
    }
    if (!props.healthCheckPath.startsWith('/')) {
      throw SlipwayConfigError.of(path, {
        field: 'healthCheckPath',
        value: props.healthCheckPath,
        problem: "must start with '/'",
        fix: "Use e.g. '/api/health'.",
      });
    }
    if (deregistrationDelay.toSeconds() > 30) {
      throw SlipwayConfigError.of(path, {
        field: 'deregistrationDelay',
        value: `${deregistrationDelay.toSeconds()}s`,
        problem: 'must be at most 30 s so a rolling step stays under a minute',
        fix: 'Lower it, and make the app finish in-flight requests within it.',
      });
    }
  }
}
