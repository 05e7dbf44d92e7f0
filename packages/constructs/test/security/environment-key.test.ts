import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EnvironmentKey } from '../../src/security';
import { TestStack } from '../fixtures/stacks';

describe('EnvironmentKey', () => {
  test('GIVEN defaults THEN a rotating, retained key lets CloudWatch Logs of this account and region and CloudWatch alarms use it', () => {
    const stack = new TestStack();
    new EnvironmentKey(stack, 'Key', { alias: 'slipway-dev' });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/slipway-dev' });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchLogsForThisAccountAndRegion',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:*']],
                },
              },
            },
          }),
          Match.objectLike({
            Sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111111111111' } }),
          }),
        ]),
      },
    });
  });

  test('GIVEN a destroy policy THEN the key is scheduled for deletion with the stack', () => {
    const stack = new TestStack();
    new EnvironmentKey(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});
