import * as fs from 'node:fs';
import { synthDataTierApp } from './data-tier-app';
import { readCloudAssembly } from '../../src/assembly/cloud-assembly';
import { withAssumptions } from '../../src/cost/assumptions';
import { estimateCosts, EstimateOptions, SectionEstimate } from '../../src/cost/cost-estimate';
import type { CostLine } from '../../src/cost/stack-pricing-context';
import { removeAssemblies, template, writeAssembly } from '../assembly/assembly-fixture';

/*
 * The data tier's pricers against templates synthesized by aws-cdk-lib's own constructs (rds.DatabaseCluster with
 * ClusterInstance.serverlessV2, rds.DatabaseInstance, elasticache.CfnServerlessCache and CfnReplicationGroup,
 * secretsmanager rotation), and against hand-made templates for the properties CloudFormation documents but the
 * fixture does not set (AWS::RDS::DBCluster StorageType aurora-iopt1, AWS::RDS::DBInstance StorageType/Iops
 * defaults, AWS::ElastiCache::ServerlessCache CacheUsageLimits, ReplicationGroup node-group counts,
 * AWS::SecretsManager::RotationSchedule RotationRules).
 */

jest.setTimeout(120_000);

function line(section: SectionEstimate, resource: string, item: string): CostLine {
  const found = section.lines.find((candidate) => candidate.resource === resource && candidate.item === item);
  if (!found) {
    throw new Error(
      `no line ${resource} / ${item} in ${section.lines.map((l) => `${l.resource}/${l.item}`).join(', ')}`,
    );
  }
  return found;
}

function notPricedReasons(section: SectionEstimate): string[] {
  return section.notPriced.map((entry) => `${entry.resource}: ${entry.reason}`);
}

/** One hand-made stack in a Dev Stage, priced. */
function price(
  resources: Record<string, object>,
  options: EstimateOptions = {},
  region = 'us-east-1',
): SectionEstimate {
  const dir = writeAssembly({
    stages: { Dev: { App: { template: template(resources), environment: `aws://111111111111/${region}` } } },
  });
  return estimateCosts(readCloudAssembly(dir), options).sections[0];
}

const AURORA = (properties: object = {}) => ({
  Type: 'AWS::RDS::DBCluster',
  Properties: {
    Engine: 'aurora-postgresql',
    ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 8 },
    ...properties,
  },
});
const SERVERLESS_WRITER = {
  Type: 'AWS::RDS::DBInstance',
  Properties: {
    DBClusterIdentifier: { Ref: 'Cluster' },
    DBInstanceClass: 'db.serverless',
    Engine: 'aurora-postgresql',
  },
};
const RDS = (properties: object = {}) => ({
  Type: 'AWS::RDS::DBInstance',
  Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', AllocatedStorage: '20', ...properties },
});

afterAll(removeAssemblies);

describe('the data tier synthesized by aws-cdk-lib', () => {
  let dir: string;
  let dev: SectionEstimate;
  let prod: SectionEstimate;

  beforeAll(() => {
    dir = synthDataTierApp();
    [dev, prod] = estimateCosts(readCloudAssembly(dir)).sections;
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('Aurora Serverless v2 with a 0 ACU minimum bills only its awake hours, at the assumed average ACU', () => {
    const writer = line(dev, 'Database/Writer', 'Aurora Serverless v2');
    expect(writer.quantity).toEqual({ min: 60, max: 60 }); // 60 h awake × 1 ACU
    expect(writer.unitPriceUsd).toBe(0.12);
    expect(writer.monthlyUsd).toEqual({ min: 7.2, max: 7.2 });
    expect(writer.detail).toBe('1 ACU on average (0–4) × 60 h awake, paused the rest');
    expect(writer.assumptions).toEqual(['auroraAwakeHoursWhenPausable', 'auroraAverageAcu']);
  });

  test('the Aurora cluster bills storage and I/O at the assumed size (Aurora Standard)', () => {
    expect(line(dev, 'Database', 'Aurora storage').monthlyUsd.min).toBe(1); // 10 GB × $0.10
    expect(line(dev, 'Database', 'Aurora I/O requests').monthlyUsd.min).toBe(1); // 5 million × $0.20
  });

  test('every secret is $0.40 a month in every region, and each rotation schedule prices its Lambda', () => {
    const secrets = line(dev, '2 secrets', 'Secrets Manager secrets');
    expect(secrets.monthlyUsd.min).toBe(0.8);
    const rotation = line(dev, 'Database/Secret/Attachment/RotationSchedule', 'Secret rotation Lambda');
    expect(rotation.quantity.min).toBeCloseTo(365 / 12 / 30, 10); // rate(30 days): one rotation a month, 1 GB-s each
    expect(rotation.priceId).toBe('lambda.x86.gb-second');
    expect(line(dev, 'AppSecret/Rotation', 'Secret rotation Lambda').assumptions).toEqual(['rotationLambdaGbSeconds']);
  });

  test('the Serverless Application Repository rotation function is counted through its schedule, not as unpriced', () => {
    expect(dev.free).toEqual(
      expect.arrayContaining([expect.objectContaining({ resourceType: 'AWS::Serverless::Application', count: 1 })]),
    );
    expect(dev.notPriced).toEqual([]);
  });

  test('ElastiCache Serverless Valkey bills the 100 MB minimum and the assumed ECPU rate', () => {
    const data = line(dev, 'Cache', 'ElastiCache Serverless Valkey data stored');
    expect(data.quantity.min).toBeCloseTo(73, 10); // 0.1 GB × 730 h
    expect(data.monthlyUsd.min).toBe(6.13); // × $0.084
    const ecpus = line(dev, 'Cache', 'ElastiCache Serverless Valkey ECPUs');
    expect(ecpus.quantity.min).toBeCloseTo(13.14, 10); // 5/s × 3,600 × 730 / 1e6
    expect(ecpus.monthlyUsd.min).toBe(0.03);
  });

  test('RDS for PostgreSQL Multi-AZ bills the standby: instance hours and gp3 storage twice', () => {
    const instance = line(prod, 'Database', 'RDS for PostgreSQL db.t4g.small');
    expect(instance.quantity.min).toBe(1460);
    expect(instance.monthlyUsd.min).toBe(46.72);
    const storage = line(prod, 'Database', 'RDS storage gp3');
    expect(storage.quantity.min).toBe(200);
    expect(storage.monthlyUsd.min).toBe(23);
  });

  test('a Valkey replication group bills each node at the Valkey node price (20% below Redis OSS)', () => {
    const nodes = line(prod, 'Cache', 'ElastiCache Valkey cache.t4g.small');
    expect(nodes.detail).toBe('2 nodes, on-demand');
    expect(nodes.unitPriceUsd).toBe(0.0256);
    expect(nodes.monthlyUsd.min).toBe(37.38);
    expect(prod.notPriced).toEqual([]);
  });

  test('the data tier is the same at minimum capacity and at autoscaling maximum', () => {
    for (const section of [dev, prod]) {
      for (const priced of section.lines.filter((candidate) => !/Fargate|Logs|Cloud Map/.test(candidate.item))) {
        expect(priced.monthlyUsd.max).toBe(priced.monthlyUsd.min);
      }
    }
  });
});

describe('Aurora pricing edge cases', () => {
  test('the assumed average ACU is held within the cluster minimum and maximum; --assume prices the ceiling', () => {
    const resources = {
      Cluster: AURORA({ ServerlessV2ScalingConfiguration: { MinCapacity: 2, MaxCapacity: 8 } }),
      Writer: SERVERLESS_WRITER,
    };
    expect(line(price(resources), 'Writer', 'Aurora Serverless v2').quantity.min).toBe(2 * 730);
    const ceiling = price(resources, { assumptions: withAssumptions({ auroraAverageAcu: 64 }) });
    expect(line(ceiling, 'Writer', 'Aurora Serverless v2').quantity.min).toBe(8 * 730);
  });

  test('a non-zero minimum runs all month (no pausing)', () => {
    const section = price({ Cluster: AURORA(), Writer: SERVERLESS_WRITER });
    const writer = line(section, 'Writer', 'Aurora Serverless v2');
    expect(writer.quantity.min).toBe(730);
    expect(writer.assumptions).toEqual(['hoursPerMonth', 'auroraAverageAcu']);
  });

  test('Aurora I/O-Optimized (StorageType aurora-iopt1): higher ACU and storage prices, no I/O line, instances +30%', () => {
    const section = price({
      Cluster: AURORA({ StorageType: 'aurora-iopt1' }),
      Writer: SERVERLESS_WRITER,
      Reader: {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          DBClusterIdentifier: { Ref: 'Cluster' },
          DBInstanceClass: 'db.r6g.large',
          Engine: 'aurora-postgresql',
        },
      },
    });
    expect(line(section, 'Writer', 'Aurora Serverless v2 (I/O-Optimized)').unitPriceUsd).toBe(0.156);
    expect(line(section, 'Cluster', 'Aurora I/O-Optimized storage').monthlyUsd.min).toBe(2.25);
    expect(section.lines.some((candidate) => candidate.item === 'Aurora I/O requests')).toBe(false);
    expect(line(section, 'Reader', 'Aurora PostgreSQL db.r6g.large (I/O-Optimized, +30%)').unitPriceUsd).toBeCloseTo(
      0.26 * 1.3,
      10,
    );
  });

  test('what the table cannot price is listed, never counted as $0', () => {
    const section = price({
      Mysql: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-mysql' } },
      MultiAzCluster: {
        Type: 'AWS::RDS::DBCluster',
        Properties: { Engine: 'postgres', DBClusterInstanceClass: 'db.m6gd.large' },
      },
      V1: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql', EngineMode: 'serverless' } },
      Cluster: AURORA({ ServerlessV2ScalingConfiguration: undefined }),
      Writer: SERVERLESS_WRITER,
      Unknown: {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          DBClusterIdentifier: { Ref: 'Cluster' },
          DBInstanceClass: 'db.x2g.large',
          Engine: 'aurora-postgresql',
        },
      },
      Orphan: {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          DBClusterIdentifier: 'cluster-elsewhere',
          DBInstanceClass: 'db.serverless',
          Engine: 'aurora-postgresql',
        },
      },
    });
    expect(notPricedReasons(section)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Mysql: engine aurora-mysql/),
        expect.stringMatching(/^MultiAzCluster: a Multi-AZ DB cluster/),
        expect.stringMatching(/^V1: Aurora Serverless v1/),
        expect.stringMatching(
          /^Writer: a db.serverless instance whose cluster has no literal ServerlessV2ScalingConfiguration/,
        ),
        expect.stringMatching(
          /^Unknown: Aurora PostgreSQL db.x2g.large is not in the price table; add "aurora.postgresql.db.x2g.large.hour"/,
        ),
        expect.stringMatching(/^Orphan: its DB cluster is not in this stack/),
      ]),
    );
  });

  test('an RDS-managed master password (ManageMasterUserPassword) is a secret outside the template, priced on the cluster', () => {
    const section = price({ Cluster: AURORA({ ManageMasterUserPassword: true }) });
    expect(line(section, 'Cluster', 'Secrets Manager secret managed by RDS').monthlyUsd.min).toBe(0.4);
  });

  test('exported logs are not priced unless the template declares their /aws/rds/ log group', () => {
    const exportsOnly = price({ Cluster: AURORA({ EnableCloudwatchLogsExports: ['postgresql'] }) });
    expect(notPricedReasons(exportsOnly)).toEqual([
      expect.stringMatching(/^Cluster: exports its postgresql log to CloudWatch Logs/),
    ]);
    const declared = price({
      Cluster: AURORA({ EnableCloudwatchLogsExports: ['postgresql'] }),
      Logs: {
        Type: 'AWS::Logs::LogGroup',
        Properties: {
          LogGroupName: { 'Fn::Join': ['', ['/aws/rds/cluster/', { Ref: 'Cluster' }, '/postgresql']] },
          RetentionInDays: 7,
        },
      },
    });
    expect(declared.notPriced).toEqual([]);
    expect(line(declared, 'Logs', 'CloudWatch Logs ingestion').monthlyUsd.min).toBe(0.5);
  });
});

describe('RDS for PostgreSQL edge cases', () => {
  test('Single-AZ: one instance and the storage once', () => {
    const section = price({ Db: RDS({ MultiAZ: false, StorageType: 'gp2' }) });
    expect(line(section, 'Db', 'RDS for PostgreSQL db.t4g.micro').monthlyUsd.min).toBe(11.68); // 730 × $0.016
    expect(line(section, 'Db', 'RDS storage gp2').quantity.min).toBe(20);
  });

  test('without StorageType RDS uses gp3, or io1 when Iops is set (which the table does not price)', () => {
    expect(line(price({ Db: RDS() }), 'Db', 'RDS storage gp3').monthlyUsd.min).toBe(2.3);
    expect(notPricedReasons(price({ Db: RDS({ Iops: 3000 }) }))).toEqual([
      'Db: storage type io1 is not in the price table (gp3 and gp2 are)',
    ]);
  });

  test('gp3 IOPS above the included 3,000 (under 400 GB) are reported as not priced', () => {
    expect(notPricedReasons(price({ Db: RDS({ StorageType: 'gp3', Iops: 3000 }) }))).toEqual([]);
    expect(notPricedReasons(price({ Db: RDS({ StorageType: 'gp3', Iops: 6000 }) }))).toEqual([
      'Db: gp3 IOPS or throughput above the included 3000 IOPS and 125 MiB/s is not priced',
    ]);
    expect(notPricedReasons(price({ Db: RDS({ StorageType: 'gp3', AllocatedStorage: '400', Iops: 12000 }) }))).toEqual(
      [],
    );
  });

  test('an unknown class or engine, or storage that is not literal, is listed as not priced', () => {
    const section = price({
      Big: RDS({ DBInstanceClass: 'db.r7g.16xlarge' }),
      Maria: RDS({ Engine: 'mariadb' }),
      Token: RDS({ AllocatedStorage: { Ref: 'Size' } }),
      NoClass: RDS({ DBInstanceClass: { Ref: 'Class' } }),
    });
    expect(notPricedReasons(section).sort()).toEqual([
      'Big: RDS for PostgreSQL db.r7g.16xlarge is not in the price table; add "rds.postgresql.db.r7g.16xlarge.hour" to prices.ts',
      'Maria: engine mariadb: the price table holds RDS for PostgreSQL and Aurora PostgreSQL',
      'NoClass: its DBInstanceClass is not a literal value',
      'Token: storage: AllocatedStorage is not a literal number',
    ]);
  });

  test('in eu-west-1 the data tier falls back to us-east-1 list prices and says so; secrets never fall back', () => {
    // GIVEN a stack in eu-west-1 with an RDS instance and a secret
    const dir = writeAssembly({
      stacks: {
        Only: {
          template: template({ Db: RDS(), Secret: { Type: 'AWS::SecretsManager::Secret', Properties: {} } }),
          environment: 'aws://111111111111/eu-west-1',
        },
      },
    });
    // WHEN it is priced
    const estimate = estimateCosts(readCloudAssembly(dir));
    // THEN the RDS prices are us-east-1's (no eu-west-1 figure is recorded) and the note counts them
    expect(line(estimate.sections[0], 'Db', 'RDS storage gp3').unitPriceUsd).toBe(0.115);
    expect(estimate.notes.join(' ')).toMatch(/^eu-west-1: the table has no eu-west-1 entry for \d+ prices/);
    const used = (id: string) => estimate.prices.find((candidate) => candidate.id === id);
    expect(used('secretsmanager.secret')?.usd).toBe(0.4);
    expect(used('rds.gp3.gb-month')?.readOn).toBe('2026-12-02');
  });
});

describe('ElastiCache edge cases', () => {
  test('Redis OSS Serverless bills at least 1 GB; a DataStorage minimum and an ECPU minimum raise what is billed', () => {
    const redis = price({ Cache: { Type: 'AWS::ElastiCache::ServerlessCache', Properties: { Engine: 'redis' } } });
    const data = line(redis, 'Cache', 'ElastiCache Serverless Redis OSS data stored');
    expect(data.detail).toBe('1 GB (the 1 GB Redis OSS minimum)');
    expect(data.monthlyUsd.min).toBe(91.25); // 730 × $0.125
    const limited = price({
      Cache: {
        Type: 'AWS::ElastiCache::ServerlessCache',
        Properties: {
          Engine: 'valkey',
          CacheUsageLimits: { DataStorage: { Minimum: 5, Maximum: 10, Unit: 'GB' }, ECPUPerSecond: { Minimum: 1000 } },
        },
      },
    });
    expect(line(limited, 'Cache', 'ElastiCache Serverless Valkey data stored').detail).toBe(
      '5 GB (its DataStorage minimum)',
    );
    expect(line(limited, 'Cache', 'ElastiCache Serverless Valkey ECPUs').quantity.min).toBeCloseTo(2628, 10);
  });

  test('node counts: NumNodeGroups × (ReplicasPerNodeGroup + 1), NodeGroupConfiguration, CacheCluster NumCacheNodes; Redis OSS by default', () => {
    const section = price({
      Sharded: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: { CacheNodeType: 'cache.t4g.micro', NumNodeGroups: 2, ReplicasPerNodeGroup: 1 },
      },
      Configured: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: {
          Engine: 'valkey',
          CacheNodeType: 'cache.t4g.micro',
          NodeGroupConfiguration: [{ ReplicaCount: 2 }, { ReplicaCount: 0 }],
        },
      },
      Single: {
        Type: 'AWS::ElastiCache::CacheCluster',
        Properties: { Engine: 'redis', CacheNodeType: 'cache.t3.micro', NumCacheNodes: 1 },
      },
    });
    expect(line(section, 'Sharded', 'ElastiCache Redis OSS cache.t4g.micro').detail).toBe('4 nodes, on-demand');
    expect(line(section, 'Configured', 'ElastiCache Valkey cache.t4g.micro').quantity.min).toBe(4 * 730);
    expect(line(section, 'Single', 'ElastiCache Redis OSS cache.t3.micro').monthlyUsd.min).toBe(12.41); // 730 × $0.017
  });

  test('memcached, unknown node types and retained snapshots are listed as not priced', () => {
    const section = price({
      Memcached: { Type: 'AWS::ElastiCache::ServerlessCache', Properties: { Engine: 'memcached' } },
      Large: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: { Engine: 'valkey', CacheNodeType: 'cache.r7g.4xlarge', NumCacheClusters: 2 },
      },
      Snapshots: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: {
          Engine: 'valkey',
          CacheNodeType: 'cache.t4g.micro',
          NumCacheClusters: 1,
          SnapshotRetentionLimit: 7,
        },
      },
    });
    expect(notPricedReasons(section).sort()).toEqual([
      'Large: ElastiCache cache.r7g.4xlarge is not in the price table; add "elasticache.valkey.cache.r7g.4xlarge.hour" to prices.ts',
      'Memcached: ElastiCache Serverless for memcached is not in the price table (Valkey and Redis OSS are)',
      'Snapshots: its 7 days of automatic snapshots are billed per GB-month stored, which is not priced',
    ]);
  });
});

describe('secret rotation edge cases', () => {
  const schedule = (rules: object, extra: object = {}) => ({
    Type: 'AWS::SecretsManager::RotationSchedule',
    Properties: { SecretId: { Ref: 'Secret' }, RotationRules: rules, ...extra },
  });

  test('rate(N hours), rate(N days) and AutomaticallyAfterDays give the rotations a month; cron is not priced', () => {
    const section = price({
      Hourly: schedule({ ScheduleExpression: 'rate(12 hours)' }),
      Weekly: schedule({ AutomaticallyAfterDays: 7 }),
      Cron: schedule({ ScheduleExpression: 'cron(0 4 1 * ? *)' }),
    });
    expect(line(section, 'Hourly', 'Secret rotation Lambda').quantity.min).toBeCloseTo((365 / 12) * 2, 10);
    expect(line(section, 'Weekly', 'Secret rotation Lambda').quantity.min).toBeCloseTo(365 / 12 / 7, 10);
    expect(notPricedReasons(section)).toEqual([
      expect.stringMatching(/^Cron: its RotationRules are not a literal rate/),
    ]);
  });

  test('a Lambda function a rotation schedule invokes is free by itself; another Lambda is not priced', () => {
    const section = price({
      Rotator: { Type: 'AWS::Lambda::Function', Properties: {} },
      Other: { Type: 'AWS::Lambda::Function', Properties: {} },
      Rotation: schedule({ AutomaticallyAfterDays: 30 }, { RotationLambdaARN: { 'Fn::GetAtt': ['Rotator', 'Arn'] } }),
      App: { Type: 'AWS::Serverless::Application', Properties: {} },
    });
    expect(section.free).toEqual(
      expect.arrayContaining([expect.objectContaining({ resourceType: 'AWS::Lambda::Function', count: 1 })]),
    );
    expect(notPricedReasons(section).sort()).toEqual([
      'App: a Serverless Application Repository application deploys a nested stack the estimate cannot see',
      expect.stringMatching(/^Other: Lambda is billed per request/),
    ]);
  });
});
