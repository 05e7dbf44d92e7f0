import { ResourcePricer, ResourcePricers, same } from './pricer';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import { literalNumber, literalString, referencedId, referencedIds } from '../../assembly/template-values';
import type { AssumptionId } from '../assumptions';
import type { StackPricingContext } from '../stack-pricing-context';

/*
 * The data tier: Aurora and RDS for PostgreSQL, ElastiCache (Valkey or Redis OSS), and the Lambda that rotates
 * Secrets Manager secrets. Quantities come from the CloudFormation properties AWS bills by (DBInstanceClass,
 * ServerlessV2ScalingConfiguration, MultiAZ, AllocatedStorage, StorageType, CacheNodeType, node counts,
 * CacheUsageLimits, RotationRules); what the template cannot tell (average ACU, data stored, I/O, ECPUs) is an
 * assumption printed under the estimate. Every line is the same at minimum capacity and at autoscaling maximum:
 * the columns follow the ECS services' task counts, and `--assume auroraAverageAcu=…` moves Aurora.
 */

const DAYS_PER_MONTH = 365 / 12;
/** A Secrets Manager rotation invokes the function once per step: createSecret, setSecret, testSecret, finishSecret. */
const ROTATION_STEPS = 4;
/** What ElastiCache Serverless meters at least, per engine (ElastiCache pricing page). */
const SERVERLESS_MINIMUM_GB: Readonly<Record<string, number>> = { valkey: 0.1, redis: 1 };

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function engineOf(resource: TemplateResource): string | undefined {
  return literalString(resource.Properties?.Engine)?.toLowerCase();
}

/** A secret RDS creates and rotates itself (ManageMasterUserPassword): billed like any secret, but not in the template. */
function priceManagedMasterSecret(context: StackPricingContext, id: string, resource: TemplateResource): void {
  if (resource.Properties?.ManageMasterUserPassword !== true) return;
  context.addLine(id, resource, {
    item: 'Secrets Manager secret managed by RDS',
    detail: '1 secret (master user password)',
    priceId: 'secretsmanager.secret',
    quantity: same(1),
  });
}

/** Logs RDS exports to CloudWatch Logs land in a group RDS creates unless the template declares it. */
function reportLogExports(context: StackPricingContext, id: string, resource: TemplateResource): void {
  const exports = resource.Properties?.EnableCloudwatchLogsExports;
  if (!Array.isArray(exports) || exports.length === 0) return;
  const declared = Object.values(context.resources).some(
    (candidate) =>
      candidate.Type === 'AWS::Logs::LogGroup' &&
      JSON.stringify(candidate.Properties?.LogGroupName ?? '').includes('/aws/rds/'),
  );
  if (declared) return; // priced as a log group of its own
  context.addNotPriced(
    id,
    resource,
    `exports its ${exports.map((name) => literalString(name) ?? '?').join(', ')} log to CloudWatch Logs, into a log group RDS creates outside the template; declare the group (/aws/rds/…) to have it priced`,
  );
}

function ioOptimized(cluster: TemplateResource): boolean {
  return literalString(cluster.Properties?.StorageType) === 'aurora-iopt1';
}

// ---------------------------------------------------------------- Aurora and RDS

/** An Aurora cluster bills storage and I/O; its instances bill capacity (see priceDbInstance). */
const priceDbCluster: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  const engine = engineOf(resource);
  if (engine !== 'aurora-postgresql') {
    context.addNotPriced(
      id,
      resource,
      engine === 'postgres' || engine === 'mysql'
        ? 'a Multi-AZ DB cluster (RDS with two readable standbys) is not in the price table'
        : `engine ${engine ?? '(not a literal)'}: the price table holds Aurora PostgreSQL and RDS for PostgreSQL`,
    );
    return;
  }
  if (literalString(properties.EngineMode) === 'serverless') {
    context.addNotPriced(id, resource, 'Aurora Serverless v1 (EngineMode serverless) is not in the price table');
    return;
  }
  const storageGb = context.assume('auroraStorageGb');
  const optimized = ioOptimized(resource);
  context.addLine(id, resource, {
    item: optimized ? 'Aurora I/O-Optimized storage' : 'Aurora storage',
    detail: `${formatNumber(storageGb)} GB`,
    priceId: optimized ? 'aurora.io-optimized.storage.gb-month' : 'aurora.storage.gb-month',
    quantity: same(storageGb),
    assumptions: ['auroraStorageGb'],
  });
  if (!optimized) {
    const millions = context.assume('auroraIoMillionsPerMonth');
    context.addLine(id, resource, {
      item: 'Aurora I/O requests',
      detail: `${formatNumber(millions)} million requests`,
      priceId: 'aurora.io.million-requests',
      quantity: same(millions),
      assumptions: ['auroraIoMillionsPerMonth'],
    });
  }
  priceManagedMasterSecret(context, id, resource);
  reportLogExports(context, id, resource);
};

function priceServerlessV2Instance(
  context: StackPricingContext,
  id: string,
  resource: TemplateResource,
  cluster: TemplateResource,
): void {
  const scaling = cluster.Properties?.ServerlessV2ScalingConfiguration;
  const minAcu = literalNumber(scaling?.MinCapacity);
  const maxAcu = literalNumber(scaling?.MaxCapacity);
  if (minAcu === undefined || maxAcu === undefined) {
    context.addNotPriced(
      id,
      resource,
      'a db.serverless instance whose cluster has no literal ServerlessV2ScalingConfiguration MinCapacity and MaxCapacity',
    );
    return;
  }
  const averageAcu = Math.min(maxAcu, Math.max(minAcu, context.assume('auroraAverageAcu')));
  const pausable = minAcu === 0;
  const hoursPerMonth = context.assume('hoursPerMonth');
  const awakeHours = pausable ? Math.min(hoursPerMonth, context.assume('auroraAwakeHoursWhenPausable')) : hoursPerMonth;
  const optimized = ioOptimized(cluster);
  const assumptions: AssumptionId[] = [pausable ? 'auroraAwakeHoursWhenPausable' : 'hoursPerMonth', 'auroraAverageAcu'];
  context.addLine(id, resource, {
    item: `Aurora Serverless v2${optimized ? ' (I/O-Optimized)' : ''}`,
    detail: `${formatNumber(averageAcu)} ACU on average (${formatNumber(minAcu)}–${formatNumber(maxAcu)}) × ${formatNumber(awakeHours)} h${pausable ? ' awake, paused the rest' : ''}`,
    priceId: optimized ? 'aurora.io-optimized.serverless-v2.acu-hour' : 'aurora.serverless-v2.acu-hour',
    quantity: same(averageAcu * awakeHours),
    assumptions,
  });
}

function priceClusterInstance(
  context: StackPricingContext,
  id: string,
  resource: TemplateResource,
  instanceClass: string,
): void {
  const clusterId = referencedId(resource.Properties?.DBClusterIdentifier);
  const cluster = context.resource(clusterId);
  if (!cluster || cluster.Type !== 'AWS::RDS::DBCluster') {
    context.addNotPriced(id, resource, 'its DB cluster is not in this stack, so its engine and capacity are unknown');
    return;
  }
  if (engineOf(cluster) !== 'aurora-postgresql') {
    context.addNotPriced(
      id,
      resource,
      `an instance of a ${engineOf(cluster) ?? '?'} cluster; priced with its cluster or not at all`,
    );
    return;
  }
  if (instanceClass === 'db.serverless') {
    priceServerlessV2Instance(context, id, resource, cluster);
    return;
  }
  const priceId = `aurora.postgresql.${instanceClass}.hour`;
  if (!context.hasPrice(priceId)) {
    context.addNotPriced(
      id,
      resource,
      `Aurora PostgreSQL ${instanceClass} is not in the price table; add "${priceId}" to prices.ts`,
    );
    return;
  }
  const optimized = ioOptimized(cluster);
  context.addLine(id, resource, {
    item: `Aurora PostgreSQL ${instanceClass}${optimized ? ' (I/O-Optimized, +30%)' : ''}`,
    detail: '1 instance, on-demand',
    priceId,
    quantity: same(context.assume('hoursPerMonth')),
    // Aurora I/O-Optimized lists every instance 30% above Aurora Standard.
    factor: optimized ? 1.3 : 1,
    assumptions: ['hoursPerMonth'],
  });
}

/** gp3's included performance for RDS: 3,000 IOPS and 125 MiB/s below 400 GB, 12,000 and 500 from 400 GB (PostgreSQL). */
function gp3Baseline(storageGb: number): { iops: number; throughput: number } {
  return storageGb < 400 ? { iops: 3000, throughput: 125 } : { iops: 12000, throughput: 500 };
}

function priceStandaloneInstance(
  context: StackPricingContext,
  id: string,
  resource: TemplateResource,
  instanceClass: string,
): void {
  const properties = resource.Properties ?? {};
  const engine = engineOf(resource);
  if (engine !== 'postgres') {
    context.addNotPriced(
      id,
      resource,
      `engine ${engine ?? '(not a literal)'}: the price table holds RDS for PostgreSQL and Aurora PostgreSQL`,
    );
    return;
  }
  const multiAz = properties.MultiAZ === true || properties.MultiAZ === 'true';
  // A Multi-AZ instance bills its standby's hours and storage as well as the primary's.
  const copies = multiAz ? 2 : 1;
  const deployment = multiAz ? 'Multi-AZ: primary and standby' : 'Single-AZ';
  const instancePriceId = `rds.postgresql.${instanceClass}.hour`;
  if (context.hasPrice(instancePriceId)) {
    context.addLine(id, resource, {
      item: `RDS for PostgreSQL ${instanceClass}`,
      detail: `${plural(copies, 'instance')}, on-demand, ${deployment}`,
      priceId: instancePriceId,
      quantity: same(copies * context.assume('hoursPerMonth')),
      assumptions: ['hoursPerMonth'],
    });
  } else {
    context.addNotPriced(
      id,
      resource,
      `RDS for PostgreSQL ${instanceClass} is not in the price table; add "${instancePriceId}" to prices.ts`,
    );
  }

  const storageGb = literalNumber(properties.AllocatedStorage);
  // RDS's default when StorageType is unset: io1 with Iops, otherwise gp3.
  const storageType = literalString(properties.StorageType) ?? (properties.Iops !== undefined ? 'io1' : 'gp3');
  if (storageGb === undefined) {
    context.addNotPriced(id, resource, 'storage: AllocatedStorage is not a literal number');
  } else if (storageType !== 'gp3' && storageType !== 'gp2') {
    context.addNotPriced(id, resource, `storage type ${storageType} is not in the price table (gp3 and gp2 are)`);
  } else {
    context.addLine(id, resource, {
      item: `RDS storage ${storageType}`,
      detail: `${formatNumber(storageGb)} GB${multiAz ? ' × 2 (standby)' : ''}; backups within the free allowance`,
      priceId: `rds.${storageType}.gb-month`,
      quantity: same(copies * storageGb),
    });
    const iops = literalNumber(properties.Iops);
    const throughput = literalNumber(properties.StorageThroughput);
    const baseline = gp3Baseline(storageGb);
    if (storageType === 'gp3' && ((iops ?? 0) > baseline.iops || (throughput ?? 0) > baseline.throughput)) {
      context.addNotPriced(
        id,
        resource,
        `gp3 IOPS or throughput above the included ${baseline.iops} IOPS and ${baseline.throughput} MiB/s is not priced`,
      );
    }
  }
  priceManagedMasterSecret(context, id, resource);
  reportLogExports(context, id, resource);
}

/**
 * A DB instance: in an Aurora cluster it bills ACU-hours (db.serverless) or instance hours and the cluster bills
 * storage; on its own (RDS) it bills instance hours and provisioned storage, both doubled by Multi-AZ.
 */
const priceDbInstance: ResourcePricer = (context, id, resource) => {
  const instanceClass = literalString(resource.Properties?.DBInstanceClass);
  if (instanceClass === undefined) {
    context.addNotPriced(id, resource, 'its DBInstanceClass is not a literal value');
    return;
  }
  if (resource.Properties?.DBClusterIdentifier !== undefined) {
    priceClusterInstance(context, id, resource, instanceClass);
  } else {
    priceStandaloneInstance(context, id, resource, instanceClass);
  }
};

// ---------------------------------------------------------------- ElastiCache

/** Valkey or Redis OSS, from a literal Engine (CloudFormation's default for node-based caches is redis). */
function cacheEngine(resource: TemplateResource, fallback?: string): string | undefined {
  return engineOf(resource) ?? fallback;
}

const priceServerlessCache: ResourcePricer = (context, id, resource) => {
  const engine = cacheEngine(resource);
  if (engine !== 'valkey' && engine !== 'redis') {
    context.addNotPriced(
      id,
      resource,
      `ElastiCache Serverless for ${engine ?? '(not a literal)'} is not in the price table (Valkey and Redis OSS are)`,
    );
    return;
  }
  const limits = resource.Properties?.CacheUsageLimits ?? {};
  const engineMinimum = SERVERLESS_MINIMUM_GB[engine];
  const configuredMinimum = literalNumber(limits.DataStorage?.Minimum) ?? 0;
  const assumedGb = context.assume('cacheDataGb');
  const billedGb = Math.max(assumedGb, engineMinimum, configuredMinimum);
  const why =
    billedGb === assumedGb
      ? ''
      : billedGb === configuredMinimum
        ? ' (its DataStorage minimum)'
        : ` (the ${engine === 'valkey' ? '100 MB Valkey' : '1 GB Redis OSS'} minimum)`;
  const hoursPerMonth = context.assume('hoursPerMonth');
  context.addLine(id, resource, {
    item: `ElastiCache Serverless ${engine === 'valkey' ? 'Valkey' : 'Redis OSS'} data stored`,
    detail: `${formatNumber(billedGb)} GB${why}`,
    priceId: `elasticache.serverless.${engine}.gb-hour`,
    quantity: same(billedGb * hoursPerMonth),
    assumptions: ['hoursPerMonth', 'cacheDataGb'],
  });
  const ecpuPerSecond = Math.max(
    context.assume('cacheEcpuPerSecond'),
    literalNumber(limits.ECPUPerSecond?.Minimum) ?? 0,
  );
  context.addLine(id, resource, {
    item: `ElastiCache Serverless ${engine === 'valkey' ? 'Valkey' : 'Redis OSS'} ECPUs`,
    detail: `${formatNumber(ecpuPerSecond)} ECPUs/s`,
    priceId: `elasticache.serverless.${engine}.million-ecpu`,
    quantity: same((ecpuPerSecond * 3600 * hoursPerMonth) / 1_000_000),
    assumptions: ['hoursPerMonth', 'cacheEcpuPerSecond'],
  });
  reportSnapshots(context, id, resource);
};

function reportSnapshots(context: StackPricingContext, id: string, resource: TemplateResource): void {
  const retention = literalNumber(resource.Properties?.SnapshotRetentionLimit);
  if (retention !== undefined && retention > 0) {
    context.addNotPriced(
      id,
      resource,
      `its ${plural(retention, 'day')} of automatic snapshots are billed per GB-month stored, which is not priced`,
    );
  }
}

/** Nodes of a replication group: NumCacheClusters (cluster mode disabled), or shards × (replicas + 1). */
function replicationGroupNodes(properties: Record<string, any>): number | undefined {
  if (properties.NumCacheClusters !== undefined) return literalNumber(properties.NumCacheClusters);
  if (Array.isArray(properties.NodeGroupConfiguration) && properties.NodeGroupConfiguration.length > 0) {
    let nodes = 0;
    for (const group of properties.NodeGroupConfiguration) {
      const replicas = literalNumber(group?.ReplicaCount ?? properties.ReplicasPerNodeGroup ?? 0);
      if (replicas === undefined) return undefined;
      nodes += replicas + 1;
    }
    return nodes;
  }
  const shards = literalNumber(properties.NumNodeGroups ?? 1);
  const replicas = literalNumber(properties.ReplicasPerNodeGroup ?? 0);
  return shards === undefined || replicas === undefined ? undefined : shards * (replicas + 1);
}

function priceCacheNodes(
  context: StackPricingContext,
  id: string,
  resource: TemplateResource,
  nodes: number | undefined,
): void {
  const engine = cacheEngine(resource, 'redis');
  const nodeType = literalString(resource.Properties?.CacheNodeType);
  if (engine !== 'valkey' && engine !== 'redis') {
    context.addNotPriced(
      id,
      resource,
      `ElastiCache for ${engine} nodes are not in the price table (Valkey and Redis OSS are)`,
    );
    return;
  }
  if (nodeType === undefined || nodes === undefined) {
    context.addNotPriced(id, resource, 'its node type or node count is not a literal value');
    return;
  }
  const priceId = `elasticache.${engine}.${nodeType}.hour`;
  if (!context.hasPrice(priceId)) {
    context.addNotPriced(
      id,
      resource,
      `ElastiCache ${nodeType} is not in the price table; add "${priceId}" to prices.ts`,
    );
    return;
  }
  context.addLine(id, resource, {
    item: `ElastiCache ${engine === 'valkey' ? 'Valkey' : 'Redis OSS'} ${nodeType}`,
    detail: `${plural(nodes, 'node')}, on-demand`,
    priceId,
    quantity: same(nodes * context.assume('hoursPerMonth')),
    assumptions: ['hoursPerMonth'],
  });
  reportSnapshots(context, id, resource);
}

const priceReplicationGroup: ResourcePricer = (context, id, resource) =>
  priceCacheNodes(context, id, resource, replicationGroupNodes(resource.Properties ?? {}));

const priceCacheCluster: ResourcePricer = (context, id, resource) =>
  priceCacheNodes(context, id, resource, literalNumber(resource.Properties?.NumCacheNodes));

// ---------------------------------------------------------------- Secret rotation

/**
 * Days between rotations from RotationRules: `rate(N days)`, `rate(N hours)` or AutomaticallyAfterDays; undefined
 * for a cron() schedule or a value that is not literal.
 */
export function rotationIntervalDays(rules: Record<string, any> | undefined): number | undefined {
  const expression = literalString(rules?.ScheduleExpression);
  if (expression !== undefined) {
    const match = /^rate\((\d+)\s+(day|days|hour|hours)\)$/.exec(expression.trim());
    if (!match) return undefined;
    const days = match[2].startsWith('day') ? Number(match[1]) : Number(match[1]) / 24;
    return days > 0 ? days : undefined;
  }
  const afterDays = literalNumber(rules?.AutomaticallyAfterDays);
  return afterDays !== undefined && afterDays > 0 ? afterDays : undefined;
}

function rotationsPerMonth(rules: Record<string, any> | undefined): number | undefined {
  const days = rotationIntervalDays(rules);
  return days === undefined ? undefined : DAYS_PER_MONTH / days;
}

/**
 * The rotation function's invocations, priced by duration. Its requests (four a rotation, $0.20 per million) come
 * to less than a millionth of a dollar a month and are left out.
 */
const priceRotationSchedule: ResourcePricer = (context, id, resource) => {
  const rotations = rotationsPerMonth(resource.Properties?.RotationRules);
  if (rotations === undefined) {
    context.addNotPriced(
      id,
      resource,
      'its RotationRules are not a literal rate(…) or AutomaticallyAfterDays, so the number of rotations is unknown',
    );
    return;
  }
  const gbSeconds = context.assume('rotationLambdaGbSeconds');
  context.addLine(id, resource, {
    item: 'Secret rotation Lambda',
    detail: `${formatNumber(rotations)} rotations × ${ROTATION_STEPS} steps, ${formatNumber(gbSeconds)} GB-s each rotation`,
    priceId: 'lambda.x86.gb-second',
    quantity: same(rotations * gbSeconds),
    assumptions: ['rotationLambdaGbSeconds'],
  });
};

/** Whether `logicalId` is the function (or Serverless Application) a rotation schedule of this stack invokes. */
export function isRotationFunction(context: StackPricingContext, logicalId: string): boolean {
  return Object.values(context.resources).some(
    (candidate) =>
      candidate.Type === 'AWS::SecretsManager::RotationSchedule' &&
      referencedIds(candidate.Properties?.RotationLambdaARN).has(logicalId),
  );
}

const priceServerlessApplication: ResourcePricer = (context, id, resource) => {
  if (isRotationFunction(context, id)) {
    context.addFree(
      resource,
      'a rotation function from the Serverless Application Repository; its invocations are priced on the rotation schedule',
    );
    return;
  }
  context.addNotPriced(
    id,
    resource,
    'a Serverless Application Repository application deploys a nested stack the estimate cannot see',
  );
};

/** Data-tier pricers by CloudFormation resource type, merged into RESOURCE_PRICERS. */
export const DATABASE_PRICERS: ResourcePricers = {
  'AWS::RDS::DBCluster': priceDbCluster,
  'AWS::RDS::DBInstance': priceDbInstance,
  'AWS::ElastiCache::ServerlessCache': priceServerlessCache,
  'AWS::ElastiCache::ReplicationGroup': priceReplicationGroup,
  'AWS::ElastiCache::CacheCluster': priceCacheCluster,
  'AWS::SecretsManager::RotationSchedule': priceRotationSchedule,
  'AWS::Serverless::Application': priceServerlessApplication,
};

/** Data-tier resource types that cost nothing by themselves, merged into FREE_RESOURCE_TYPES. */
export const DATABASE_FREE_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::RDS::DBSubnetGroup': 'no charge for subnet groups',
  'AWS::RDS::DBClusterParameterGroup': 'no charge for parameter groups',
  'AWS::RDS::DBParameterGroup': 'no charge for parameter groups',
  'AWS::RDS::OptionGroup': 'no charge for option groups',
  'AWS::ElastiCache::SubnetGroup': 'no charge for subnet groups',
  'AWS::ElastiCache::ParameterGroup': 'no charge for parameter groups',
  'AWS::ElastiCache::User': 'no charge for users',
  'AWS::ElastiCache::UserGroup': 'no charge for user groups',
  'AWS::SecretsManager::SecretTargetAttachment': 'no charge; the secret is priced',
  'AWS::SecretsManager::ResourcePolicy': 'no charge',
};
