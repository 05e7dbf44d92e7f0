import * as fs from 'node:fs';
import { readCloudAssembly } from '../../src/assembly/cloud-assembly';
import { architectureBlocks } from '../../src/diagram/architecture-doc';
import { DataStoreView, readEnvironmentArchitecture } from '../../src/diagram/architecture-model';
import { removeAssemblies, template, writeAssembly } from '../assembly/assembly-fixture';
import { synthDataTierApp } from '../cost/data-tier-app';

/*
 * The data tier in `slipway diagram`: databases and caches placed by their subnet groups, and one edge per source
 * their security groups admit. The sources follow CloudFormation's documented shapes: AWS::EC2::SecurityGroupIngress
 * (GroupId, SourceSecurityGroupId, FromPort/ToPort, which CDK's allowDefaultPortFrom sets to the cluster's
 * Endpoint.Port) and inline SecurityGroupIngress, ECS services' AwsvpcConfiguration.SecurityGroups.
 */

jest.setTimeout(120_000);

afterAll(removeAssemblies);

describe('the data tier synthesized by aws-cdk-lib', () => {
  let dir: string;
  let blocks: Record<string, string>;

  beforeAll(() => {
    dir = synthDataTierApp();
    blocks = architectureBlocks(readCloudAssembly(dir));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the database and the cache are cylinders in the isolated subnets their subnet groups name', () => {
    const isolated = blocks['diagram:dev'].slice(
      blocks['diagram:dev'].indexOf('_Isolated["Isolated subnets · 2 AZs"]'),
    );
    expect(isolated).toMatch(
      /s0_Database\w+\[\("Aurora PostgreSQL 16\.4<br\/>writer · Serverless v2 0–4 ACU, pauses when idle<br\/>credentials in Secrets Manager, rotated every 30 days<br\/>2 AZs"\)\]/,
    );
    expect(isolated).toContain('s0_Cache[("ElastiCache Serverless Valkey 8<br/>serverless<br/>TLS<br/>2 AZs")]');
    expect(blocks['diagram:prod']).toContain(
      '("RDS for PostgreSQL 16<br/>db.t4g.small · Multi-AZ · 100 GB gp3<br/>credentials in Secrets Manager, not rotated<br/>2 AZs")',
    );
    expect(blocks['diagram:prod']).toContain(
      's0_Cache[("ElastiCache Valkey<br/>cache.t4g.small × 2 · Multi-AZ<br/>TLS<br/>2 AZs")]',
    );
  });

  test('edges come only from the services the security groups admit, with the port CDK resolved from the endpoint', () => {
    for (const block of [blocks['diagram:dev'], blocks['diagram:prod']]) {
      expect(block).toMatch(/s0_apiService\w+ -->\|"PostgreSQL :5432"\| s0_Database\w+/);
      expect(block).toMatch(/s0_apiService\w+ -->\|"Valkey :6379"\| s0_Cache/);
      expect(block).not.toMatch(/s0_webService\w+ -->/);
    }
  });

  test('the rotation function that may reach the database is drawn as its own source', () => {
    expect(blocks['diagram:dev']).toContain('source_0["secret rotation (Lambda)"]');
    expect(blocks['diagram:dev']).toMatch(/source_0 -->\|"PostgreSQL :5432"\| s0_Database\w+/);
    expect(blocks['diagram:prod']).not.toContain('source_');
  });

  test('a table lists each data store with who may reach it, by service name', () => {
    expect(blocks['diagram:dev']).toContain('| Data store | Size · credentials | Reached from |');
    expect(blocks['diagram:dev']).toContain(
      '| Aurora PostgreSQL 16.4 | writer · Serverless v2 0–4 ACU, pauses when idle; credentials in Secrets Manager, rotated every 30 days | api (PostgreSQL :5432), secret rotation (Lambda) (PostgreSQL :5432) |',
    );
    expect(blocks['diagram:prod']).toContain(
      '| ElastiCache Valkey | cache.t4g.small × 2 · Multi-AZ; TLS | api (Valkey :6379) |',
    );
  });
});

describe('data-tier edge cases', () => {
  function stores(resources: Record<string, object>): readonly DataStoreView[] {
    const dir = writeAssembly({ stages: { Dev: { App: { template: template(resources) } } } });
    return readEnvironmentArchitecture(readCloudAssembly(dir).sections[0]).dataStores;
  }
  const group = (properties: object = {}) => ({ Type: 'AWS::EC2::SecurityGroup', Properties: properties });
  const service = (securityGroup: string) => ({
    Type: 'AWS::ECS::Service',
    Properties: {
      NetworkConfiguration: {
        AwsvpcConfiguration: { SecurityGroups: [{ 'Fn::GetAtt': [securityGroup, 'GroupId'] }] },
      },
    },
  });
  const ingress = (properties: object) => ({
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: { GroupId: { 'Fn::GetAtt': ['DbSg', 'GroupId'] }, IpProtocol: 'tcp', ...properties },
  });

  test('address ranges, literal security groups, groups nobody carries, all traffic and port ranges; a self rule is skipped', () => {
    const [database] = stores({
      Db: {
        Type: 'AWS::RDS::DBInstance',
        Properties: {
          Engine: 'mysql',
          DBInstanceClass: 'db.t4g.micro',
          VPCSecurityGroups: [{ 'Fn::GetAtt': ['DbSg', 'GroupId'] }],
          ManageMasterUserPassword: true,
        },
      },
      DbSg: group({
        SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, CidrIp: '10.0.0.0/16' }],
      }),
      Orphan: group(),
      Self: ingress({ SourceSecurityGroupId: { 'Fn::GetAtt': ['DbSg', 'GroupId'] }, FromPort: 3306, ToPort: 3306 }),
      Literal: ingress({ SourceSecurityGroupId: 'sg-0123456789abcdef0', FromPort: 3306, ToPort: 3307 }),
      Unused: ingress({ SourceSecurityGroupId: { 'Fn::GetAtt': ['Orphan', 'GroupId'] }, IpProtocol: '-1' }),
    });
    expect(database.title).toBe('RDS for MySQL');
    expect(database.details).toEqual(['db.t4g.micro · Single-AZ', 'credentials managed by RDS in Secrets Manager']);
    expect(database.vpcKey).toBeUndefined(); // no subnet group: drawn outside the VPC
    expect(database.access.map((access) => `${access.source} ${access.port}`).sort()).toEqual([
      '10.0.0.0/16 MySQL :3306',
      'security group Orphan MySQL all traffic',
      'security group sg-0123456789abcdef0 MySQL :3306-3307',
    ]);
  });

  test('a port CDK sets from the endpoint falls back to the engine default when the cluster has no literal Port', () => {
    const [cluster] = stores({
      Cluster: {
        Type: 'AWS::RDS::DBCluster',
        Properties: {
          Engine: 'aurora-postgresql',
          StorageType: 'aurora-iopt1',
          VpcSecurityGroupIds: [{ 'Fn::GetAtt': ['DbSg', 'GroupId'] }],
        },
      },
      Writer: {
        Type: 'AWS::RDS::DBInstance',
        Properties: { DBClusterIdentifier: { Ref: 'Cluster' }, DBInstanceClass: 'db.r6g.large' },
      },
      Reader: {
        Type: 'AWS::RDS::DBInstance',
        Properties: { DBClusterIdentifier: { Ref: 'Cluster' }, DBInstanceClass: 'db.r6g.large' },
      },
      DbSg: group(),
      ApiSg: group(),
      Api: service('ApiSg'),
      Rule: ingress({
        SourceSecurityGroupId: { 'Fn::GetAtt': ['ApiSg', 'GroupId'] },
        FromPort: { 'Fn::GetAtt': ['Cluster', 'Endpoint.Port'] },
        ToPort: { 'Fn::GetAtt': ['Cluster', 'Endpoint.Port'] },
      }),
    });
    expect(cluster.title).toBe('Aurora PostgreSQL');
    expect(cluster.details).toEqual(['writer + 1 reader · db.r6g.large · I/O-Optimized']);
    expect(cluster.access).toEqual([{ serviceKey: 's0_Api', source: 's0_Api', port: 'PostgreSQL :5432' }]);
  });

  test('caches: node clusters, no TLS, AUTH tokens, and a hosted rotation Lambda or a function in the VPC as sources', () => {
    const [cache, nodes] = stores({
      Cache: {
        Type: 'AWS::ElastiCache::CacheCluster',
        Properties: {
          CacheNodeType: 'cache.t3.micro',
          NumCacheNodes: 1,
          VpcSecurityGroupIds: [{ 'Fn::GetAtt': ['CacheSg', 'GroupId'] }],
        },
      },
      Nodes: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: {
          Engine: 'valkey',
          CacheNodeType: 'cache.t4g.micro',
          NumNodeGroups: 2,
          ReplicasPerNodeGroup: 1,
          TransitEncryptionEnabled: true,
          AuthToken: '{{resolve:secretsmanager:token}}',
          SecurityGroupIds: [{ 'Fn::GetAtt': ['CacheSg', 'GroupId'] }],
        },
      },
      CacheSg: group(),
      FnSg: group(),
      RotationSg: group(),
      Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SecurityGroupIds: [{ Ref: 'FnSg' }] } } },
      Rotation: {
        Type: 'AWS::SecretsManager::RotationSchedule',
        Properties: { HostedRotationLambda: { VpcSecurityGroupIds: { 'Fn::GetAtt': ['RotationSg', 'GroupId'] } } },
      },
      FromFn: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          GroupId: { 'Fn::GetAtt': ['CacheSg', 'GroupId'] },
          IpProtocol: 'tcp',
          FromPort: 6379,
          ToPort: 6379,
          SourceSecurityGroupId: { 'Fn::GetAtt': ['FnSg', 'GroupId'] },
        },
      },
      FromRotation: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          GroupId: { 'Fn::GetAtt': ['CacheSg', 'GroupId'] },
          IpProtocol: 'tcp',
          FromPort: 6379,
          ToPort: 6379,
          SourceSecurityGroupId: { 'Fn::GetAtt': ['RotationSg', 'GroupId'] },
        },
      },
    });
    expect(cache.title).toBe('ElastiCache Redis'); // CloudFormation's default engine for a node-based cache
    expect(cache.details).toEqual(['cache.t3.micro × 1', 'no TLS']);
    expect(nodes.details).toEqual(['cache.t4g.micro × 4', 'TLS · AUTH token']);
    expect(nodes.access.map((access) => access.source).sort()).toEqual([
      'Fn (Lambda)',
      'secret rotation (hosted Lambda)',
    ]);
  });

  test('the diagram draws a source once however many stores it reaches, outside the VPC', () => {
    const dir = writeAssembly({
      stages: {
        Dev: {
          App: {
            template: template({
              A: {
                Type: 'AWS::ElastiCache::ServerlessCache',
                Properties: { Engine: 'valkey', SecurityGroupIds: [{ 'Fn::GetAtt': ['Sg', 'GroupId'] }] },
              },
              B: {
                Type: 'AWS::ElastiCache::ServerlessCache',
                Properties: { Engine: 'redis', SecurityGroupIds: [{ 'Fn::GetAtt': ['Sg', 'GroupId'] }] },
              },
              Sg: group({
                SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, CidrIp: '10.1.0.0/16' }],
              }),
            }),
          },
        },
      },
    });
    const diagram = architectureBlocks(readCloudAssembly(dir))['diagram:dev'];
    expect(diagram.match(/source_0\["10\.1\.0\.0\/16"\]/g)).toHaveLength(1);
    expect(diagram).toContain('source_0 -->|"Valkey :6379"| s0_A');
    expect(diagram).toContain('source_0 -->|"Redis :6379"| s0_B');
    expect(diagram).toContain('  s0_A[("ElastiCache Serverless Valkey<br/>serverless<br/>TLS")]');
  });

  test('an environment without a data tier draws no data store and no table', () => {
    const dir = writeAssembly({ stages: { Dev: { App: { template: template({ Sg: group() }) } } } });
    expect(readEnvironmentArchitecture(readCloudAssembly(dir).sections[0]).dataStores).toEqual([]);
    expect(architectureBlocks(readCloudAssembly(dir))['diagram:dev']).not.toContain('Data store');
  });
});
