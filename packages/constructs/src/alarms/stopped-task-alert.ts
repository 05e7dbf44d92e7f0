import { Annotations, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { sustainedAlarm } from './sustained-alarm';

/** Props of `StoppedTaskAlert`. */
export interface StoppedTaskAlertProps {
  /** The cluster whose services' tasks are watched. */
  readonly cluster: ecs.ICluster;
  /**
   * The topic to notify, a topic of this stack: its policy (and, when it is encrypted, its key's policy) is amended so
   * that EventBridge may publish to it. An imported topic must allow that itself.
   */
  readonly topic: sns.ITopic;
  /**
   * What the alarm on failed deliveries to the topic does on ALARM and OK (`AlarmTopic.alarmActions`).
   * @default - an alarm without actions
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/**
 * Stop codes of a task that ended without anyone asking it to ("Amazon ECS task state change events" and the
 * `Task.stopCode` of the ECS API reference). The others mean a stop that was asked for or expected:
 * `ServiceSchedulerInitiated` (a deployment replacing the task, or a scale-in), `UserInitiated` (StopTask),
 * `SpotInterruption` (Fargate Spot took the capacity back; the service starts another task), `TerminationNotice`,
 * `InfrastructureHealth` (AWS replacing the task for its host's health).
 */
export const UNEXPECTED_STOP_CODES = ['EssentialContainerExited', 'TaskFailedToStart'] as const;

/**
 * EventBridge's quota on the size of an event pattern, in characters: 2,048 unless the account asked for more (up to
 * 4,096; "Amazon EventBridge quotas", Event pattern size). A rule whose pattern is larger fails to create or update,
 * and with it the deploy.
 */
export const EVENT_PATTERN_SIZE_QUOTA = 2048;

/**
 * How a stopped reason begins when ECS replaced a task that failed its health checks, whatever its stop code:
 * "Task failed ELB health checks in (target-group ...)" or "Task failed container health checks" (the stopped reasons
 * of "Amazon ECS stopped task errors"); a deployment or scale-in stops a task with "Scaling activity initiated by
 * (deployment ...)".
 */
export const FAILED_HEALTH_CHECK_REASON_PREFIX = 'Task failed';

/**
 * Tells the alarm topic when a task of one of the cluster's services stops unexpectedly: its essential container
 * exited (a crash, or a process that ended), it failed to start (image pull, secrets, network), or ECS replaced it
 * after failed health checks. Deployments, scale-in, StopTask and Spot interruptions are not reported. Needs no
 * Container Insights: an EventBridge rule on the default bus matches ECS's "ECS Task State Change" events (free for
 * AWS service events) and publishes a one-line message per stopped task to the topic.
 *
 * Only service tasks are watched (`group` starting with `service:`): a one-off task, such as a database migration,
 * exits by design and reports its own outcome. An alarm fires when EventBridge cannot deliver to the topic.
 *
 * `watchRevision` gives one task definition revision a rule of its own, whose count is a per-service signal a
 * deployment alarm can use; that revision's tasks are then reported by that rule only.
 */
export class StoppedTaskAlert extends Construct {
  /** The EventBridge rule. */
  public readonly rule: events.Rule;
  /** Fires when EventBridge fails to publish to the topic (`FailedInvocations` of the rule). */
  public readonly deliveryAlarm: cloudwatch.Alarm;
  /** The rules of `watchRevision`, one per watched revision. */
  public readonly revisionRules: events.Rule[] = [];

  private readonly cluster: ecs.ICluster;
  private readonly topic: sns.ITopic;
  /** Each watched revision's ARN and how long it can be once deployed (`resolvedArnLength`). */
  private readonly watchedRevisions: { readonly arn: string; readonly length: number }[] = [];

  constructor(scope: Construct, id: string, props: StoppedTaskAlertProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.topic = props.topic;
    this.rule = new events.Rule(this, 'Rule', {
      description: `Tasks of the services of ${props.cluster.clusterName} that stop unexpectedly`,
      // Fields and values: "Amazon ECS task state change events" (detail-type "ECS Task State Change", source aws.ecs,
      // detail = the Task of DescribeTasks: clusterArn, group, lastStatus, stopCode, stoppedReason). A service's tasks
      // have the group "service:<service name>". $or and prefix: "Content filtering in Amazon EventBridge event
      // patterns".
      eventPattern: {
        source: [...ECS_TASK_EVENTS.source],
        detailType: [...ECS_TASK_EVENTS['detail-type']],
        // Uncached: a revision watched after something resolved the pattern still counts.
        detail: Lazy.uncachedAny({
          produce: () =>
            clusterRuleDetail(
              props.cluster.clusterArn,
              this.excludesWatchedRevisions() ? this.watchedRevisions.map((revision) => revision.arn) : [],
            ),
        }),
      },
    });
    this.rule.addTarget(new TopicWithoutRole(props.topic));
    // Once every revision is watched, before the templates are written: say so when the rule cannot list them.
    this.node.addValidation({
      validate: () => {
        if (this.watchedRevisions.length > 0 && !this.excludesWatchedRevisions()) {
          Annotations.of(this).addWarningV2(
            '@slipway/constructs:stoppedTaskPatternSize',
            `Listing the ${this.watchedRevisions.length} released revisions would make the stopped-task rule's event ` +
              `pattern up to ${this.clusterPatternSize()} characters, over EventBridge's quota of ` +
              `${EVENT_PATTERN_SIZE_QUOTA} (Event pattern size), so the rule does not leave them out: a released ` +
              "revision's crash or failed start is reported twice.",
          );
        }
        return [];
      },
    });

    // The publisher's grant carries no condition: "You can't use Condition blocks in Amazon SNS topic policies for
    // EventBridge" ("Using resource-based policies for Amazon EventBridge", Amazon SNS permissions; aws-events-targets'
    // SnsTopic grants it the same way, while its SQS target scopes by aws:SourceArn). A statement EventBridge does not
    // meet would fail every delivery, and only the DeliveryFailed alarm would tell. What remains open: another
    // account's rule that knows this topic's ARN could publish to it too, which is noise on the alarm address, not
    // access to anything. The rule's target has no role, which SNS topics encrypted with KMS need.
    props.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeStoppedTaskRule',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
      }),
    );
    // SNS encrypts what EventBridge publishes with the topic's key, on EventBridge's behalf. The key policy cannot
    // name the rule: aws:SourceAccount and aws:SourceArn are "not supported for EventBridge-to-encrypted topics"
    // (SNS guide, "Enable compatibility between event sources from AWS services and encrypted topics"), and a
    // statement with them would make every delivery fail. What the key refuses instead is an event bus encrypted
    // with it ("Authorizing EventBridge to use a customer managed key": that use carries the event bus in its
    // encryption context); publishing still needs the topic policy above, which names the rule.
    props.topic.masterKey?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgePublishesToEncryptedTopic',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { Null: { 'kms:EncryptionContext:aws:events:event-bus:arn': 'true' } },
      }),
    );

    // EventBridge publishes FailedInvocations only when it is not zero ("Monitoring Amazon EventBridge").
    this.deliveryAlarm = sustainedAlarm(this, 'DeliveryFailed', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: this.rule.ruleName },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      periods: 1,
      description: `Stopped-task alerts of ${props.cluster.clusterName} could not be published to the alarm topic: check the topic's and its key's policies`,
      actions: props.alarmActions,
    });
  }

  /**
   * Reports the service tasks of one task definition revision that crash or fail to start (`UNEXPECTED_STOP_CODES`)
   * through a rule of their own, created in `scope`, with the same message to the topic, and counts them: a signal
   * for a deployment alarm that only the revision being released can raise. The cluster's rule no longer reports them.
   *
   * The rule names the revision's ARN (a `Ref` to the task definition), not the service: a pattern on the service's
   * group would need the service's generated name, and so could only be updated after the service, and it would also
   * count the running revision's crashes. On a release CloudFormation replaces the task definition, updates the rule
   * to the new ARN, then (when the service depends on the alarm) updates the service.
   *
   * @returns tasks of the revision stopped unexpectedly per minute: the rule's `TriggeredRules`, the times it matched an
   *   event ("Monitoring Amazon EventBridge": by RuleName, sent only when not zero). Not `Invocations`, which counts
   *   target invocations and leaves out throttled or retried attempts until they fail permanently, so a slow
   *   delivery to the topic would delay the count the deployment alarm reads.
   */
  public watchRevision(scope: Construct, id: string, taskDefinition: ecs.ITaskDefinition): cloudwatch.Metric {
    const rule = new events.Rule(scope, id, {
      description: `Tasks of the revision of ${scope.node.path} being released that fail to start or exit`,
      eventPattern: {
        source: [...ECS_TASK_EVENTS.source],
        detailType: [...ECS_TASK_EVENTS['detail-type']],
        detail: {
          clusterArn: [this.cluster.clusterArn],
          taskDefinitionArn: [taskDefinition.taskDefinitionArn],
          lastStatus: ['STOPPED'],
          // A database migration runs the same task definition as a one-off task; it exits by design.
          group: [{ prefix: 'service:' }],
          stopCode: [...UNEXPECTED_STOP_CODES],
        },
      },
    });
    rule.addTarget(new TopicWithoutRole(this.topic));
    this.revisionRules.push(rule);
    this.watchedRevisions.push({
      arn: taskDefinition.taskDefinitionArn,
      length: resolvedArnLength(this, taskDefinition.taskDefinitionArn, taskDefinitionResource(taskDefinition)),
    });
    return ruleMetric(rule, 'TriggeredRules');
  }

  /**
   * Whether the cluster's rule leaves the watched revisions' crashes and failed starts to their own rules. It does
   * unless listing their ARNs would make its pattern larger than EventBridge's quota ({@link EVENT_PATTERN_SIZE_QUOTA})
   * once deployed: about a dozen traffic-shifting services in one environment, fewer with long names. Past that the
   * cluster's rule reports those stops too, so each is reported (and graphed) twice, and a warning at synth says so;
   * the deploy goes through.
   */
  public excludesWatchedRevisions(): boolean {
    return this.watchedRevisions.length > 0 && this.clusterPatternSize() <= EVENT_PATTERN_SIZE_QUOTA;
  }

  /** The largest the cluster's rule's pattern can be with every watched revision left out, in characters. */
  private clusterPatternSize(): number {
    const stand = (length: number) => 'x'.repeat(length);
    const clusterArn = stand(resolvedArnLength(this, this.cluster.clusterArn, clusterResource(this.cluster)));
    const excluded = this.watchedRevisions.map((revision) => stand(revision.length));
    return JSON.stringify({ ...ECS_TASK_EVENTS, detail: clusterRuleDetail(clusterArn, excluded) }).length;
  }

  /**
   * Tasks stopped unexpectedly, per minute: each one is one invocation of the cluster's rule's target or of a watched
   * revision's (of the cluster's rule alone when it reports every stop, see `excludesWatchedRevisions`). Call it once
   * every revision is watched.
   */
  public metricStoppedTasks(options: StoppedTasksMetricOptions = {}): cloudwatch.IMetric {
    // When the cluster's rule reports every stop (see excludesWatchedRevisions), its count is the whole count.
    const rules = this.excludesWatchedRevisions() ? [this.rule, ...this.revisionRules] : [this.rule];
    if (rules.length === 1) return invocations(this.rule, options);
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    rules.forEach((rule, index) => (usingMetrics[`rule${index}`] = invocations(rule)));
    // A rule without invocations in a minute publishes nothing for it: FILL treats that as 0, so the sum still counts.
    return new cloudwatch.MathExpression({
      expression: `SUM([${Object.keys(usingMetrics)
        .map((queryId) => `FILL(${queryId}, 0)`)
        .join(', ')}])`,
      usingMetrics,
      period: Duration.minutes(1),
      ...options,
    });
  }
}

/** The events every rule here matches: ECS's task state changes ("Amazon ECS task state change events"). */
const ECS_TASK_EVENTS = { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'] } as const;

/**
 * The `detail` of the cluster's rule. Fields and values: "Amazon ECS task state change events" (detail = the Task of
 * DescribeTasks: clusterArn, group, lastStatus, stopCode, stoppedReason). A service's tasks have the group
 * "service:<service name>". $or, prefix and anything-but: "Content filtering in Amazon EventBridge event patterns".
 * A watched revision's crashes and failed starts (`excluded`) are its own rule's to report; its failed health checks
 * stay here.
 */
function clusterRuleDetail(clusterArn: string, excluded: readonly string[]): Record<string, unknown> {
  return {
    clusterArn: [clusterArn],
    lastStatus: ['STOPPED'],
    group: [{ prefix: 'service:' }],
    $or: [
      {
        stopCode: [...UNEXPECTED_STOP_CODES],
        ...(excluded.length > 0 ? { taskDefinitionArn: [{ 'anything-but': [...excluded] }] } : {}),
      },
      { stoppedReason: [{ prefix: FAILED_HEALTH_CHECK_REASON_PREFIX }] },
    ],
  };
}

/** A CloudFormation resource of this app whose physical name is in its ARN: its type, name and logical ID. */
interface NamedResource {
  readonly resourceType: string;
  /** The name set in the template; undefined when CloudFormation makes one up. */
  readonly name?: string;
  readonly logicalId: string;
  readonly stackName: string;
}

function taskDefinitionResource(taskDefinition: ecs.ITaskDefinition): NamedResource | undefined {
  if (!(taskDefinition instanceof ecs.TaskDefinition)) return undefined;
  const resource = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  return namedResource('task-definition', taskDefinition.family, resource);
}

function clusterResource(cluster: ecs.ICluster): NamedResource | undefined {
  const resource = cluster.node.defaultChild;
  if (!(resource instanceof ecs.CfnCluster)) return undefined;
  return namedResource('cluster', resource.clusterName, resource);
}

function namedResource(resourceType: string, name: string | undefined, resource: Construct): NamedResource {
  const stack = Stack.of(resource);
  return {
    resourceType,
    name: name === undefined || Token.isUnresolved(name) ? undefined : name,
    logicalId: stack.resolve(stack.getLogicalId(resource as never)) as string,
    stackName: stack.stackName,
  };
}

/**
 * The most characters `arn` can have once deployed: its own length when it is known at synth, else an ECS ARN
 * (`arn:<partition>:ecs:<region>:<account>:<type>/<name>`, with a task definition's `:<revision>`) built from what the
 * template fixes, the longest partition and region where the stack leaves them open, and for a name CloudFormation
 * makes up its documented form, `<stack name>-<logical ID>-<random>` ("Name type"). An ARN of nothing known counts
 * as the longest an ECS name may be.
 */
function resolvedArnLength(scope: Construct, arn: string, resource: NamedResource | undefined): number {
  if (!Token.isUnresolved(arn)) return arn.length;
  const stack = Stack.of(scope);
  const known = (value: string, longest: number) => (Token.isUnresolved(value) ? longest : value.length);
  const prefix =
    `arn:${'x'.repeat(known(stack.partition, 'aws-us-gov'.length))}:ecs:` +
    `${'x'.repeat(known(stack.region, 'ap-southeast-5'.length))}:${'x'.repeat(known(stack.account, 12))}:`;
  if (resource === undefined) return prefix.length + 'task-definition/'.length + 255 + ':'.length + 10;
  const name =
    resource.name ?? `${resource.stackName}-${resource.logicalId}-${'x'.repeat(CLOUDFORMATION_NAME_SUFFIX_LENGTH)}`;
  const revision = resource.resourceType === 'task-definition' ? ':'.length + 10 : 0;
  return prefix.length + resource.resourceType.length + '/'.length + Math.min(name.length, 255) + revision;
}

/** The random part CloudFormation appends to a name it makes up, at most (observed: 12 or 13 characters). */
const CLOUDFORMATION_NAME_SUFFIX_LENGTH = 13;

/** How `StoppedTaskAlert.metricStoppedTasks` is shown and summed. */
export interface StoppedTasksMetricOptions {
  /**
   * Label in graphs.
   * @default - none
   */
  readonly label?: string;
  /**
   * Period each value sums.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/** A rule's `Invocations`, summed per minute. */
function invocations(rule: events.IRule, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return ruleMetric(rule, 'Invocations', options);
}

/** One of EventBridge's per-rule metrics (dimension RuleName), summed per minute. */
function ruleMetric(
  rule: events.IRule,
  metricName: 'Invocations' | 'TriggeredRules',
  options: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName,
    dimensionsMap: { RuleName: rule.ruleName },
    period: Duration.minutes(1),
    statistic: 'Sum',
    ...options,
  });
}

/**
 * The topic as the rule's target, authorized by the resource policies above. aws-events-targets' `SnsTopic` would grant
 * `events.amazonaws.com` the topic and the key without any condition.
 */
class TopicWithoutRole implements events.IRuleTarget {
  constructor(private readonly topic: sns.ITopic) {}

  public bind(): events.RuleTargetConfig {
    const field = (path: string) => events.EventField.fromPath(path);
    return {
      arn: this.topic.topicArn,
      input: events.RuleTargetInput.fromText(
        `ECS task stopped unexpectedly: ${field('$.detail.group')}, ${field('$.detail.stopCode')}: ` +
          `${field('$.detail.stoppedReason')} (${field('$.time')}). Its containers' exit codes and reasons, for an ` +
          `hour: aws ecs describe-tasks --cluster ${field('$.detail.clusterArn')} --tasks ${field('$.detail.taskArn')}`,
      ),
    };
  }
}
