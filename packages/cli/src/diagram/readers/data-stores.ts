import { compare, nodeKey, single, StackScope, subnetsOf } from './stack-scope';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import {
  literalNumber,
  literalString,
  referencedId,
  referencedIds,
  resourceName,
} from '../../assembly/template-values';
import { rotationIntervalDays } from '../../cost/pricers/database';

/*
 * The data tier as the diagram draws it: databases (AWS::RDS::DBCluster with its instances, or a lone
 * AWS::RDS::DBInstance) and caches (AWS::ElastiCache::ServerlessCache, ReplicationGroup, CacheCluster), where their
 * subnet groups place them, and who may connect: the ingress rules of their security groups
 * (AWS::EC2::SecurityGroupIngress, or a group's inline SecurityGroupIngress), traced from the source security
 * group to the ECS services (AwsvpcConfiguration.SecurityGroups) or functions that carry it.
 */

/** One way into a data store: from a service (its node key) or another source (a label), on a port. */
export interface DataStoreAccess {
  /** The node key of the ECS service the rule admits; undefined for other sources. */
  readonly serviceKey?: string;
  /** Who: the service's node key, or e.g. `secret rotation (Lambda)`, `10.0.0.0/16`, `security group sg-…`. */
  readonly source: string;
  /** `PostgreSQL :5432`, `Valkey :6379`. */
  readonly port: string;
}

/** A database or a cache. */
export interface DataStoreView {
  readonly key: string;
  readonly kind: 'database' | 'cache';
  /** `Aurora PostgreSQL 16.4`, `RDS for PostgreSQL 16`, `ElastiCache Serverless Valkey 8`. */
  readonly title: string;
  /** Further label lines: capacity, credentials, encryption in transit. */
  readonly details: readonly string[];
  /** The protocol name edges into it carry: `PostgreSQL`, `Valkey`, `Redis`. */
  readonly protocol: string;
  readonly vpcKey?: string;
  readonly subnetKind?: string;
  readonly azCount?: number;
  /** Who may connect, in a stable order. */
  readonly access: readonly DataStoreAccess[];
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'aurora-postgresql': 5432,
  postgres: 5432,
  'aurora-mysql': 3306,
  mysql: 3306,
  valkey: 6379,
  redis: 6379,
  memcached: 11211,
};

function protocolOf(engine: string | undefined): string {
  if (engine === undefined) return 'TCP';
  if (engine.includes('postgres')) return 'PostgreSQL';
  if (engine.includes('mysql')) return 'MySQL';
  if (engine === 'valkey') return 'Valkey';
  if (engine === 'redis') return 'Redis';
  if (engine === 'memcached') return 'Memcached';
  return engine;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Logical ids of the security groups a list of `Fn::GetAtt [Sg, GroupId]` (or `Ref`) values names. */
function securityGroupIds(value: unknown): string[] {
  return Array.isArray(value) ? value.map(referencedId).filter((id): id is string => id !== undefined) : [];
}

/** Who carries a security group: the ECS services by node key, and other holders by label. */
interface SecurityGroupHolders {
  readonly serviceKeys: readonly string[];
  readonly others: readonly string[];
}

function holdersOf(scope: StackScope, securityGroupId: string): SecurityGroupHolders {
  const serviceKeys: string[] = [];
  const others: string[] = [];
  const carries = (value: unknown) => referencedIds(value).has(securityGroupId);
  for (const [id, resource] of scope.entries) {
    const properties = resource.Properties ?? {};
    if (
      resource.Type === 'AWS::ECS::Service' &&
      carries(properties.NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups)
    ) {
      serviceKeys.push(nodeKey(scope, id));
    } else if (resource.Type === 'AWS::Lambda::Function' && carries(properties.VpcConfig?.SecurityGroupIds)) {
      others.push(`${rotates(scope, id) ? 'secret rotation' : resourceName(scope.stack, id, resource)} (Lambda)`);
    } else if (
      resource.Type === 'AWS::Serverless::Application' &&
      carries(properties.Parameters?.vpcSecurityGroupIds)
    ) {
      others.push(`${rotates(scope, id) ? 'secret rotation' : resourceName(scope.stack, id, resource)} (Lambda)`);
    } else if (
      resource.Type === 'AWS::SecretsManager::RotationSchedule' &&
      carries(properties.HostedRotationLambda?.VpcSecurityGroupIds)
    ) {
      others.push('secret rotation (hosted Lambda)');
    }
  }
  return { serviceKeys, others };
}

function rotates(scope: StackScope, functionId: string): boolean {
  return scope.entries.some(
    ([, candidate]) =>
      candidate.Type === 'AWS::SecretsManager::RotationSchedule' &&
      referencedIds(candidate.Properties?.RotationLambdaARN).has(functionId),
  );
}

/** A rule's port: literal, or the store's own Endpoint.Port / Port (CDK's allowDefaultPortFrom), else its engine default. */
function portText(
  scope: StackScope,
  rule: Record<string, any>,
  storeId: string,
  store: TemplateResource,
  defaultPort: number | undefined,
): string {
  if (literalString(rule.IpProtocol) === '-1') return 'all traffic';
  const resolve = (value: unknown): number | undefined => {
    const literal = literalNumber(value);
    if (literal !== undefined) return literal;
    if (
      referencedId(value) === storeId ||
      referencedId(value) === referencedId(store.Properties?.DBClusterIdentifier)
    ) {
      const owner = scope.resources[referencedId(value) ?? ''];
      return literalNumber(owner?.Properties?.Port) ?? defaultPort;
    }
    return undefined;
  };
  const from = resolve(rule.FromPort);
  const to = resolve(rule.ToPort);
  if (from === undefined) return ':?';
  return to === undefined || to === from ? `:${from}` : `:${from}-${to}`;
}

/** Every ingress rule into the store's security groups, traced to who may connect. */
function readAccess(
  scope: StackScope,
  storeId: string,
  store: TemplateResource,
  groups: readonly string[],
  protocol: string,
  defaultPort: number | undefined,
): DataStoreAccess[] {
  const rules: Array<{ group: string; rule: Record<string, any> }> = [];
  for (const group of groups) {
    const inline = scope.resources[group]?.Properties?.SecurityGroupIngress;
    for (const rule of Array.isArray(inline) ? inline : []) rules.push({ group, rule });
    for (const [, resource] of scope.entries) {
      if (resource.Type === 'AWS::EC2::SecurityGroupIngress' && referencedId(resource.Properties?.GroupId) === group) {
        rules.push({ group, rule: resource.Properties ?? {} });
      }
    }
  }
  const access = new Map<string, DataStoreAccess>();
  const add = (entry: DataStoreAccess) => access.set(`${entry.serviceKey ?? entry.source}|${entry.port}`, entry);
  for (const { group, rule } of rules) {
    const port = `${protocol} ${portText(scope, rule, storeId, store, defaultPort)}`;
    const sourceGroup = referencedId(rule.SourceSecurityGroupId);
    if (sourceGroup !== undefined) {
      if (sourceGroup === group) continue; // the store's own members
      const holders = holdersOf(scope, sourceGroup);
      for (const serviceKey of holders.serviceKeys) add({ serviceKey, source: serviceKey, port });
      for (const other of holders.others) add({ source: other, port });
      if (holders.serviceKeys.length === 0 && holders.others.length === 0) {
        add({ source: `security group ${resourceName(scope.stack, sourceGroup, scope.resources[sourceGroup])}`, port });
      }
      continue;
    }
    const source =
      literalString(rule.SourceSecurityGroupId) !== undefined
        ? `security group ${literalString(rule.SourceSecurityGroupId)}`
        : (literalString(rule.CidrIp) ??
          literalString(rule.CidrIpv6) ??
          literalString(rule.SourcePrefixListId) ??
          'an address range');
    add({ source, port });
  }
  return [...access.values()].sort((a, b) =>
    compare(`${a.serviceKey ?? '~'}${a.source}${a.port}`, `${b.serviceKey ?? '~'}${b.source}${b.port}`),
  );
}

/** `credentials in Secrets Manager, rotated every 30 days`, from the secret attached to the store (or RDS's own). */
function credentialsText(scope: StackScope, storeId: string, store: TemplateResource): string | undefined {
  if (store.Properties?.ManageMasterUserPassword === true) return 'credentials managed by RDS in Secrets Manager';
  const attachments = scope.entries.filter(
    ([, candidate]) =>
      candidate.Type === 'AWS::SecretsManager::SecretTargetAttachment' &&
      referencedId(candidate.Properties?.TargetId) === storeId,
  );
  if (attachments.length === 0) return undefined;
  const secretIds = new Set(
    attachments.flatMap(([attachmentId, attachment]) => [attachmentId, referencedId(attachment.Properties?.SecretId)]),
  );
  const schedule = scope.entries.find(
    ([, candidate]) =>
      candidate.Type === 'AWS::SecretsManager::RotationSchedule' &&
      secretIds.has(referencedId(candidate.Properties?.SecretId)),
  );
  if (!schedule) return 'credentials in Secrets Manager, not rotated';
  const days = rotationIntervalDays(schedule[1].Properties?.RotationRules);
  return `credentials in Secrets Manager, rotated ${days === undefined ? 'on a schedule' : `every ${formatNumber(days)} days`}`;
}

function placement(scope: StackScope, subnets: unknown): Pick<DataStoreView, 'vpcKey' | 'subnetKind' | 'azCount'> {
  const placed = subnetsOf(scope, subnets);
  const vpc = single(placed.map((subnet) => subnet.vpc));
  const azs = new Set(placed.map((subnet) => subnet.az).filter((az) => az !== undefined));
  return {
    vpcKey: vpc && nodeKey(scope, vpc),
    subnetKind: single(placed.map((subnet) => subnet.kind)),
    azCount: azs.size > 0 ? azs.size : placed.length > 0 ? placed.length : undefined,
  };
}

function subnetGroupSubnets(scope: StackScope, reference: unknown): unknown {
  return scope.resources[referencedId(reference) ?? '']?.Properties?.SubnetIds;
}

function engineVersion(resource: TemplateResource): string {
  const version =
    literalString(resource.Properties?.EngineVersion) ?? literalString(resource.Properties?.MajorEngineVersion);
  return version ? ` ${version}` : '';
}

function readCluster(scope: StackScope, id: string, cluster: TemplateResource): DataStoreView {
  const properties = cluster.Properties ?? {};
  const engine = literalString(properties.Engine)?.toLowerCase();
  const instances = scope.entries
    .filter(
      ([, candidate]) =>
        candidate.Type === 'AWS::RDS::DBInstance' && referencedId(candidate.Properties?.DBClusterIdentifier) === id,
    )
    .map(([, instance]) => literalString(instance.Properties?.DBInstanceClass) ?? '?');
  const classes = [...new Set(instances)].sort(compare);
  const scaling = properties.ServerlessV2ScalingConfiguration;
  const minAcu = literalNumber(scaling?.MinCapacity);
  const maxAcu = literalNumber(scaling?.MaxCapacity);
  const capacity = classes
    .map((instanceClass) =>
      instanceClass === 'db.serverless'
        ? `Serverless v2${minAcu !== undefined && maxAcu !== undefined ? ` ${formatNumber(minAcu)}–${formatNumber(maxAcu)} ACU` : ''}${minAcu === 0 ? ', pauses when idle' : ''}`
        : instanceClass,
    )
    .join(' + ');
  const topology =
    instances.length === 0
      ? 'no instances'
      : `writer${instances.length > 1 ? ` + ${plural(instances.length - 1, 'reader')}` : ''}`;
  const family = engine?.startsWith('aurora') ? 'Aurora' : 'Multi-AZ DB cluster';
  const storage = literalString(properties.StorageType) === 'aurora-iopt1' ? 'I/O-Optimized' : undefined;
  return {
    key: nodeKey(scope, id),
    kind: 'database',
    title: `${family} ${protocolOf(engine)}${engineVersion(cluster)}`,
    details: [
      [topology, capacity, storage].filter((part) => part).join(' · '),
      credentialsText(scope, id, cluster),
    ].filter((part): part is string => part !== undefined && part !== ''),
    protocol: protocolOf(engine),
    ...placement(scope, subnetGroupSubnets(scope, properties.DBSubnetGroupName)),
    access: readAccess(
      scope,
      id,
      cluster,
      securityGroupIds(properties.VpcSecurityGroupIds),
      protocolOf(engine),
      engine === undefined ? undefined : DEFAULT_PORTS[engine],
    ),
  };
}

function readInstance(scope: StackScope, id: string, instance: TemplateResource): DataStoreView {
  const properties = instance.Properties ?? {};
  const engine = literalString(properties.Engine)?.toLowerCase();
  const multiAz = properties.MultiAZ === true || properties.MultiAZ === 'true';
  const storageGb = literalNumber(properties.AllocatedStorage);
  const storageType = literalString(properties.StorageType) ?? (properties.Iops !== undefined ? 'io1' : 'gp3');
  return {
    key: nodeKey(scope, id),
    kind: 'database',
    title: `RDS for ${protocolOf(engine)}${engineVersion(instance)}`,
    details: [
      [
        literalString(properties.DBInstanceClass),
        multiAz ? 'Multi-AZ' : 'Single-AZ',
        storageGb !== undefined ? `${formatNumber(storageGb)} GB ${storageType}` : undefined,
      ]
        .filter((part) => part)
        .join(' · '),
      credentialsText(scope, id, instance),
    ].filter((part): part is string => part !== undefined && part !== ''),
    protocol: protocolOf(engine),
    ...placement(scope, subnetGroupSubnets(scope, properties.DBSubnetGroupName)),
    access: readAccess(
      scope,
      id,
      instance,
      securityGroupIds(properties.VPCSecurityGroups ?? properties.VpcSecurityGroupIds),
      protocolOf(engine),
      engine === undefined ? undefined : DEFAULT_PORTS[engine],
    ),
  };
}

function cacheSecurity(properties: Record<string, any>, serverless: boolean): string {
  const parts = [serverless || properties.TransitEncryptionEnabled === true ? 'TLS' : 'no TLS'];
  if (properties.AuthToken !== undefined) parts.push('AUTH token');
  if (Array.isArray(properties.UserGroupIds) && properties.UserGroupIds.length > 0) parts.push('user group');
  if (properties.UserGroupId !== undefined) parts.push('user group');
  return parts.join(' · ');
}

function readCache(scope: StackScope, id: string, cache: TemplateResource): DataStoreView {
  const properties = cache.Properties ?? {};
  const serverless = cache.Type === 'AWS::ElastiCache::ServerlessCache';
  // CloudFormation's default engine for node-based caches is redis; a serverless cache must name one.
  const engine = literalString(properties.Engine)?.toLowerCase() ?? (serverless ? undefined : 'redis');
  const protocol = protocolOf(engine);
  let size: string;
  if (serverless) {
    const maxGb = literalNumber(properties.CacheUsageLimits?.DataStorage?.Maximum);
    size = maxGb !== undefined ? `serverless, up to ${formatNumber(maxGb)} GB` : 'serverless';
  } else {
    const nodeType = literalString(properties.CacheNodeType) ?? '?';
    const nodes =
      cache.Type === 'AWS::ElastiCache::CacheCluster'
        ? literalNumber(properties.NumCacheNodes)
        : (literalNumber(properties.NumCacheClusters) ??
          (literalNumber(properties.NumNodeGroups ?? 1) ?? 1) *
            ((literalNumber(properties.ReplicasPerNodeGroup ?? 0) ?? 0) + 1));
    size = `${nodeType} × ${nodes ?? '?'}${properties.MultiAZEnabled === true ? ' · Multi-AZ' : ''}`;
  }
  const subnets = serverless ? properties.SubnetIds : subnetGroupSubnets(scope, properties.CacheSubnetGroupName);
  const groups = securityGroupIds(properties.SecurityGroupIds ?? properties.VpcSecurityGroupIds);
  return {
    key: nodeKey(scope, id),
    kind: 'cache',
    title: `ElastiCache${serverless ? ' Serverless' : ''} ${protocol}${engineVersion(cache)}`,
    details: [size, cacheSecurity(properties, serverless)],
    protocol,
    ...placement(scope, subnets),
    access: readAccess(scope, id, cache, groups, protocol, engine === undefined ? undefined : DEFAULT_PORTS[engine]),
  };
}

/** The databases and caches of one stack, in logical-id order. */
export function readDataStores(scope: StackScope): DataStoreView[] {
  const stores: DataStoreView[] = [];
  for (const [id, resource] of scope.entries) {
    if (resource.Type === 'AWS::RDS::DBCluster') {
      stores.push(readCluster(scope, id, resource));
    } else if (resource.Type === 'AWS::RDS::DBInstance' && resource.Properties?.DBClusterIdentifier === undefined) {
      stores.push(readInstance(scope, id, resource));
    } else if (
      resource.Type === 'AWS::ElastiCache::ServerlessCache' ||
      resource.Type === 'AWS::ElastiCache::ReplicationGroup' ||
      resource.Type === 'AWS::ElastiCache::CacheCluster'
    ) {
      stores.push(readCache(scope, id, resource));
    }
  }
  return stores;
}
