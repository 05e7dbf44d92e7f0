import { CloudFormationClient, GetTemplateCommand, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import {
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { DATABASE_ENGINE_VERSIONS, DatabaseConfig, DatabaseRestoreConfig } from '@slipway/constructs';
import type { DoctorCheck } from './checks';
import { DoctorTarget } from './doctor-target';
import { isMissingStack } from './stacks';
import { explainAwsError, isNamed } from '../aws-error';

/** The id and title of the restore check. */
export const DATABASE_RESTORE_CHECK = ['database-restore', 'Database restore source'] as const;

/** Every Slipway database's master user: a restored one keeps its source's, and the app connects as this one. */
const MASTER_USER = 'app';

/** The clients the restore check calls, in the environment's region. */
export interface RestoreCheckClients {
  readonly rds: RDSClient;
  /** Reads the environment's stack, to tell a restore already done from one to come. */
  readonly cloudFormation: CloudFormationClient;
}

type Outcome = Omit<DoctorCheck, 'id' | 'title'>;

/**
 * A `database.restore` can be carried out: its snapshot exists, is available, is of the engine's kind and has the
 * master user the app connects as (and, for an RDS instance, is encrypted: the restored instance keeps the snapshot's
 * encryption); or its source database exists and the time lies within what it can restore. A restore that fails here
 * would fail in the deploy, which then rolls back after creating half a database. Once the stack holds the restored
 * database, the source is no longer read (a point-in-time restore's source is often the database the restore
 * replaced, which is gone), so the check passes on that.
 */
export async function checkDatabaseRestore(
  target: DoctorTarget,
  clients: RestoreCheckClients,
  now: Date = new Date(),
): Promise<DoctorCheck> {
  const [id, title] = DATABASE_RESTORE_CHECK;
  const database = target.config.database;
  const restore = database?.restore;
  if (!database || !restore) {
    return { id, title, status: 'skip', detail: `no database.restore in ${target.configFile}` };
  }
  try {
    const done = await restoredResource(target, clients.cloudFormation, restore.name);
    if (done) {
      return {
        id,
        title,
        status: 'pass',
        detail: `restore ${restore.name} is done: ${done} is in ${target.appStackName}. Its source is no longer read; keep database.restore as it is`,
      };
    }
    const unprotected = await unsnapshottedDatabase(target, clients.cloudFormation);
    if (unprotected) {
      return {
        id,
        title,
        status: 'fail',
        detail: `the deployed ${target.appStackName} has database ${unprotected.id} with DeletionPolicy ${unprotected.policy}: the restore would delete it without a final snapshot (CloudFormation applies the policy the database was last deployed with)`,
        fix: `Deploy ${target.config.name} once without database.restore (Slipway gives every database DeletionPolicy Snapshot), then add the restore back and deploy.`,
      };
    }
    return { id, title, ...(await checkSource(target, clients.rds, database, restore, now)) };
  } catch (error) {
    return { id, title, status: 'fail', detail: explainAwsError(error, describePermission(database, restore)) };
  }
}

/** The restored cluster or instance in the app stack, named `<Cluster|Instance><Name><8 hex>`, if it is there. */
async function restoredResource(
  target: DoctorTarget,
  cloudFormation: CloudFormationClient,
  name: string,
): Promise<string | undefined> {
  if (!target.appStackName) return undefined;
  const logicalId = new RegExp(`(Cluster|Instance)${name.charAt(0).toUpperCase()}${name.slice(1)}[0-9A-F]{8}$`);
  try {
    for await (const page of paginateListStackResources(
      { client: cloudFormation },
      { StackName: target.appStackName },
    )) {
      const found = (page.StackResourceSummaries ?? []).find(
        (resource) =>
          ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance'].includes(resource.ResourceType ?? '') &&
          logicalId.test(resource.LogicalResourceId ?? '') &&
          /_COMPLETE$/.test(resource.ResourceStatus ?? '') &&
          !resource.ResourceStatus!.startsWith('DELETE'),
      );
      if (found) return found.PhysicalResourceId ?? found.LogicalResourceId;
    }
  } catch (error) {
    // Before the first deploy there is no stack: the restore is still to come.
    if (isMissingStack(error)) return undefined;
    throw error;
  }
  return undefined;
}

/** Policies that leave a database's data behind when CloudFormation deletes or replaces it. */
const KEEPS_DATA = new Set(['Snapshot', 'Retain', 'RetainExceptOnCreate']);

/**
 * The deployed app stack's database (a cluster, or an instance outside a cluster) whose DeletionPolicy would lose its
 * data when the restore replaces it, if there is one. No stack yet, or no database in it, is nothing to lose.
 */
async function unsnapshottedDatabase(
  target: DoctorTarget,
  cloudFormation: CloudFormationClient,
): Promise<{ id: string; policy: string } | undefined> {
  if (!target.appStackName) return undefined;
  let body: string | undefined;
  try {
    body = (await cloudFormation.send(new GetTemplateCommand({ StackName: target.appStackName }))).TemplateBody;
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    throw error;
  }
  const resources = (JSON.parse(body ?? '{}') as { Resources?: Record<string, TemplateResource> }).Resources ?? {};
  for (const [id, resource] of Object.entries(resources)) {
    const database =
      resource.Type === 'AWS::RDS::DBCluster' ||
      (resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.DBClusterIdentifier === undefined);
    const policy = resource.DeletionPolicy ?? 'Delete';
    if (database && !KEEPS_DATA.has(policy)) return { id, policy };
  }
  return undefined;
}

interface TemplateResource {
  readonly Type: string;
  readonly DeletionPolicy?: string;
  readonly Properties?: Record<string, unknown>;
}

function checkSource(
  target: DoctorTarget,
  rds: RDSClient,
  database: DatabaseConfig,
  restore: DatabaseRestoreConfig,
  now: Date,
): Promise<Outcome> {
  const cluster = database.engine === 'aurora-serverless';
  if (!restore.snapshot) return checkSourceDatabase(target, rds, cluster, restore.sourceDatabase!, restore.time, now);
  return cluster
    ? checkClusterSnapshot(target, rds, restore.snapshot)
    : checkInstanceSnapshot(target, rds, restore.snapshot);
}

async function checkClusterSnapshot(target: DoctorTarget, rds: RDSClient, snapshot: string): Promise<Outcome> {
  const { account, region } = target.config;
  const found = await unlessNotFound(
    rds
      .send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: snapshot }))
      .then((answer) => answer.DBClusterSnapshots),
    'DBClusterSnapshotNotFoundFault',
  );
  if (!found) {
    return {
      status: 'fail',
      detail: `no cluster snapshot ${snapshot} in account ${account}, ${region}: the deploy would fail creating the restored database`,
      fix: `List them (aws rds describe-db-cluster-snapshots --snapshot-type manual --region ${region}) and correct database.restore.snapshot in ${target.configFile}; a snapshot of another account or region must be shared or copied here first.`,
    };
  }
  const problem =
    statusProblem(found.Status, 'snapshot') ??
    engineProblem(found.Engine, 'aurora-postgresql', target) ??
    versionProblem(found.EngineVersion, DATABASE_ENGINE_VERSIONS.auroraPostgres) ??
    userProblem(found.MasterUsername, target);
  if (problem) return problem;
  return {
    status: 'pass',
    detail: `cluster snapshot ${found.DBClusterSnapshotIdentifier} of ${found.DBClusterIdentifier} (${found.SnapshotCreateTime?.toISOString() ?? 'time unknown'}) is available`,
  };
}

async function checkInstanceSnapshot(target: DoctorTarget, rds: RDSClient, snapshot: string): Promise<Outcome> {
  const { account, region } = target.config;
  const found = await unlessNotFound(
    rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: snapshot })).then((answer) => answer.DBSnapshots),
    'DBSnapshotNotFoundFault',
  );
  if (!found) {
    return {
      status: 'fail',
      detail: `no DB snapshot ${snapshot} in account ${account}, ${region}: the deploy would fail creating the restored database`,
      fix: `List them (aws rds describe-db-snapshots --snapshot-type manual --region ${region}) and correct database.restore.snapshot in ${target.configFile}; a snapshot of another account or region must be shared or copied here first.`,
    };
  }
  const problem =
    statusProblem(found.Status, 'snapshot') ??
    engineProblem(found.Engine, 'postgres', target) ??
    versionProblem(found.EngineVersion, DATABASE_ENGINE_VERSIONS.postgres) ??
    userProblem(found.MasterUsername, target);
  if (problem) return problem;
  if (!found.Encrypted) {
    // RestoreDBInstanceFromDBSnapshot takes no key: the instance has the snapshot's encryption, here none.
    return {
      status: 'fail',
      detail: `DB snapshot ${found.DBSnapshotIdentifier} is not encrypted, and an instance restored from it would not be either`,
      fix: `Copy it with a key (aws rds copy-db-snapshot --source-db-snapshot-identifier ${found.DBSnapshotIdentifier} --target-db-snapshot-identifier ${found.DBSnapshotIdentifier}-encrypted --kms-key-id <the environment's key> --region ${region}) and restore from the copy.`,
    };
  }
  return {
    status: 'pass',
    detail: `DB snapshot ${found.DBSnapshotIdentifier} of ${found.DBInstanceIdentifier} (${found.SnapshotCreateTime?.toISOString() ?? 'time unknown'}) is available, encrypted with ${found.KmsKeyId}, which the restored instance keeps`,
  };
}

/** What a point-in-time restore needs of its source, from DescribeDBClusters or DescribeDBInstances. */
interface RestorableSource {
  readonly engine?: string;
  readonly version?: string;
  readonly user?: string;
  readonly earliest?: Date;
  readonly latest?: Date;
  /** Whether its storage is encrypted: an instance's point-in-time copy keeps the source's encryption. */
  readonly encrypted?: boolean;
}

async function checkSourceDatabase(
  target: DoctorTarget,
  rds: RDSClient,
  cluster: boolean,
  source: string,
  time: string | undefined,
  now: Date,
): Promise<Outcome> {
  const found = cluster ? await readSourceCluster(rds, source) : await readSourceInstance(rds, source, now);
  const kind = cluster ? 'cluster' : 'instance';
  if (!found) return sourceMissing(target, kind, source, cluster ? 'describe-db-clusters' : 'describe-db-instances');
  const problem =
    engineProblem(found.engine, cluster ? 'aurora-postgresql' : 'postgres', target) ??
    versionProblem(
      found.version,
      cluster ? DATABASE_ENGINE_VERSIONS.auroraPostgres : DATABASE_ENGINE_VERSIONS.postgres,
    ) ??
    userProblem(found.user, target) ??
    timeProblem(time, found.earliest, found.latest, now, target);
  if (problem) return problem;
  if (!cluster && !found.encrypted) {
    return {
      status: 'fail',
      detail: `instance ${source} is not encrypted, and a point-in-time copy of it would not be either (RestoreDBInstanceToPointInTime takes no key)`,
      fix: `Restore from a snapshot of it copied with the environment's key instead (aws rds create-db-snapshot, then aws rds copy-db-snapshot … --kms-key-id <the environment's key>), as database.restore.snapshot in ${target.configFile}.`,
    };
  }
  return { status: 'pass', detail: `${kind} ${source} can be restored to ${describeTime(time, found.latest)}` };
}

async function readSourceCluster(rds: RDSClient, source: string): Promise<RestorableSource | undefined> {
  const found = await unlessNotFound(
    rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: source })).then((answer) => answer.DBClusters),
    'DBClusterNotFoundFault',
  );
  return (
    found && {
      engine: found.Engine,
      version: found.EngineVersion,
      user: found.MasterUsername,
      earliest: found.EarliestRestorableTime,
      latest: found.LatestRestorableTime,
    }
  );
}

async function readSourceInstance(rds: RDSClient, source: string, now: Date): Promise<RestorableSource | undefined> {
  const found = await unlessNotFound(
    rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: source })).then((answer) => answer.DBInstances),
    'DBInstanceNotFoundFault',
  );
  return (
    found && {
      engine: found.Engine,
      version: found.EngineVersion,
      user: found.MasterUsername,
      encrypted: found.StorageEncrypted,
      // An instance reports no earliest restorable time: its backup retention bounds it, from now.
      earliest:
        found.BackupRetentionPeriod === undefined
          ? undefined
          : new Date(now.getTime() - found.BackupRetentionPeriod * 24 * 3600 * 1000),
      latest: found.LatestRestorableTime,
    }
  );
}

/** The first item a Describe call lists, or undefined when the service answers with its not-found error. */
async function unlessNotFound<T>(lookup: Promise<readonly T[] | undefined>, notFound: string): Promise<T | undefined> {
  try {
    return (await lookup)?.[0];
  } catch (error) {
    if (isNamed(error, notFound)) return undefined;
    throw error;
  }
}

function sourceMissing(target: DoctorTarget, kind: string, source: string, list: string): Outcome {
  const { account, region } = target.config;
  return {
    status: 'fail',
    detail: `no ${kind} ${source} in account ${account}, ${region} to restore from`,
    fix: `Correct database.restore.sourceDatabase in ${target.configFile} (aws rds ${list} --region ${region}). If the restore already ran and the source was the database it replaced, the restored database should be in the stack: check that the stack deployed.`,
  };
}

function statusProblem(status: string | undefined, what: string): Outcome | undefined {
  if (status === 'available') return undefined;
  return {
    status: 'fail',
    detail: `the ${what} is ${status ?? 'in an unknown state'}, not available`,
    fix: 'Wait until it is available (a snapshot being created or copied), then run doctor again.',
  };
}

function engineProblem(engine: string | undefined, wanted: string, target: DoctorTarget): Outcome | undefined {
  if (engine === wanted) return undefined;
  return {
    status: 'fail',
    detail: `its engine is ${engine ?? 'unknown'}, and ${target.configFile}'s database (${target.config.database?.engine}) restores only ${wanted}`,
    fix: `Name a ${wanted} snapshot or database in database.restore, or change database.engine to match it.`,
  };
}

/**
 * A source newer than the version the database is created with: RDS refuses to restore to an older engine version
 * than the snapshot's or source's ("The engine version you requested … is earlier than the engine version of the DB
 * cluster snapshot"). `created` is Aurora's full version, or RDS for PostgreSQL's major (RDS picks its minor).
 */
function versionProblem(version: string | undefined, created: string): Outcome | undefined {
  if (version === undefined) return undefined;
  const parts = (value: string) => value.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const source = parts(version).slice(0, parts(created).length);
  const ours = parts(created);
  const newer = source.findIndex((part, index) => part !== ours[index]);
  if (newer < 0 || source[newer] < ours[newer]) return undefined;
  return {
    status: 'fail',
    detail: `its engine version is ${version}, newer than the ${created} Slipway creates the database with: RDS restores only to the same or a newer version`,
    fix: 'Restore from a snapshot of an older version, or raise the database version Slipway creates (packages/constructs, src/data/database.ts) to at least that one.',
  };
}

function userProblem(user: string | undefined, target: DoctorTarget): Outcome | undefined {
  if (user === MASTER_USER) return undefined;
  return {
    status: 'fail',
    detail: `its master user is ${user ?? 'unknown'}: a restored database keeps it, and the app connects as ${MASTER_USER} with the password the stack generates for ${MASTER_USER}`,
    fix: `Restore from a Slipway database's snapshot (master user ${MASTER_USER}), or create user ${MASTER_USER} in the source and take a new snapshot; see docs/data.md, "Restoring". (${target.configFile})`,
  };
}

function timeProblem(
  time: string | undefined,
  earliest: Date | undefined,
  latest: Date | undefined,
  now: Date,
  target: DoctorTarget,
): Outcome | undefined {
  if (time === undefined || time === 'latest') return undefined;
  const wanted = new Date(time);
  const tooLate = wanted.getTime() > (latest ?? now).getTime();
  const tooEarly = earliest !== undefined && wanted.getTime() < earliest.getTime();
  if (!tooLate && !tooEarly) return undefined;
  return {
    status: 'fail',
    detail:
      `${time} is ${tooLate ? 'later than' : 'earlier than'} what it can restore ` +
      `(${earliest?.toISOString() ?? '?'} to ${latest?.toISOString() ?? now.toISOString()})`,
    fix: `Set database.restore.time in ${target.configFile} within that window, or to 'latest'.`,
  };
}

function describeTime(time: string | undefined, latest: Date | undefined): string {
  if (time && time !== 'latest') return time;
  return `its latest restorable time (now ${latest?.toISOString() ?? 'unknown'})`;
}

function describePermission(database: DatabaseConfig, restore: DatabaseRestoreConfig): string {
  const call =
    database.engine === 'aurora-serverless'
      ? restore.snapshot
        ? 'rds:DescribeDBClusterSnapshots'
        : 'rds:DescribeDBClusters'
      : restore.snapshot
        ? 'rds:DescribeDBSnapshots'
        : 'rds:DescribeDBInstances';
  return `${call}, cloudformation:ListStackResources and cloudformation:GetTemplate`;
}
