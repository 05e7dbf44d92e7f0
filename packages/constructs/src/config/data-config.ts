/**
 * The data tier of an environment: a PostgreSQL database and a Redis-compatible (Valkey) cache, each optional,
 * each used only by the services that declare it in `services.<name>.uses`.
 */

/**
 * Create the environment's database from a snapshot (`snapshot`) or as a point-in-time copy of another database
 * (`sourceDatabase` and `time`), as a new database beside the current one (docs/data.md, "Restoring"). Keep it in the
 * settings for as long as that database lives: CloudFormation needs the same source on every later deploy, and
 * without it would create an empty database in its place.
 */
export interface DatabaseRestoreConfig {
  /**
   * Names this restore and the restored database's resources (lowercase letters and digits, starting with a letter,
   * at most 20), e.g. `r20250612`. A new name makes a new database; the one before is removed with a final snapshot.
   */
  readonly name: string;
  /**
   * The snapshot's identifier or ARN: a cluster snapshot for Aurora (`arn:aws:rds:<region>:<account>:cluster-snapshot:<id>`),
   * a DB snapshot for an RDS instance (`…:snapshot:<id>`). Its master user must be `app`, every Slipway database's.
   * Exactly one of `snapshot` and `sourceDatabase`.
   * @default - none
   */
  readonly snapshot?: string;
  /**
   * Identifier (not ARN) of the Aurora cluster or RDS instance to copy, of the same engine, e.g. the current one.
   * Exactly one of `snapshot` and `sourceDatabase`.
   * @default - none
   */
  readonly sourceDatabase?: string;
  /**
   * With `sourceDatabase`: the moment to restore to, ISO 8601 in UTC with a `Z` (`2025-06-12T09:30:00Z`) within the
   * source's backup retention, or `'latest'` (its latest restorable time, usually a few minutes ago).
   * @default - none
   */
  readonly time?: string;
}

/** PostgreSQL on Aurora Serverless v2: a writer and `readers` readers, each scaling between min and max ACU. */
export interface AuroraServerlessDatabaseConfig {
  /** Aurora PostgreSQL with Serverless v2 instances. */
  readonly engine: 'aurora-serverless';
  /**
   * Fewest Aurora capacity units (ACU; 1 ACU ≈ 2 GiB of memory), 0 to 256 in steps of 0.5. 0 lets the database
   * pause when no connection has been open for a while (the first connection after waits ~15 s to resume); it is
   * refused with highAvailability.
   */
  readonly minCapacity: number;
  /** Most ACU, 1 to 256 in steps of 0.5, ≥ minCapacity. */
  readonly maxCapacity: number;
  /**
   * Reader instances (0–15), placed in other zones than the writer; Aurora promotes one if the writer's zone fails.
   * ≥ 1 with highAvailability.
   * @default 0
   */
  readonly readers?: number;
  /**
   * Days of automated backups (point-in-time recovery), 1–35.
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Create this database from a cluster snapshot or as a point-in-time copy of another Aurora cluster.
   * @default - a new, empty database
   */
  readonly restore?: DatabaseRestoreConfig;
}

/** PostgreSQL on one RDS instance (optionally with a Multi-AZ standby). */
export interface RdsInstanceDatabaseConfig {
  /** RDS for PostgreSQL on a provisioned instance. */
  readonly engine: 'rds-instance';
  /** Instance class without the `db.` prefix, e.g. `t4g.micro` or `m7g.large`. */
  readonly instanceClass: string;
  /** A synchronous standby in another zone, promoted on failure; required with highAvailability. */
  readonly multiAz: boolean;
  /** Storage in GiB (gp3), 20–65536. */
  readonly allocatedStorageGiB: number;
  /**
   * Days of automated backups (point-in-time recovery), 1–35.
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Create this database from a DB snapshot or as a point-in-time copy of another RDS instance.
   * @default - a new, empty database
   */
  readonly restore?: DatabaseRestoreConfig;
}

/** The environment's PostgreSQL database, as Aurora Serverless v2 or as an RDS instance. */
export type DatabaseConfig = AuroraServerlessDatabaseConfig | RdsInstanceDatabaseConfig;

/** ElastiCache Serverless for Valkey: no nodes to size, billed per GB stored and per ECPU. */
export interface ServerlessCacheConfig {
  /** ElastiCache Serverless (Valkey); spans the environment's private subnets. */
  readonly mode: 'serverless';
}

/** A Valkey replication group on nodes of one type. */
export interface NodeCacheConfig {
  /** An ElastiCache replication group (Valkey) of a primary and `replicas` replicas. */
  readonly mode: 'node';
  /** Node type, e.g. `cache.t4g.micro`. */
  readonly nodeType: string;
  /** Read replicas beside the primary, 0–5; ≥ 1 with highAvailability (automatic failover across zones). */
  readonly replicas: number;
}

/** The environment's Redis-compatible cache (Valkey). */
export type CacheConfig = ServerlessCacheConfig | NodeCacheConfig;

/** What a service may use of the environment's data tier. */
export type DataResourceName = 'database' | 'cache';

/** Whether the database setting is Aurora Serverless v2. */
export function isAuroraServerless(database: DatabaseConfig): database is AuroraServerlessDatabaseConfig {
  return database.engine === 'aurora-serverless';
}

/** Whether the cache setting is node-based. */
export function isNodeCache(cache: CacheConfig): cache is NodeCacheConfig {
  return cache.mode === 'node';
}
