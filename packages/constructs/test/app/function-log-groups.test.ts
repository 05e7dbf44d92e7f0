import { App, AspectPriority, Aspects, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { FunctionLogGroups } from '../../src/app';

/** For each Lambda function of the template, its log group's properties (undefined: Lambda's default group). */
function functionLogGroups(template: Template): Record<string, Record<string, unknown> | undefined> {
  const groups = template.findResources('AWS::Logs::LogGroup');
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, fn]) => {
      const ref = fn.Properties.LoggingConfig?.LogGroup?.Ref as string | undefined;
      return [
        id,
        ref === undefined
          ? undefined
          : { id: ref, DeletionPolicy: groups[ref].DeletionPolicy, ...groups[ref].Properties },
      ];
    }),
  );
}

describe('FunctionLogGroups', () => {
  let template: Template;
  let other: Template;
  let ownGroup: logs.LogGroup;
  let stack: Stack;

  beforeAll(() => {
    // GIVEN a stack with CDK's three provider functions (restricting the default security group, log retention,
    // AwsCustomResource) and a function that names its own log group; and a second stack with a function
    const app = new App();
    stack = new Stack(app, 'Env');
    const key = new kms.Key(stack, 'Key');
    new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, restrictDefaultSecurityGroup: true });
    new logs.LogRetention(stack, 'Retention', { logGroupName: '/aws/rds/cluster/x/postgresql', retention: 7 });
    new cr.AwsCustomResource(stack, 'Call', {
      onCreate: { service: 'STS', action: 'getCallerIdentity', physicalResourceId: cr.PhysicalResourceId.of('x') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    ownGroup = new logs.LogGroup(stack, 'OwnLogs', { retention: logs.RetentionDays.ONE_YEAR });
    new lambda.Function(stack, 'Own', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
      logGroup: ownGroup,
    });
    const elsewhere = new Stack(app, 'Elsewhere');
    new ec2.Vpc(elsewhere, 'Vpc', { maxAzs: 1, natGateways: 0, restrictDefaultSecurityGroup: true });
    // WHEN the aspect is added to both stacks with the first stack's key
    const aspect = new FunctionLogGroups({
      retention: logs.RetentionDays.ONE_WEEK,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Aspects.of(app).add(aspect, { priority: AspectPriority.MUTATING });
    template = Template.fromStack(stack);
    other = Template.fromStack(elsewhere);
  });

  test('THEN each of CDK’s provider functions logs to a group of the stack, kept as set and encrypted with the key', () => {
    const groups = functionLogGroups(template);
    const own = stack.getLogicalId(ownGroup.node.defaultChild as logs.CfnLogGroup);
    const providers = Object.entries(groups).filter(([, group]) => group?.id !== own);
    expect(providers).toHaveLength(3);
    for (const [, group] of providers) {
      expect(group).toMatchObject({
        RetentionInDays: 7,
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
        DeletionPolicy: 'Delete',
      });
    }
    expect(new Set(providers.map(([, group]) => group!.id)).size).toBe(3);
  });

  test('THEN a function that names its own log group keeps it, and no group is added for it', () => {
    const own = stack.getLogicalId(ownGroup.node.defaultChild as logs.CfnLogGroup);
    expect(Object.values(functionLogGroups(template)).filter((group) => group?.id === own)).toHaveLength(1);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toHaveLength(4);
  });

  test('THEN a function in another stack than the key’s is left to Lambda’s default group', () => {
    expect(Object.values(functionLogGroups(other))).toEqual([undefined]);
    other.resourceCountIs('AWS::Logs::LogGroup', 0);
  });
});
