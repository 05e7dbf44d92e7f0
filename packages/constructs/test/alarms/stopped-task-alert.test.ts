import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopic, EnvironmentKey, SlipwayCluster, SlipwayNetwork, StoppedTaskAlert } from '../../src';
import { TestStack } from '../fixtures/stacks';

function setup() {
  const stack = new TestStack();
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const cluster = new SlipwayCluster(stack, 'Cluster', { vpc: network.vpc, containerInsights: false }).cluster;
  const key = new EnvironmentKey(stack, 'Key').key;
  const topic = new AlarmTopic(stack, 'Alarms', { encryptionKey: key });
  const alert = new StoppedTaskAlert(stack, 'StoppedTasks', {
    cluster,
    topic: topic.topic,
    alarmActions: topic.alarmActions,
  });
  const template = Template.fromStack(stack);
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template, alert, topicRef: { Ref: id(topic.topic) }, clusterId: id(cluster), ruleId: id(alert.rule) };
}

/**
 * EventBridge's matching for the operators the rule uses ("Content filtering in Amazon EventBridge event patterns"):
 * every key of the pattern must match; an array matches when any of its values (an exact value or `{ prefix }`) does;
 * `$or` matches when any of its patterns does.
 */
function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as Record<string, unknown>[]).some((branch) => matches(branch, event));
    const actual = event[key];
    if (Array.isArray(expected)) {
      return expected.some((value) =>
        typeof value === 'object' && value !== null && 'prefix' in value
          ? typeof actual === 'string' && actual.startsWith((value as { prefix: string }).prefix)
          : value === actual,
      );
    }
    return (
      typeof actual === 'object' && actual !== null && matches(expected as Record<string, unknown>, actual as never)
    );
  });
}

const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111111111111:cluster/slipway-dev';

/** A stopped-task event shaped as "Amazon ECS task state change events" documents it. */
function stoppedTask(detail: { group: string; stopCode: string; stoppedReason: string; clusterArn?: string }) {
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
