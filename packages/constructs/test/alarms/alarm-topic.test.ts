import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopic } from '../../src/alarms';
import { TestStack } from '../fixtures/stacks';

describe('AlarmTopic', () => {
  test('GIVEN an email and an extra topic WHEN an alarm is routed THEN it notifies both on ALARM and OK, over an encrypted SSL-only topic CloudWatch may publish to', () => {
    const stack = new TestStack();
    const topic = new AlarmTopic(stack, 'Alarms', {
      email: 'oncall@acme.io',
      additionalTopic: sns.Topic.fromTopicArn(stack, 'Chat', 'arn:aws:sns:eu-west-1:111111111111:chat'),
    });
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    topic.notify(alarm);
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'CloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111111111111' } }),
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@acme.io' });
    const actions = [
      { Ref: stack.getLogicalId(topic.topic.node.defaultChild as never) },
      'arn:aws:sns:eu-west-1:111111111111:chat',
    ];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: actions, OKActions: actions });
  });

  test('GIVEN nothing THEN the topic has no subscription', () => {
    const stack = new TestStack();
    new AlarmTopic(stack, 'Alarms');
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
