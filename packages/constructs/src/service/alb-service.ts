import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { SlipwayServiceBase, scalingCooldowns } from './service-base';
import { SlipwayServiceProps } from './service-props';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { shiftsTraffic, TrafficShiftProps, TrafficShiftRole } from '../deployment/traffic-shift';

/** Lowest-precedence listener rule priority; used for the catch-all route. */

/** The minutes the new-tasks-failing deployment alarm stays in ALARM after a task of the released revision fails. */
export const NEW_TASKS_FAILING_WINDOW_MINUTES = 10;
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
  /**
   * Release new revisions by shifting load balancer traffic (ECS blue/green, canary or linear) instead of rolling
   * tasks in place: adds the alternate target group, a rule on the test listener, the role ECS shifts traffic with,
   * and makes the 5xx-rate, p99-latency and unhealthy-host alarms (over both target groups) and an alarm on the new
   * revision's tasks that fail to start or exit (`newTasksFailingAlarm`) the deployment alarms.
   * @default - a rolling update
   */
  readonly trafficShift?: TrafficShiftProps;
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
  /** ECS deployment strategy (resolved). */
  public readonly deploymentStrategy: ecs.DeploymentStrategy;
  /** The alternate (green) target group of a traffic-shifting deployment. */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The service's rule on the test listener (traffic-shifting deployments). */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;
  /** The role ECS shifts traffic with (traffic-shifting deployments). */
  public readonly trafficShiftRole?: TrafficShiftRole;
  /**
   * Fires in the minute a task of the revision being released fails to start or its essential container exits
   * (traffic-shifting deployments; a deployment alarm).
   */
  public readonly newTasksFailingAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: AlbServiceProps) {
    const trafficShift =
      props.trafficShift && shiftsTraffic(props.trafficShift.strategy) ? props.trafficShift : undefined;
    super(scope, id, props, {
      healthCheckGracePeriod: Duration.seconds(30),
      deployment: props.trafficShift
        ? {
            strategy: props.trafficShift.strategy,
            canaryConfiguration: props.trafficShift.canaryConfiguration,
            linearConfiguration: props.trafficShift.linearConfiguration,
            bakeTime: props.trafficShift.bakeTime,
          }
        : undefined,
    });
    this.deploymentStrategy = props.trafficShift?.strategy ?? ecs.DeploymentStrategy.ROLLING;
    this.pathPatterns = props.pathPatterns ?? ['/*'];
    this.priority = props.priority ?? (props.pathPatterns ? NaN : CATCH_ALL_PRIORITY);
    const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(15);
    this.validateRouting(props, deregistrationDelay);

    const targetGroupProps: elbv2.ApplicationTargetGroupProps = {
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
    };
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', targetGroupProps);
    const conditions = [elbv2.ListenerCondition.pathPatterns([...this.pathPatterns])];
    if (trafficShift) {
      // ECS re-weights both rules during a deployment: blue keeps 100 until the test or production shift moves it.
      this.alternateTargetGroup = new elbv2.ApplicationTargetGroup(this, 'AlternateTargetGroup', targetGroupProps);
      const bothTargetGroups = () =>
        elbv2.ListenerAction.weightedForward([
          { targetGroup: this.targetGroup, weight: 100 },
          { targetGroup: this.alternateTargetGroup!, weight: 0 },
        ]);
      this.listenerRule = new elbv2.ApplicationListenerRule(this, 'Rule', {
        listener: props.listener,
        priority: this.priority,
        conditions,
        action: bothTargetGroups(),
      });
      this.testListenerRule = new elbv2.ApplicationListenerRule(this, 'TestRule', {
        listener: trafficShift.testListener,
        priority: this.priority,
        conditions,
        action: bothTargetGroups(),
      });
      this.trafficShiftRole = new TrafficShiftRole(this, 'TrafficShift', {
        listenerRules: [this.listenerRule, this.testListenerRule],
        listeners: [props.listener, trafficShift.testListener],
        targetGroups: [this.targetGroup, this.alternateTargetGroup],
      });
      this.targetGroup.addTarget(
        this.service.loadBalancerTarget({
          containerName: this.container.containerName,
          containerPort: props.containerPort,
          alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
            alternateTargetGroup: this.alternateTargetGroup,
            productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.listenerRule),
            testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.testListenerRule),
            role: this.trafficShiftRole.role,
          }),
        }),
      );
      // ECS uses the role as soon as the service is created: wait for its policy (a resource of its own), not the
      // role alone, or the first deployment can meet AccessDenied while IAM is still adding the permissions.
      this.service.node.addDependency(this.trafficShiftRole);
      const hooks = trafficShift.lifecycleHooks ?? [];
      for (const hook of hooks) this.service.addLifecycleHook(hook);
      if (trafficShift.lifecycleHookDetails) {
        // aws-cdk-lib's lifecycle hook targets have no HookDetails: set it on each hook this service was given, in the
        // order they were added (the service's first hooks).
        const cfnService = this.service.node.defaultChild as ecs.CfnService;
        hooks.forEach((_hook, index) =>
          cfnService.addPropertyOverride(
            `DeploymentConfiguration.LifecycleHooks.${index}.HookDetails`,
            trafficShift.lifecycleHookDetails,
          ),
        );
      }
    } else {
      this.targetGroup.addTarget(
        this.service.loadBalancerTarget({
          containerName: this.container.containerName,
          containerPort: props.containerPort,
        }),
      );
      this.listenerRule = new elbv2.ApplicationListenerRule(this, 'Rule', {
        listener: props.listener,
        priority: this.priority,
        conditions,
        targetGroups: [this.targetGroup],
      });
    }

    const autoScaling = props.autoScaling;
    if (this.scaling && autoScaling?.requestsPerTarget) {
      this.scaling.scaleOnRequestCount('RequestScaling', {
        requestsPerTarget: autoScaling.requestsPerTarget,
        targetGroup: this.targetGroup,
        ...scalingCooldowns(autoScaling),
      });
    }

    // With a traffic shift the new revision sits in whichever target group is the alternate one this time: each
    // alarm takes the worse of the two, so a bad canary alarms at any share of the traffic.
    const targetGroups = [this.targetGroup, ...(this.alternateTargetGroup ? [this.alternateTargetGroup] : [])];
    const perTargetGroup = (
      label: string,
      metricOf: (metrics: elbv2.IApplicationTargetGroupMetrics) => Record<string, cloudwatch.IMetric>,
      expressionOf: (suffix: string) => string,
    ): cloudwatch.IMetric => {
      const usingMetrics: Record<string, cloudwatch.IMetric> = {};
      const expressions = targetGroups.map((targetGroup, index) => {
        const suffix = targetGroups.length === 1 ? '' : String(index);
        const own: Record<string, cloudwatch.IMetric> = {};
        for (const [name, metric] of Object.entries(metricOf(targetGroup.metrics))) own[`${name}${suffix}`] = metric;
        const expression = expressionOf(suffix);
        if (targetGroups.length === 1 || own[expression]) {
          Object.assign(usingMetrics, own);
          return expression;
        }
        // MAX([...]) takes the ids of queries (CloudWatch's documented array form): a target group's formula is a
        // query of its own rather than an expression inside the array.
        const queryId = `targetGroup${index}`;
        usingMetrics[queryId] = new cloudwatch.MathExpression({
          expression,
          usingMetrics: own,
          period: Duration.minutes(1),
        });
        return queryId;
      });
      return new cloudwatch.MathExpression({
        expression: expressions.length === 1 ? expressions[0] : `MAX([${expressions.join(', ')}])`,
        usingMetrics,
        period: Duration.minutes(1),
        label,
      });
    };
    const minute = { period: Duration.minutes(1) };
    const errorRatePercent = props.errorRateAlarmPercent ?? 5;
    const errorRate = this.addAlarm('ErrorRate', {
      metric: perTargetGroup(
        '5xx %',
        (metrics) => ({
          errors: metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { ...minute, statistic: 'Sum' }),
          requests: metrics.requestCount({ ...minute, statistic: 'Sum' }),
        }),
        (index) => `IF(requests${index} > 0, 100 * errors${index} / requests${index}, 0)`,
      ),
      threshold: errorRatePercent,
      minutes: 3,
      description: `${props.serviceName}: over ${errorRatePercent}% of requests answered 5xx for 3 minutes`,
      deployment: true,
    });
    const latencySeconds = (props.latencyAlarmThreshold ?? Duration.seconds(2)).toSeconds();
    const latency = this.addAlarm('LatencyP99', {
      metric: trafficShift
        ? perTargetGroup(
            'p99 response time',
            (metrics) => ({ p99: metrics.targetResponseTime({ ...minute, statistic: 'p99' }) }),
            (index) => `p99${index}`,
          )
        : this.targetGroup.metrics.targetResponseTime({ ...minute, statistic: 'p99' }),
      threshold: latencySeconds,
      minutes: 5,
      description: `${props.serviceName}: p99 response time above ${latencySeconds}s for 5 minutes`,
      deployment: trafficShift !== undefined,
    });
    const unhealthy = this.addAlarm('UnhealthyTargets', {
      metric: trafficShift
        ? perTargetGroup(
            'unhealthy targets',
            (metrics) => ({ unhealthy: metrics.unhealthyHostCount({ ...minute, statistic: 'Maximum' }) }),
            (index) => `unhealthy${index}`,
          )
        : this.targetGroup.metrics.unhealthyHostCount({ ...minute, statistic: 'Maximum' }),
      threshold: 1,
      minutes: 3,
      description: `${props.serviceName}: a target failed health checks for 3 minutes`,
      deployment: true,
    });

    if (trafficShift) {
      // Green tasks that never start (image pull, secrets, network: TaskFailedToStart) or exit at once
      // (EssentialContainerExited) never register a target: the unhealthy-target alarm has nothing to count and blue
      // still answers every request. ECS documents its circuit breaker for rolling and blue/green updates only, so
      // this alarm is what rolls such a canary or linear release back. One stop fires it, and it is OK again ten
      // minutes after the last (minutes without data are not breaching): a crash long before the release has no
      // bearing on it, and neither has the running revision, which its rule does not match. A stop that was
      // asked for (a deployment or scale-in, ServiceSchedulerInitiated) or a Spot interruption has another stop code.
      this.newTasksFailingAlarm = this.addAlarm('NewTasksFailing', {
        metric: trafficShift.stoppedTaskAlert.watchRevision(this, 'NewTasksFailingRule', this.taskDefinition),
        threshold: 1,
        minutes: 1,
        // One stop anywhere in the last ten minutes: a burst of one minute could pass between two of ECS's looks at
        // its deployment alarms, which ECS does not say how often it takes; ten minutes it cannot miss.
        windowMinutes: NEW_TASKS_FAILING_WINDOW_MINUTES,
        description: `${props.serviceName}: a task of the revision being released failed to start or its container exited (in the last ${NEW_TASKS_FAILING_WINDOW_MINUTES} minutes); ECS rolls a release back on it`,
        deployment: true,
      });
      // CloudFormation then updates the rule to the new revision before the service starts releasing it.
      this.service.node.addDependency(this.newTasksFailingAlarm);
    }

    // A rolling update keeps its two deployment alarms, beside the circuit breaker; a traffic shift also rolls back on
    // the new revision's latency and on its tasks failing.
    this.deploymentAlarms = this.newTasksFailingAlarm
      ? [errorRate, latency, unhealthy, this.newTasksFailingAlarm]
      : [errorRate, unhealthy];
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
    if (props.trafficShift && shiftsTraffic(props.trafficShift.strategy) && props.autoScaling?.requestsPerTarget) {
      throw SlipwayConfigError.of(path, {
        field: 'autoScaling.requestsPerTarget',
        value: props.autoScaling.requestsPerTarget,
        problem: 'must be absent with a traffic-shifting deployment',
        fix: 'ECS swaps the primary and alternate target groups on every deployment, so request-count scaling would follow the wrong one: scale on CPU only, or use a rolling deployment.',
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
