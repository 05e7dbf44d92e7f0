import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopic } from '../../src/alarms';
import { SlipwayCache } from '../../src/data';
import { SlipwayNetwork } from '../../src/network';
import { TestStack } from '../fixtures/stacks';

function setup() {
  const stack = new TestStack();
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
  return { stack, vpc: network.vpc, key, client };
}

describe('SlipwayCache', () => {
  test('GIVEN no nodes WHEN synthesized THEN it is ElastiCache Serverless for Valkey, encrypted with the key, in the private subnets, behind the user group', () => {
    const { stack, vpc, key } = setup();
    new SlipwayCache(stack, 'Cache', { vpc, encryptionKey: key });
    const template = Template.fromStack(stack);
    // AWS::ElastiCache::ServerlessCache always encrypts in transit; KmsKeyId sets the at-rest key.
    template.hasResourceProperties('AWS::ElastiCache::ServerlessCache', {
      Engine: 'valkey',
      MajorEngineVersion: '8',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      SubnetIds: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
      UserGroupId: { Ref: Match.stringLikeRegexp('^CacheUsers') },
    });
    template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
  });

  test('GIVEN any form WHEN synthesized THEN the default user is off and the app user authenticates with the generated secret', () => {
    const { stack, vpc, key } = setup();
    new SlipwayCache(stack, 'Cache', { vpc, encryptionKey: key });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElastiCache::User', {
      UserName: 'default',
      AccessString: 'off -@all',
    });
    template.hasResourceProperties('AWS::ElastiCache::User', {
      UserName: 'app',
      AccessString: Match.stringLikeRegexp('^on '),
      AuthenticationMode: {
        Type: 'password',
        Passwords: [
          Match.objectLike({
            'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^\\{\\{resolve:secretsmanager:')])],
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"username":"app"}',
        GenerateStringKey: 'password',
      }),
    });
  });

  test.each([
    ['serverless', undefined],
    ['nodes', { nodeType: 'cache.t4g.micro', replicas: 1 }],
  ])(
    'GIVEN %s WHEN synthesized THEN its user group is one ElastiCache creates: no user without a password in a valkey group',
    (_form, nodes) => {
      const { stack, vpc, key } = setup();
      new SlipwayCache(stack, 'Cache', { vpc, encryptionKey: key, nodes });
      const template = Template.fromStack(stack);
      // ElastiCache's RBAC rules: a user group of the VALKEY engine can only contain users that authenticate
      // (password or IAM), and every user of the VALKEY engine does; a Valkey cache takes groups of either engine.
      const users = Object.values(template.findResources('AWS::ElastiCache::User')).map(
        (user) =>
          user.Properties as { UserId: string; UserName: string; Engine: string; AuthenticationMode: { Type: string } },
      );
      const authenticates = (user: (typeof users)[number]) =>
        ['password', 'iam'].includes(user.AuthenticationMode.Type);
      for (const user of users.filter((candidate) => candidate.Engine === 'valkey')) {
        expect({ user: user.UserName, authenticates: authenticates(user) }).toEqual({
          user: user.UserName,
          authenticates: true,
        });
      }
      const groups = Object.values(template.findResources('AWS::ElastiCache::UserGroup'));
      expect(groups).toHaveLength(1);
      const members = (groups[0].Properties.UserIds as string[]).map((id) => users.find((user) => user.UserId === id)!);
      expect(members.map((user) => user.UserName).sort()).toEqual(['app', 'default']);
      if (groups[0].Properties.Engine === 'valkey') {
        expect(members.filter((user) => !authenticates(user)).map((user) => user.UserName)).toEqual([]);
      }
      // The default user stays off and without a password, so the group is of the redis engine.
      expect(members.find((user) => user.UserName === 'default')!.AuthenticationMode.Type).toBe('no-password-required');
      expect(groups[0].Properties.Engine).toBe('redis');
    },
  );

  test('GIVEN nodes with a replica WHEN synthesized THEN a Valkey replication group with TLS required, at-rest encryption and Multi-AZ failover', () => {
    const { stack, vpc, key } = setup();
    new SlipwayCache(stack, 'Cache', { vpc, encryptionKey: key, nodes: { nodeType: 'cache.t4g.micro', replicas: 1 } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      CacheNodeType: 'cache.t4g.micro',
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      UserGroupIds: [{ Ref: Match.stringLikeRegexp('^CacheUsers') }],
    });
    template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 0);
  });

  test('GIVEN a client allowed WHEN synthesized THEN the security group admits only it, on 6379', () => {
    const { stack, vpc, key, client } = setup();
    const cache = new SlipwayCache(stack, 'Cache', { vpc, encryptionKey: key });
    cache.connections.allowDefaultPortFrom(client, 'client');
    const template = Template.fromStack(stack);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((rule) =>
      JSON.stringify(rule.Properties.GroupId).includes('CacheSecurityGroup'),
    );
    expect(
      ingress.map((rule) => [rule.Properties.FromPort, JSON.stringify(rule.Properties.SourceSecurityGroupId)]),
    ).toEqual([[6379, expect.stringContaining('Client')]]);
  });

  test('GIVEN 6 replicas WHEN constructed THEN it is refused with the fix', () => {
    const { stack, vpc, key } = setup();
    expect(
      () =>
        new SlipwayCache(stack, 'Cache', {
          vpc,
          encryptionKey: key,
          nodes: { nodeType: 'cache.t4g.micro', replicas: 6 },
        }),
    ).toThrow(
      'Test/Cache: nodes.replicas must be a whole number from 0 to 5; got 6. Use 0 for a single node, 1 or 2 for automatic failover.',
    );
  });

  test('GIVEN a serverless cache WHEN synthesized THEN throttled commands in each of 5 consecutive minutes alarm to the topic, on the dimension clusterId (the cache name), missing data not breaching', () => {
    const { stack, vpc, key } = setup();
    const topic = new AlarmTopic(stack, 'Alarms', { encryptionKey: key });
    const cache = new SlipwayCache(stack, 'Cache', { vpc, encryptionKey: key, alarmActions: topic.alarmActions });
    const topicRef = { Ref: stack.getLogicalId(topic.topic.node.defaultChild as sns.CfnTopic) };
    // Ref of AWS::ElastiCache::ServerlessCache is its name, the value of clusterId in AWS/ElastiCache.
    const cacheRef = { Ref: stack.getLogicalId(cache.serverlessCache!) };
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ElastiCache',
      MetricName: 'ThrottledCmds',
      Dimensions: [{ Name: 'clusterId', Value: cacheRef }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    expect(cache.alarms).toHaveLength(1);
    expect(stack.resolve(cache.metric('BytesUsedForCache').toMetricConfig().metricStat!.dimensions)).toEqual([
      { name: 'clusterId', value: cacheRef },
    ]);
  });

  test('GIVEN a node-based cache WHEN synthesized THEN it has no alarm and no serverless metric', () => {
    const { stack, vpc, key } = setup();
    const cache = new SlipwayCache(stack, 'Cache', {
      vpc,
      encryptionKey: key,
      nodes: { nodeType: 'cache.t4g.micro', replicas: 1 },
    });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(cache.alarms).toEqual([]);
    expect(() => cache.metric('ThrottledCmds')).toThrow(/covers a serverless cache/);
  });
});
