import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CacheConfig, DataResourceName, DatabaseConfig, isAuroraServerless, isNodeCache } from '../config/data-config';
import { SlipwayCache, SlipwayCacheProps } from '../data/cache';
import { SlipwayDatabase, SlipwayDatabaseProps } from '../data/database';

// Where the data tier's settings become construct props, and what a service that `uses` a resource is given.

/** The `database` setting as `SlipwayDatabase` props. */
export function databaseProps(
  database: DatabaseConfig,
  environment: {
    readonly vpc: ec2.IVpc;
    readonly encryptionKey: kms.IKey;
    readonly logRetention: logs.RetentionDays;
    readonly deletionProtection: boolean;
    readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  },
): SlipwayDatabaseProps {
  const common = {
    ...environment,
    backupRetention: Duration.days(database.backupRetentionDays ?? 7),
    restore: database.restore && {
      name: database.restore.name,
      snapshotIdentifier: database.restore.snapshot,
      sourceIdentifier: database.restore.sourceDatabase,
      restoreTime: database.restore.time === 'latest' ? undefined : database.restore.time,
    },
  };
  if (isAuroraServerless(database)) {
    return {
      ...common,
      serverless: {
        minCapacity: database.minCapacity,
        maxCapacity: database.maxCapacity,
        readers: database.readers,
      },
    };
  }
  return {
    ...common,
    instance: {
      instanceType: new ec2.InstanceType(database.instanceClass),
      multiAz: database.multiAz,
      allocatedStorageGiB: database.allocatedStorageGiB,
    },
  };
}

/** The `cache` setting as `SlipwayCache` props. */
export function cacheProps(
  cache: CacheConfig,
  environment: {
    readonly vpc: ec2.IVpc;
    readonly encryptionKey: kms.IKey;
    readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  },
): SlipwayCacheProps {
  return isNodeCache(cache)
    ? { ...environment, nodes: { nodeType: cache.nodeType, replicas: cache.replicas } }
    : environment;
}

/** What a service's container gets for the resources it uses. */
export interface DataConnection {
  /** Non-secret connection settings: host, port, database and user names. */
  readonly environment: Record<string, string>;
  /** Passwords, as ECS secrets read from Secrets Manager by the task's execution role. */
  readonly secrets: Record<string, ecs.Secret>;
}

/** Seconds a service waits for a new connection to a database that pauses when idle (libpq's PGCONNECT_TIMEOUT). */
export const RESUME_CONNECT_TIMEOUT_SECONDS = 25;

/**
 * The connection settings of the resources a service uses. The database's are libpq's own variables (PGHOST,
 * PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE), which node-postgres and psql read as they are; the cache's are
 * REDIS_HOST, REDIS_PORT, REDIS_USERNAME, REDIS_PASSWORD (TLS always). Passwords only as ECS secrets.
 */
export function dataConnection(
  uses: readonly DataResourceName[],
  resources: { readonly database?: SlipwayDatabase; readonly cache?: SlipwayCache },
): DataConnection {
  const environment: Record<string, string> = {};
  const secrets: Record<string, ecs.Secret> = {};
  const database = uses.includes('database') ? resources.database : undefined;
  if (database) {
    environment.PGHOST = database.hostname;
    environment.PGPORT = String(database.port);
    environment.PGDATABASE = database.databaseName;
    environment.PGUSER = database.username;
    // The server refuses plain connections (rds.force_ssl = 1). `verify-full` also checks its certificate against
    // the RDS roots the image names in PGSSLROOTCERT, and the host name (docs/data.md, "TLS").
    environment.PGSSLMODE = database.sslMode;
    secrets.PGPASSWORD = ecs.Secret.fromSecretsManager(database.secret, 'password');
    // A paused Aurora Serverless v2 resumes when a connection arrives and establishes it once resumed, about 15 s
    // later: the API waits for it instead of answering 503 (its default is 2 s). Under the HTTP API's 30 s limit.
    if (database.pausesWhenIdle) environment.PGCONNECT_TIMEOUT = String(RESUME_CONNECT_TIMEOUT_SECONDS);
  }
  const cache = uses.includes('cache') ? resources.cache : undefined;
  if (cache) {
    environment.REDIS_HOST = cache.hostname;
    environment.REDIS_PORT = cache.port;
    environment.REDIS_USERNAME = cache.username;
    secrets.REDIS_PASSWORD = ecs.Secret.fromSecretsManager(cache.secret, 'password');
  }
  return { environment, secrets };
}
