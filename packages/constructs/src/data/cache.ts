import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { sustainedAlarm } from '../alarms/sustained-alarm';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings } from '../nag/acknowledge';

/** A Valkey replication group: a primary and `replicas` replicas on nodes of one type. */
export interface CacheNodes {
  /** Node type, e.g. `cache.t4g.micro`. */
  readonly nodeType: string;
  /** Replicas beside the primary, 0–5; with one or more, failover is automatic and Multi-AZ. */
  readonly replicas: number;
}

/** Props of `SlipwayCache`. */
export interface SlipwayCacheProps {
  /** The VPC; the cache sits in its private subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * A node-based replication group.
   * @default - ElastiCache Serverless (Valkey)
   */
  readonly nodes?: CacheNodes;
  /** Encrypts the data at rest and the auth secret. */
  readonly encryptionKey: kms.IKey;
  /**
   * What the cache's alarms do on ALARM and OK (`AlarmTopic.alarmActions`).
   * @default - alarms without actions
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

const PORT = 6379;
const USERNAME = 'app';
/** The engine of the cache's users and user group: `redis`, the one whose groups may hold a user without a password. */
const USER_ENGINE = 'redis';

/**
 * Why the cache's secret has no rotation schedule. Secrets Manager's template for ElastiCache users is a Lambda
 * function from the Serverless Application Repository, which every environment would deploy and reach ElastiCache's
 * and Secrets Manager's APIs from, for a password that guards counters only. Changing it by hand is safe: a task
 * still holding the old password fails its health check when Valkey refuses it (`WRONGPASS`) and is replaced. A new
 * value in the secret alone changes nothing in Valkey: CloudFormation resolves the user's dynamic reference only when
 * the template changes it, so the procedure sets the user's passwords itself (docs/data.md).
 */
const NOT_ROTATED =
  'Not rotated on a schedule: the cache holds only rate-limit counters that expire within a minute, and admits only the services that use it, over TLS. Rotating it by hand: the Valkey user takes the old and the new password (ElastiCache ModifyUser), the secret takes the new one, then the user drops the old one; a task still holding it fails its health check once Valkey refuses it and is replaced (docs/data.md).';

/**
 * A Redis-compatible cache (Valkey) for an environment: ElastiCache Serverless, or a replication group of nodes, in
 * the private subnets, with TLS in transit, encryption at rest with the given key, and role-based access: the
 * `default` user is switched off and the application's user `app` authenticates with a password generated in
 * Secrets Manager (`secret`, JSON fields `username` and `password`). Its security group admits nobody until a client
 * is allowed: `cache.connections.allowDefaultPortFrom(service)`.
 */
export class SlipwayCache extends Construct implements ec2.IConnectable {
  /** The security group of the cache, on its port. */
  public readonly connections: ec2.Connections;
  /** The application user's credentials (`username`, `password`). */
  public readonly secret: secretsmanager.ISecret;
  /** Primary endpoint's host name. */
  public readonly hostname: string;
  /** Port (TLS). */
  public readonly port: string;
  /** The application's user name. */
  public readonly username: string;
  /** The serverless cache (without `nodes`). */
  public readonly serverlessCache?: elasticache.CfnServerlessCache;
  /** The replication group (with `nodes`). */
  public readonly replicationGroup?: elasticache.CfnReplicationGroup;
  /**
   * The cache's alarms. Serverless: commands throttled in each of 5 consecutive minutes (the workload grows faster
   * than ElastiCache scales). A node-based cache has none yet.
   */
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: SlipwayCacheProps) {
    super(scope, id);
    if (
      props.nodes &&
      (!Number.isInteger(props.nodes.replicas) || props.nodes.replicas < 0 || props.nodes.replicas > 5)
    ) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'nodes.replicas',
        value: props.nodes.replicas,
        problem: 'must be a whole number from 0 to 5',
        fix: 'Use 0 for a single node, 1 or 2 for automatic failover.',
      });
    }
    this.username = USERNAME;
    const subnets = props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Valkey: admits only the services that use it',
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(PORT) });

    // ElastiCache passwords: 16–128 printable characters; none that would need escaping in a URL.
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description: `Valkey user ${USERNAME} of ${this.node.path}`,
      encryptionKey: props.encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: USERNAME }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.secret = secret;
    acknowledgeFindings(
      secret,
      {
        id: 'AwsSolutions-SMG4',
        reason: NOT_ROTATED,
      },
      {
        id: 'NIST.800.53.R5-SecretsManagerRotationEnabled',
        reason: NOT_ROTATED,
      },
    );

    // Role-based access: `default` must exist in every user group; here it is off (`off -@all`) and needs no
    // password. The users and their group are of the `redis` engine, which a Valkey cache accepts as well: ElastiCache
    // allows only users that authenticate (password or IAM) in a group of the `valkey` engine, so a `valkey` group
    // with this default user fails to create ("Role-Based Access Control (RBAC)" in the ElastiCache user guide).
    const name = (suffix: string) =>
      `${Names.uniqueResourceName(this, { maxLength: 30 })
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')}-${suffix}`;
    const defaultUser = new elasticache.CfnUser(this, 'DefaultUser', {
      engine: USER_ENGINE,
      userId: name('default'),
      userName: 'default',
      accessString: 'off -@all',
      authenticationMode: { Type: 'no-password-required' },
    });
    const appUser = new elasticache.CfnUser(this, 'AppUser', {
      engine: USER_ENGINE,
      userId: name(USERNAME),
      userName: USERNAME,
      accessString: 'on ~* +@all -@dangerous',
      authenticationMode: { Type: 'password', Passwords: [secret.secretValueFromJson('password').unsafeUnwrap()] },
    });
    const userGroup = new elasticache.CfnUserGroup(this, 'Users', {
      engine: USER_ENGINE,
      userGroupId: name('users'),
      userIds: [defaultUser.userId, appUser.userId],
    });
    userGroup.node.addDependency(defaultUser);
    userGroup.node.addDependency(appUser);

    if (props.nodes) {
      const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
        description: `Private subnets of ${this.node.path}`,
        subnetIds: subnets.subnetIds,
      });
      const failover = props.nodes.replicas > 0;
      this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
        replicationGroupDescription: `Valkey of ${this.node.path}`,
        engine: 'valkey',
        engineVersion: '8.0',
        cacheNodeType: props.nodes.nodeType,
        numCacheClusters: 1 + props.nodes.replicas,
        automaticFailoverEnabled: failover,
        multiAzEnabled: failover,
        cacheSubnetGroupName: subnetGroup.ref,
        securityGroupIds: [securityGroup.securityGroupId],
        port: PORT,
        transitEncryptionEnabled: true,
        transitEncryptionMode: 'required',
        atRestEncryptionEnabled: true,
        kmsKeyId: props.encryptionKey.keyArn,
        userGroupIds: [userGroup.ref],
        snapshotRetentionLimit: 0,
      });
      this.replicationGroup.node.addDependency(userGroup);
      this.hostname = this.replicationGroup.attrPrimaryEndPointAddress;
      this.port = this.replicationGroup.attrPrimaryEndPointPort;
      acknowledgeFindings(
        this.replicationGroup,
        {
          id: 'AwsSolutions-AEC6',
          reason:
            'Clients authenticate with role-based access control (UserGroupIds: the app user with a Secrets Manager password, the default user off), which replaces the single AUTH token the rule looks for.',
        },
        {
          id: 'AwsSolutions-AEC5',
          reason:
            'Valkey listens on its default port 6379: the security group admits only the services that use it, and clients must authenticate over TLS.',
        },
        {
          id: 'NIST.800.53.R5-ElastiCacheRedisClusterAutomaticBackup',
          reason:
            'The cache holds only rate-limit counters that expire within a minute: nothing in it is worth a backup.',
        },
        ...(failover
          ? []
          : [
              {
                id: 'AwsSolutions-AEC4',
                reason:
                  'A single node, chosen in the settings (replicas: 0) of an environment without highAvailability; losing it loses only rate-limit counters.',
              },
            ]),
      );
    } else {
      this.serverlessCache = new elasticache.CfnServerlessCache(this, 'ServerlessCache', {
        engine: 'valkey',
        majorEngineVersion: '8',
        serverlessCacheName: name('cache'),
        description: `Valkey of ${this.node.path}`,
        subnetIds: subnets.subnetIds,
        securityGroupIds: [securityGroup.securityGroupId],
        kmsKeyId: props.encryptionKey.keyArn,
        userGroupId: userGroup.ref,
      });
      this.serverlessCache.node.addDependency(userGroup);
      this.hostname = this.serverlessCache.attrEndpointAddress;
      this.port = this.serverlessCache.attrEndpointPort;
      this.alarms.push(
        sustainedAlarm(this, 'CommandsThrottled', {
          metric: this.metric('ThrottledCmds', { statistic: 'Sum' }),
          threshold: 1,
          periods: 5,
          description: `Cache ${this.node.path}: commands throttled in each of the last 5 minutes (the load grows faster than ElastiCache Serverless scales)`,
          actions: props.alarmActions,
        }),
      );
    }
  }

  /**
   * A metric of the serverless cache in `AWS/ElastiCache` (one-minute periods, average unless told otherwise), e.g.
   * `ElastiCacheProcessingUnits`, `BytesUsedForCache`, `ThrottledCmds`, `CurrConnections` ("Serverless metrics and
   * events for Valkey and Redis OSS" in the ElastiCache guide). A serverless cache publishes them under the dimension
   * `clusterId`, its name, not the `CacheClusterId` of node-based clusters.
   *
   * @throws Error for a node-based cache, whose metrics are per node
   */
  public metric(metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    if (!this.serverlessCache) {
      throw new Error(
        `${this.node.path}: SlipwayCache.metric covers a serverless cache; a node-based cache publishes its metrics per node (CacheClusterId, CacheNodeId).`,
      );
    }
    return new cloudwatch.Metric({
      namespace: 'AWS/ElastiCache',
      metricName,
      dimensionsMap: { clusterId: this.serverlessCache.ref },
      period: Duration.minutes(1),
      statistic: 'Average',
      ...options,
    });
  }
}
