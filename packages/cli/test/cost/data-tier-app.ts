import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  App,
  Duration,
  Stack,
  Stage,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_elasticache as elasticache,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The two Fargate services of a data-tier fixture: `api` uses the database and the cache, `web` neither. */
function services(stack: Stack, vpc: ec2.IVpc): { api: ecs.FargateService; web: ecs.FargateService } {
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const service = (name: string) => {
    const task = new ecs.FargateTaskDefinition(stack, `${name}Task`, { cpu: 256, memoryLimitMiB: 512 });
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest') });
    return new ecs.FargateService(stack, name, {
      cluster,
      taskDefinition: task,
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    });
  };
  return { api: service('api'), web: service('web') };
}

function network(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

/**
 * Dev's data tier, built with aws-cdk-lib's own constructs: Aurora Serverless v2 PostgreSQL that pauses (minimum
 * 0 ACU) with its credentials rotated by the Serverless Application Repository function, an ElastiCache
 * Serverless Valkey cache, and an app secret rotated by a hosted rotation Lambda.
 */
class DevData extends Stage {
  constructor(scope: Construct, id: string) {
    super(scope, id, { env: { account: '222222222222', region: 'eu-west-1' } });
    const stack = new Stack(this, 'App');
    const vpc = network(stack);
    const { api } = services(stack, vpc);
    const database = new rds.DatabaseCluster(stack, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      serverlessV2MinCapacity: 0,
      serverlessV2MaxCapacity: 4,
      writer: rds.ClusterInstance.serverlessV2('Writer'),
      storageEncrypted: true,
    });
    database.addRotationSingleUser({ automaticallyAfter: Duration.days(30) });
    database.connections.allowDefaultPortFrom(api);

    const cacheSecurityGroup = new ec2.SecurityGroup(stack, 'CacheSecurityGroup', { vpc, allowAllOutbound: false });
    cacheSecurityGroup.connections.allowFrom(api, ec2.Port.tcp(6379), 'the API');
    new elasticache.CfnServerlessCache(stack, 'Cache', {
      engine: 'valkey',
      serverlessCacheName: 'dev-cache',
      majorEngineVersion: '8',
      securityGroupIds: [cacheSecurityGroup.securityGroupId],
      subnetIds: vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
    });

    const appSecret = new secretsmanager.Secret(stack, 'AppSecret');
    appSecret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser(),
      automaticallyAfter: Duration.days(30),
    });
  }
}

/**
 * Prod's data tier: RDS for PostgreSQL db.t4g.small Multi-AZ with 100 GB of gp3, and a Valkey replication group
 * of two cache.t4g.small nodes with in-transit encryption; the API reaches both, the web service neither.
 */
class ProdData extends Stage {
  constructor(scope: Construct, id: string) {
    super(scope, id, { env: { account: '333333333333', region: 'eu-west-1' } });
    const stack = new Stack(this, 'App');
    const vpc = network(stack);
    const { api } = services(stack, vpc);
    const database = new rds.DatabaseInstance(stack, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      multiAz: true,
      allocatedStorage: 100,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
    });
    database.connections.allowDefaultPortFrom(api);

    const cacheSecurityGroup = new ec2.SecurityGroup(stack, 'CacheSecurityGroup', { vpc, allowAllOutbound: false });
    cacheSecurityGroup.connections.allowFrom(api, ec2.Port.tcp(6379), 'the API');
    const subnets = new elasticache.CfnSubnetGroup(stack, 'CacheSubnets', {
      description: 'cache subnets',
      subnetIds: vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
    });
    new elasticache.CfnReplicationGroup(stack, 'Cache', {
      replicationGroupDescription: 'prod cache',
      engine: 'valkey',
      cacheNodeType: 'cache.t4g.small',
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [cacheSecurityGroup.securityGroupId],
    });
  }
}

/** Synthesize the data-tier fixture app (Dev and Prod Stages, eu-west-1) and return its cloud assembly directory. */
export function synthDataTierApp(): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-data-tier-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  new DevData(app, 'Dev');
  new ProdData(app, 'Prod');
  app.synth();
  return outdir;
}
