import { CloudFormationClient, GetTemplateCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DBClusterNotFoundFault,
  DBClusterSnapshotNotFoundFault,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { DatabaseConfig } from '@slipway/constructs';
import { mockClient } from 'aws-sdk-client-mock';
import { devLike } from '../../../constructs/test/fixtures/environments';
import { DoctorTarget } from '../../src/doctor/doctor-target';
import { checkDatabaseRestore } from '../../src/doctor/restore-checks';

const rdsMock = mockClient(RDSClient);
const cloudFormationMock = mockClient(CloudFormationClient);
beforeEach(() => {
  rdsMock.reset();
  cloudFormationMock.reset();
  // Before the first deploy of the restore: the stack exists, without the restored database.
  cloudFormationMock.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      {
        LogicalResourceId: 'DatabaseCluster5B53A178',
        PhysicalResourceId: 'shop-dev-databasecluster5b53a178-abc',
        ResourceType: 'AWS::RDS::DBCluster',
        ResourceStatus: 'UPDATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    ],
  });
  givenDeployedDatabase('Snapshot');
});

/** The deployed app stack's template: its cluster with `policy`, and a member instance (whose policy is Delete). */
function givenDeployedDatabase(policy: string | undefined) {
  cloudFormationMock.on(GetTemplateCommand, { StackName: 'shop-dev' }).resolves({
    TemplateBody: JSON.stringify({
      Resources: {
        DatabaseCluster5B53A178: { Type: 'AWS::RDS::DBCluster', DeletionPolicy: policy, Properties: {} },
        DatabaseClusterWriter2A3B4C5D: {
          Type: 'AWS::RDS::DBInstance',
          DeletionPolicy: 'Delete',
          Properties: { DBClusterIdentifier: { Ref: 'DatabaseCluster5B53A178' } },
        },
      },
    }),
  });
}

const ACCOUNT = '493817265012';
const NOW = new Date('2026-06-12T12:00:00Z');
const aurora: DatabaseConfig = { engine: 'aurora-serverless', minCapacity: 0, maxCapacity: 2 };
const instance: DatabaseConfig = {
  engine: 'rds-instance',
  instanceClass: 't4g.micro',
  multiAz: false,
  allocatedStorageGiB: 20,
};

function target(database: DatabaseConfig | undefined): DoctorTarget {
  return {
    config: { ...devLike, account: ACCOUNT, database },
    configFile: 'environments/dev.ts',
    stackNames: ['shop-dev'],
    appStackName: 'shop-dev',
    bootstrapQualifier: 'hnb659fds',
  };
}

const clients = () => ({
  rds: new RDSClient({ region: 'eu-west-1' }),
  cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
});

function run(database: DatabaseConfig | undefined) {
  return checkDatabaseRestore(target(database), clients(), NOW);
}

describe('checkDatabaseRestore', () => {
  test('GIVEN no restore in the settings THEN it is skipped and calls nothing', async () => {
    expect(await run(aurora)).toEqual({
      id: 'database-restore',
      title: 'Database restore source',
      status: 'skip',
      detail: 'no database.restore in environments/dev.ts',
    });
    expect(rdsMock.calls()).toHaveLength(0);
  });

  test('GIVEN an available Aurora cluster snapshot of user app THEN it passes', async () => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand, { DBClusterSnapshotIdentifier: 'before-migration' }).resolves({
      DBClusterSnapshots: [
        {
          DBClusterSnapshotIdentifier: 'before-migration',
          DBClusterIdentifier: 'shop-prod-cluster',
          Status: 'available',
          Engine: 'aurora-postgresql',
          MasterUsername: 'app',
          SnapshotCreateTime: new Date('2026-06-11T08:00:00Z'),
        },
      ],
    });
    const check = await run({ ...aurora, restore: { name: 'r1', snapshot: 'before-migration' } });
    expect(check.status).toBe('pass');
    expect(check.detail).toBe(
      'cluster snapshot before-migration of shop-prod-cluster (2026-06-11T08:00:00.000Z) is available',
    );
  });

  test.each([['Delete'], [undefined]])(
    'GIVEN the deployed database has DeletionPolicy %s (a Slipway before this one) THEN the restore waits for a deploy that snapshots it',
    async (policy) => {
      givenDeployedDatabase(policy);
      const check = await run({ ...aurora, restore: { name: 'r1', snapshot: 'before-migration' } });
      expect(check).toMatchObject({
        status: 'fail',
        detail: `the deployed shop-dev has database DatabaseCluster5B53A178 with DeletionPolicy Delete: the restore would delete it without a final snapshot (CloudFormation applies the policy the database was last deployed with)`,
        fix: 'Deploy dev once without database.restore (Slipway gives every database DeletionPolicy Snapshot), then add the restore back and deploy.',
      });
      expect(rdsMock.calls()).toHaveLength(0);
    },
  );

  test.each([
    ['16.9', 'fail'],
    ['17.2', 'fail'],
    ['16.8', 'pass'],
    ['16.6', 'pass'],
    ['15.10', 'pass'],
  ])(
    'GIVEN a cluster snapshot of Aurora PostgreSQL %s THEN the check is a %s (Slipway creates 16.8)',
    async (version, status) => {
      rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
        DBClusterSnapshots: [
          { Status: 'available', Engine: 'aurora-postgresql', EngineVersion: version, MasterUsername: 'app' },
        ],
      });
      const check = await run({ ...aurora, restore: { name: 'r1', snapshot: 'snap' } });
      expect(check.status).toBe(status);
      if (status === 'fail') {
        expect(check.detail).toBe(
          `its engine version is ${version}, newer than the 16.8 Slipway creates the database with: RDS restores only to the same or a newer version`,
        );
      }
    },
  );

  test('GIVEN a snapshot that does not exist THEN it fails before the deploy would, saying how to list them', async () => {
    rdsMock
      .on(DescribeDBClusterSnapshotsCommand)
      .rejects(new DBClusterSnapshotNotFoundFault({ message: 'not found', $metadata: {} }));
    const check = await run({ ...aurora, restore: { name: 'r1', snapshot: 'typo' } });
    expect(check).toMatchObject({
      status: 'fail',
      detail: `no cluster snapshot typo in account ${ACCOUNT}, eu-west-1: the deploy would fail creating the restored database`,
    });
    expect(check.fix).toContain('aws rds describe-db-cluster-snapshots --snapshot-type manual --region eu-west-1');
  });

  test.each([
    [{ Status: 'creating' }, 'the snapshot is creating, not available'],
    [{ Engine: 'postgres' }, 'its engine is postgres'],
    [{ MasterUsername: 'postgres' }, 'its master user is postgres: a restored database keeps it'],
  ])('GIVEN a cluster snapshot with %j THEN it fails: %s', async (override, message) => {
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [{ Status: 'available', Engine: 'aurora-postgresql', MasterUsername: 'app', ...override }],
    });
    const check = await run({ ...aurora, restore: { name: 'r1', snapshot: 'snap' } });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(message);
  });

  test('GIVEN a point in time within what the source cluster can restore THEN it passes; outside it, it fails', async () => {
    rdsMock.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'shop-dev-cluster' }).resolves({
      DBClusters: [
        {
          Engine: 'aurora-postgresql',
          MasterUsername: 'app',
          EarliestRestorableTime: new Date('2026-06-11T12:00:00Z'),
          LatestRestorableTime: new Date('2026-06-12T11:55:00Z'),
        },
      ],
    });
    const inside = await run({
      ...aurora,
      restore: { name: 'r1', sourceDatabase: 'shop-dev-cluster', time: '2026-06-12T09:30:00Z' },
    });
    expect(inside).toMatchObject({
      status: 'pass',
      detail: 'cluster shop-dev-cluster can be restored to 2026-06-12T09:30:00Z',
    });
    const before = await run({
      ...aurora,
      restore: { name: 'r1', sourceDatabase: 'shop-dev-cluster', time: '2026-06-10T09:30:00Z' },
    });
    expect(before).toMatchObject({
      status: 'fail',
      detail:
        '2026-06-10T09:30:00Z is earlier than what it can restore (2026-06-11T12:00:00.000Z to 2026-06-12T11:55:00.000Z)',
    });
    const latest = await run({
      ...aurora,
      restore: { name: 'r1', sourceDatabase: 'shop-dev-cluster', time: 'latest' },
    });
    expect(latest.status).toBe('pass');
  });

  test('GIVEN the restore already deployed THEN it passes without reading the source, which the restore may have removed', async () => {
    cloudFormationMock.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'DatabaseClusterR20260612A1B2C3D4',
          PhysicalResourceId: 'shop-dev-databaseclusterr20260612-xyz',
          ResourceType: 'AWS::RDS::DBCluster',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    rdsMock.on(DescribeDBClustersCommand).rejects(new DBClusterNotFoundFault({ message: 'gone', $metadata: {} }));
    const check = await run({
      ...aurora,
      restore: { name: 'r20260612', sourceDatabase: 'shop-dev-cluster', time: 'latest' },
    });
    expect(check).toMatchObject({
      status: 'pass',
      detail:
        'restore r20260612 is done: shop-dev-databaseclusterr20260612-xyz is in shop-dev. Its source is no longer read; keep database.restore as it is',
    });
    expect(rdsMock.calls()).toHaveLength(0);
  });

  test('GIVEN a restore name that only prefixes the deployed one THEN it is not taken as done', async () => {
    cloudFormationMock.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'DatabaseClusterR12A1B2C3D4',
          ResourceType: 'AWS::RDS::DBCluster',
          ResourceStatus: 'CREATE_COMPLETE',
          LastUpdatedTimestamp: new Date(),
        },
      ],
    });
    rdsMock.on(DescribeDBClustersCommand).rejects(new DBClusterNotFoundFault({ message: 'gone', $metadata: {} }));
    const check = await run({ ...aurora, restore: { name: 'r1', sourceDatabase: 'old', time: 'latest' } });
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(`no cluster old in account ${ACCOUNT}, eu-west-1 to restore from`);
  });

  test('GIVEN an unencrypted DB snapshot for an RDS instance THEN it fails: the restored instance would be unencrypted', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        {
          DBSnapshotIdentifier: 'plain',
          Status: 'available',
          Engine: 'postgres',
          MasterUsername: 'app',
          Encrypted: false,
        },
      ],
    });
    const check = await run({ ...instance, restore: { name: 'r1', snapshot: 'plain' } });
    expect(check.status).toBe('fail');
    expect(check.fix).toContain('aws rds copy-db-snapshot --source-db-snapshot-identifier plain');
  });

  test('GIVEN an unencrypted source instance THEN a point-in-time copy is refused: it would be unencrypted too', async () => {
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          Engine: 'postgres',
          EngineVersion: '16.4',
          MasterUsername: 'app',
          StorageEncrypted: false,
          BackupRetentionPeriod: 7,
          LatestRestorableTime: new Date('2026-06-12T11:55:00Z'),
        },
      ],
    });
    const check = await run({ ...instance, restore: { name: 'r1', sourceDatabase: 'shop-prod', time: 'latest' } });
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      'instance shop-prod is not encrypted, and a point-in-time copy of it would not be either (RestoreDBInstanceToPointInTime takes no key)',
    );
  });

  test('GIVEN an instance snapshot of PostgreSQL 17 THEN it fails: Slipway creates 16', async () => {
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        { Status: 'available', Engine: 'postgres', EngineVersion: '17.2', MasterUsername: 'app', Encrypted: true },
      ],
    });
    const check = await run({ ...instance, restore: { name: 'r1', snapshot: 'snap' } });
    expect(check.detail).toMatch(/^its engine version is 17\.2, newer than the 16 Slipway creates/);
  });

  test("GIVEN an instance's point in time beyond its backup retention THEN it fails", async () => {
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          Engine: 'postgres',
          MasterUsername: 'app',
          StorageEncrypted: true,
          BackupRetentionPeriod: 7,
          LatestRestorableTime: new Date('2026-06-12T11:55:00Z'),
        },
      ],
    });
    const check = await run({
      ...instance,
      restore: { name: 'r1', sourceDatabase: 'shop-prod', time: '2026-06-01T00:00:00Z' },
    });
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(
      /^2026-06-01T00:00:00Z is earlier than what it can restore \(2026-06-05T12:00:00.000Z/,
    );
  });

  test('GIVEN access is denied THEN it names the calls the check needs', async () => {
    rdsMock
      .on(DescribeDBClusterSnapshotsCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDenied', $metadata: {} }));
    const check = await run({ ...aurora, restore: { name: 'r1', snapshot: 'snap' } });
    expect(check.detail).toMatch(
      /rds:DescribeDBClusterSnapshots, cloudformation:ListStackResources and cloudformation:GetTemplate/,
    );
  });
});
