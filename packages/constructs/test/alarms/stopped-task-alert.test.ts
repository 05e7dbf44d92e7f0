import { App, Fn } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmTopic, EVENT_PATTERN_SIZE_QUOTA, StoppedTaskAlert } from '../../src/alarms';
import { SlipwayCluster } from '../../src/cluster';
import { SlipwayNetwork } from '../../src/network';
import { EnvironmentKey } from '../../src/security';
import { TestStack } from '../fixtures/stacks';

/** The alert's cluster and topic in `stack`, nothing synthesized. */
function build(stack = new TestStack()) {
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const cluster = new SlipwayCluster(stack, 'Cluster', { vpc: network.vpc, containerInsights: false }).cluster;
  const key = new EnvironmentKey(stack, 'Key').key;
  const topic = new AlarmTopic(stack, 'Alarms', { encryptionKey: key });
  const alert = new StoppedTaskAlert(stack, 'StoppedTasks', {
    cluster,
    topic: topic.topic,
    alarmActions: topic.alarmActions,
  });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, alert, topicRef: { Ref: id(topic.topic) }, clusterId: id(cluster), ruleId: id(alert.rule) };
}

function setup() {
  const built = build();
  return { ...built, template: Template.fromStack(built.stack) };
}

/**
 * EventBridge's matching for the operators the rule uses ("Content filtering in Amazon EventBridge event patterns"):
 * every key of the pattern must match; an array matches when any of its values (an exact value, `{ prefix }` or
 * `{ 'anything-but': [...] }`) does; `$or` matches when any of its patterns does.
 */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as Record<string, unknown>[]).some((branch) => matches(branch, event));
    const actual = event[key];
    if (Array.isArray(expected)) {
      return expected.some((value) => {
        if (typeof value === 'object' && value !== null && 'prefix' in value) {
          return typeof actual === 'string' && actual.startsWith((value as { prefix: string }).prefix);
        }
        if (typeof value === 'object' && value !== null && 'anything-but' in value) {
          return actual !== undefined && !(value as { 'anything-but': unknown[] })['anything-but'].includes(actual);
        }
        return value === actual;
      });
    }
    return (
      typeof actual === 'object' && actual !== null && matches(expected as Record<string, unknown>, actual as never)
    );
  });
}

const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111111111111:cluster/slipway-dev';
/** The revision being released; the events' default is the one before it. */
const RELEASED = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/AppdevBackendTaskDefinition:42';

/** A stopped-task event shaped as "Amazon ECS task state change events" documents it. */
function stoppedTask(detail: {
  group: string;
  stopCode: string;
  stoppedReason: string;
  clusterArn?: string;
  taskDefinitionArn?: string;
}) {
  return {
    version: '0',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '111111111111',
    region: 'eu-west-1',
    detail: {
      clusterArn: CLUSTER_ARN,
      taskArn: 'arn:aws:ecs:eu-west-1:111111111111:task/slipway-dev/c13b4cb40f1f4fe4a2971f76ae5a47ad',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      launchType: 'FARGATE',
      taskDefinitionArn: `${RELEASED}`.replace(':42', ':41'),
      ...detail,
    },
  };
}

describe('StoppedTaskAlert', () => {
  test('GIVEN a cluster WHEN synthesized THEN an EventBridge rule matches its service tasks that stopped because a container exited, they failed to start or failed health checks, and nothing a deployment or scale-in stops', () => {
    const { template, clusterId } = setup();
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          clusterArn: [{ 'Fn::GetAtt': [clusterId, 'Arn'] }],
          lastStatus: ['STOPPED'],
          // Service tasks only: a migration task exits by design.
          group: [{ prefix: 'service:' }],
          // ServiceSchedulerInitiated ("Scaling activity initiated by (deployment ...)"), UserInitiated,
          // SpotInterruption and TerminationNotice are not matched.
          $or: [
            { stopCode: ['EssentialContainerExited', 'TaskFailedToStart'] },
            { stoppedReason: [{ prefix: 'Task failed' }] },
          ],
        },
      },
    });
  });

  test.each([
    {
      what: 'a crashed container',
      group: 'service:backend',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      alerted: true,
    },
    {
      what: 'a task that failed to start',
      group: 'service:backend',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried',
      alerted: true,
    },
    {
      what: 'failed load balancer health checks',
      group: 'service:backend',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason:
        'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/backend/0123)',
      alerted: true,
    },
    {
      what: 'failed container health checks',
      group: 'service:frontend',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Task failed container health checks',
      alerted: true,
    },
    {
      what: 'a deployment or scale-in',
      group: 'service:backend',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
      alerted: false,
    },
    {
      what: 'StopTask',
      group: 'service:backend',
      stopCode: 'UserInitiated',
      stoppedReason: 'Task stopped by user',
      alerted: false,
    },
    {
      what: 'a Fargate Spot interruption',
      group: 'service:backend',
      stopCode: 'SpotInterruption',
      stoppedReason: 'Your Spot Task was interrupted.',
      alerted: false,
    },
    {
      what: 'a migration task that exited',
      group: 'family:AppdevBackendTaskDefinition',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      alerted: false,
    },
  ])(
    'GIVEN $what WHEN ECS sends the stopped-task event THEN alerted is $alerted',
    ({ group, stopCode, stoppedReason, alerted }) => {
      const { stack, alert } = setup();
      const pattern = stack.resolve(
        (alert.rule.node.defaultChild as unknown as { eventPattern: Record<string, unknown> }).eventPattern,
      );
      // The cluster's ARN is a token until deploy: put the event's in its place.
      pattern.detail.clusterArn = [CLUSTER_ARN];
      expect(matches(pattern, stoppedTask({ group, stopCode, stoppedReason }))).toBe(alerted);
      expect(
        matches(pattern, stoppedTask({ group, stopCode, stoppedReason, clusterArn: `${CLUSTER_ARN}-other` })),
      ).toBe(false);
    },
  );

  test('GIVEN the rule WHEN synthesized THEN it publishes a readable line to the alarm topic, authorized by the topic policy, not by a role', () => {
    const { template, topicRef } = setup();
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: topicRef,
        InputTransformer: {
          InputPathsMap: expect.objectContaining({
            'detail-group': '$.detail.group',
            'detail-stopCode': '$.detail.stopCode',
            'detail-stoppedReason': '$.detail.stoppedReason',
            'detail-taskArn': '$.detail.taskArn',
          }),
          InputTemplate: expect.stringMatching(
            /^"ECS task stopped unexpectedly: <detail-group>, <detail-stopCode>: <detail-stoppedReason>/,
          ),
        },
      },
    ]);
    // The SNS target's default (aws-events-targets SnsTopic) would add unconditioned grants; none here.
    expect(rule.Properties.Targets[0].RoleArn).toBeUndefined();
  });

  test('GIVEN the encrypted alarm topic WHEN synthesized THEN EventBridge may publish to it without a condition, as EventBridge documents, and use its key except for an event bus', () => {
    const { template, topicRef } = setup();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
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
    // No aws:SourceAccount / aws:SourceArn on the key: SNS does not support them for EventBridge-to-encrypted topics.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'EventBridgePublishesToEncryptedTopic',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { Null: { 'kms:EncryptionContext:aws:events:event-bus:arn': 'true' } },
          },
        ]),
      },
    });
  });

  test('GIVEN the rule WHEN synthesized THEN a failed delivery to the topic alarms (FailedInvocations of the rule), and the stopped tasks can be graphed', () => {
    const { stack, template, alert, topicRef, ruleId } = setup();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    const stopped = alert.metricStoppedTasks().toMetricConfig().metricStat!;
    expect([stopped.namespace, stopped.metricName, stopped.statistic]).toEqual(['AWS/Events', 'Invocations', 'Sum']);
    expect(stack.resolve(stopped.dimensions)).toEqual([{ name: 'RuleName', value: { Ref: ruleId } }]);
  });

  test('GIVEN an imported topic WHEN synthesized THEN the rule still targets it and nothing else is changed', () => {
    const stack = new TestStack();
    const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const cluster = new SlipwayCluster(stack, 'Cluster', { vpc: network.vpc, containerInsights: false }).cluster;
    const arn = 'arn:aws:sns:eu-west-1:111111111111:oncall';
    new StoppedTaskAlert(stack, 'StoppedTasks', { cluster, topic: sns.Topic.fromTopicArn(stack, 'Topic', arn) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: arn })] });
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
  });
});

describe('StoppedTaskAlert.watchRevision', () => {
  function watched() {
    const { stack, alert } = setup();
    const taskDefinition = ecs.TaskDefinition.fromTaskDefinitionArn(stack, 'Released', RELEASED);
    const metric = alert.watchRevision(new Construct(stack, 'Backend'), 'NewTasksFailingRule', taskDefinition);
    const patternOf = (rule: { node: { defaultChild?: unknown } }) => {
      const pattern = stack.resolve(
        (rule.node.defaultChild as unknown as { eventPattern: Record<string, unknown> }).eventPattern,
      );
      // The cluster's ARN is a token until deploy: put the event's in its place.
      pattern.detail.clusterArn = [CLUSTER_ARN];
      return pattern;
    };
    return { stack, alert, metric, cluster: patternOf(alert.rule), revision: patternOf(alert.revisionRules[0]) };
  }

  test.each([
    {
      what: "the released revision's crashed container",
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      taskDefinitionArn: RELEASED,
      reportedBy: 'revision',
    },
    {
      what: "the released revision's task that failed to start",
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth',
      taskDefinitionArn: RELEASED,
      reportedBy: 'revision',
    },
    {
      what: "the running revision's crashed container",
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      taskDefinitionArn: undefined,
      reportedBy: 'cluster',
    },
    {
      what: "the released revision's failed load balancer health checks",
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:1:tg/b/0)',
      taskDefinitionArn: RELEASED,
      reportedBy: 'cluster',
    },
    {
      what: 'the running revision stopped after the release (ServiceSchedulerInitiated)',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
      taskDefinitionArn: undefined,
      reportedBy: 'neither',
    },
    {
      what: "the released revision's scale-in",
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1234567890123456789)',
      taskDefinitionArn: RELEASED,
      reportedBy: 'neither',
    },
    {
      what: "the released revision's Spot interruption",
      stopCode: 'SpotInterruption',
      stoppedReason: 'Your Spot Task was interrupted.',
      taskDefinitionArn: RELEASED,
      reportedBy: 'neither',
    },
  ])(
    'GIVEN $what WHEN ECS sends the stopped-task event THEN it is reported by $reportedBy rule',
    ({ stopCode, stoppedReason, taskDefinitionArn, reportedBy }) => {
      const { cluster, revision } = watched();
      const event = stoppedTask({
        group: 'service:App-prod-BackendService-AbC123',
        stopCode,
        stoppedReason,
        ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
      });
      expect({ cluster: matches(cluster, event), revision: matches(revision, event) }).toEqual({
        cluster: reportedBy === 'cluster',
        revision: reportedBy === 'revision',
      });
    },
  );

  test('GIVEN a migration task of the released revision that exits WHEN ECS sends the event THEN neither rule reports it', () => {
    const { cluster, revision } = watched();
    const event = stoppedTask({
      group: 'family:AppdevBackendTaskDefinition',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      taskDefinitionArn: RELEASED,
    });
    expect([matches(cluster, event), matches(revision, event)]).toEqual([false, false]);
  });

  test("GIVEN a watched revision THEN its count is its rule's TriggeredRules (matches, not deliveries) and the stopped-task graph sums both rules", () => {
    const { stack, alert, metric } = watched();
    const revisionRule = { Ref: stack.getLogicalId(alert.revisionRules[0].node.defaultChild as never) };
    const stat = metric.toMetricConfig().metricStat!;
    expect([stat.namespace, stat.metricName, stat.statistic, stat.period.toSeconds()]).toEqual([
      'AWS/Events',
      'TriggeredRules',
      'Sum',
      60,
    ]);
    expect(stack.resolve(stat.dimensions)).toEqual([{ name: 'RuleName', value: revisionRule }]);
    const sum = alert.metricStoppedTasks({ label: 'stopped' }) as cloudwatch.MathExpression;
    expect(sum.expression).toBe('SUM([FILL(rule0, 0), FILL(rule1, 0)])');
    expect(stack.resolve((sum.usingMetrics.rule1 as cloudwatch.Metric).dimensions)).toEqual({
      RuleName: revisionRule,
    });
  });
});

describe("StoppedTaskAlert: the cluster's rule and EventBridge's quota on a pattern's size", () => {
  /** An environment whose `count` traffic-shifting services each have a released revision watched. */
  function environment(count: number) {
    // A stack name as long as an app's (`<app>-<environment>-app`) and services named as the sample's.
    const { stack, alert, clusterId, ruleId } = build(new TestStack(new App(), 'my-online-shop-production-app'));
    for (let index = 0; index < count; index++) {
      const service = new Construct(stack, `CheckoutService${index}`);
      const taskDefinition = new ecs.FargateTaskDefinition(service, 'TaskDefinition');
      taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1') });
      alert.watchRevision(service, 'NewTasksFailingRule', taskDefinition);
    }
    const synthesize = () => {
      const template = Template.fromStack(stack);
      return { template, pattern: template.toJSON().Resources[ruleId].Properties.EventPattern };
    };
    return { stack, alert, clusterId, synthesize };
  }

  /** The most released revisions the rule can list (none synthesized to find it). */
  function mostThatFit(): number {
    let fit = 0;
    while (environment(fit + 1).alert.excludesWatchedRevisions()) fit++;
    return fit;
  }

  test('GIVEN revisions whose ARNs the template does not fix (imported from another stack) THEN each counts as the longest an ECS ARN can be', () => {
    const watchImported = (count: number) => {
      const { stack, alert } = build(new TestStack(new App(), 'my-online-shop-production-app'));
      for (let index = 0; index < count; index++) {
        const arn = Fn.importValue(`shared-task-definition-${index}`);
        const imported = ecs.TaskDefinition.fromTaskDefinitionArn(stack, `Imported${index}`, arn);
        alert.watchRevision(new Construct(stack, `Service${index}`), 'NewTasksFailingRule', imported);
      }
      return alert.excludesWatchedRevisions();
    };
    // Each may have a family of 255 characters: about 330 characters per ARN, so a handful fit where a dozen of the
    // template's own do.
    let fit = 0;
    while (watchImported(fit + 1)) fit++;
    expect(fit).toBeGreaterThanOrEqual(3);
    expect(fit).toBeLessThanOrEqual(5);
    expect(fit).toBeLessThan(mostThatFit());
  });

  /**
   * The pattern as EventBridge receives it at its longest: each task definition's ARN with the family the template
   * sets and a ten-digit revision, the cluster's with the name CloudFormation makes up (stack name, logical ID and a
   * random part of 13 characters), in the longest partition.
   */
  function deployedLength(stack: TestStack, pattern: unknown, clusterId: string): number {
    const resources = Template.fromStack(stack).toJSON().Resources;
    const prefix = `arn:aws-us-gov:ecs:${stack.region}:${stack.account}`;
    return JSON.stringify(pattern, (_key, value) => {
      if (value?.Ref !== undefined && resources[value.Ref]?.Type === 'AWS::ECS::TaskDefinition') {
        return `${prefix}:task-definition/${resources[value.Ref].Properties.Family}:${'9'.repeat(10)}`;
      }
      if (value?.['Fn::GetAtt']?.[0] === clusterId) {
        return `${prefix}:cluster/${stack.stackName}-${clusterId}-${'x'.repeat(13)}`;
      }
      return value;
    }).length;
  }

  const excluded = (pattern: any): unknown => pattern.detail.$or[0].taskDefinitionArn;

  test('GIVEN as many released revisions as fit WHEN synthesized THEN the rule leaves each one to its own rule, within the quota', () => {
    // GIVEN the largest number of watched revisions whose ARNs the rule can list
    const fit = mostThatFit();
    // (twelve with these names: what the quota means in practice)
    expect(fit).toBeGreaterThanOrEqual(10);
    expect(fit).toBeLessThan(20);
    // WHEN that many are synthesized
    const { stack, clusterId, synthesize } = environment(fit);
    const { template, pattern } = synthesize();
    // THEN the rule lists every one, and its pattern fits EventBridge's quota even at its longest
    expect((excluded(pattern) as [{ 'anything-but': unknown[] }])[0]['anything-but']).toHaveLength(fit);
    expect(deployedLength(stack, pattern, clusterId)).toBeLessThanOrEqual(EVENT_PATTERN_SIZE_QUOTA);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('event pattern'));
    template.resourceCountIs('AWS::Events::Rule', fit + 1);
  });

  test('GIVEN one revision more WHEN synthesized THEN the rule reports every stop, a warning says why, and the graph counts that rule alone', () => {
    const fit = mostThatFit();
    // GIVEN one watched revision more than fits
    const { stack, alert, clusterId, synthesize } = environment(fit + 1);
    const { template, pattern } = synthesize();
    // THEN listing them would have gone over the quota
    const listed = JSON.parse(JSON.stringify(pattern));
    listed.detail.$or[0].taskDefinitionArn = [
      {
        'anything-but': Object.keys(template.findResources('AWS::ECS::TaskDefinition')).map((id) => ({ Ref: id })),
      },
    ];
    expect(deployedLength(stack, listed, clusterId)).toBeGreaterThan(EVENT_PATTERN_SIZE_QUOTA);
    // AND the rule lists none, so it still deploys and still reports the released revisions' stops (twice)
    expect(excluded(pattern)).toBeUndefined();
    expect(deployedLength(stack, pattern, clusterId)).toBeLessThanOrEqual(EVENT_PATTERN_SIZE_QUOTA);
    template.resourceCountIs('AWS::Events::Rule', fit + 2);
    Annotations.fromStack(stack).hasWarning(
      '/my-online-shop-production-app/StoppedTasks',
      Match.stringLikeRegexp(`${fit + 1} released revisions .* over EventBridge's quota of 2048`),
    );
    // AND the stopped-task graph counts the cluster's rule alone, which now sees every stop
    const metric = alert.metricStoppedTasks() as cloudwatch.Metric;
    expect(stack.resolve(metric.dimensions)).toEqual({
      RuleName: { Ref: stack.getLogicalId(alert.rule.node.defaultChild as never) },
    });
  });
});
