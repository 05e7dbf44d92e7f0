import { isAuroraServerless, isNodeCache } from './data-config';
import { EnvironmentConfig } from './environment-config';
import { ConfigIssue } from './slipway-config-error';

// Cross-field rules of the data tier; `checkEnvironmentRules` runs them with the others.

type DataRule = (config: EnvironmentConfig) => ConfigIssue[];

/** Aurora: maxCapacity must not be below minCapacity. */
const auroraCapacityOrder: DataRule = ({ database }) =>
  database && isAuroraServerless(database) && database.maxCapacity < database.minCapacity
    ? [
        {
          field: 'database.maxCapacity',
          value: database.maxCapacity,
          problem: `must be ≥ database.minCapacity (${database.minCapacity})`,
          fix: 'Raise maxCapacity or lower minCapacity.',
        },
      ]
    : [];

/**
 * With highAvailability the database must survive a zone: Aurora needs a reader in another zone and must not pause
 * (a paused cluster takes ~15 s to resume; at 0 ACU it has no instance running to fail over to); an RDS instance
 * needs Multi-AZ.
 */
const highAvailabilityDatabase: DataRule = ({ database, highAvailability }) => {
  if (!database || !highAvailability) return [];
  if (!isAuroraServerless(database)) {
    return database.multiAz
      ? []
      : [
          {
            field: 'database.multiAz',
            value: database.multiAz,
            problem: 'must be true when highAvailability is on',
            fix: 'Set multiAz: true (a standby in another zone), or turn highAvailability off.',
          },
        ];
  }
  const issues: ConfigIssue[] = [];
  if (database.minCapacity === 0) {
    issues.push({
      field: 'database.minCapacity',
      value: database.minCapacity,
      problem: 'must be ≥ 0.5 when highAvailability is on',
      fix: 'A database at 0 ACU pauses and takes about 15 s to resume: set minCapacity to 0.5 or more, or turn highAvailability off.',
    });
  }
  if ((database.readers ?? 0) < 1) {
    issues.push({
      field: 'database.readers',
      value: database.readers,
      problem: 'must be ≥ 1 when highAvailability is on',
      fix: 'Set readers: 1 (a reader in another zone that Aurora promotes if the writer fails), or turn highAvailability off.',
    });
  }
  return issues;
};

/** With highAvailability a node-based cache needs a replica to fail over to. */
const highAvailabilityCache: DataRule = ({ cache, highAvailability }) =>
  cache && highAvailability && isNodeCache(cache) && cache.replicas < 1
    ? [
        {
          field: 'cache.replicas',
          value: cache.replicas,
          problem: 'must be ≥ 1 when highAvailability is on',
          fix: "Set replicas: 1 (automatic failover to another zone), use cache: { mode: 'serverless' }, or turn highAvailability off.",
        },
      ]
    : [];

/** A database and a cache span at least two zones (RDS subnet groups and ElastiCache need two). */
const dataTierZones: DataRule = (config) =>
  (config.database || config.cache) && config.network.maxAzs < 2
    ? [
        {
          field: 'network.maxAzs',
          value: config.network.maxAzs,
          problem: 'must be ≥ 2 when the environment has a database or a cache',
          fix: 'RDS and ElastiCache need subnets in at least two zones: set maxAzs to 2 or more.',
        },
      ]
    : [];

/** A service may use only what the environment has. */
const usesExisting: DataRule = (config) =>
  Object.entries(config.services).flatMap(([name, service]) =>
    (service.uses ?? []).flatMap((resource, index): ConfigIssue[] =>
      config[resource] === undefined
        ? [
            {
              field: `services.${name}.uses.${index}`,
              value: resource,
              problem: `must name a resource of this environment, and it has no ${resource}`,
              fix: `Add ${resource} to the environment's settings, or remove '${resource}' from uses.`,
            },
          ]
        : [],
    ),
  );

/**
 * `database.restore` names one source: a snapshot, or a database and a time; and a snapshot of the engine's kind
 * (RestoreDBClusterFromSnapshot for Aurora takes a cluster snapshot; RestoreDBInstanceFromDBSnapshot a DB snapshot).
 */
const restoreSource: DataRule = ({ database }) => {
  const restore = database?.restore;
  if (!database || !restore) return [];
  const example =
    "{ name: 'r20250612', snapshot: '<id or ARN>' } or { name: 'r20250612', sourceDatabase: '<id>', time: 'latest' }";
  if ((restore.snapshot === undefined) === (restore.sourceDatabase === undefined)) {
    return [
      {
        field: 'database.restore',
        value: restore,
        problem: 'must have exactly one of snapshot and sourceDatabase',
        fix: `Restore from a snapshot or to a point in time of a database, not both: ${example}.`,
      },
    ];
  }
  if (restore.sourceDatabase !== undefined && restore.time === undefined) {
    return [
      {
        field: 'database.restore.time',
        value: restore.time,
        problem: 'is required with sourceDatabase',
        fix: "Give the moment to restore to in UTC, e.g. '2025-06-12T09:30:00Z', or 'latest'.",
      },
    ];
  }
  if (restore.snapshot !== undefined && restore.time !== undefined) {
    return [
      {
        field: 'database.restore.time',
        value: restore.time,
        problem: 'applies only to a point-in-time restore (sourceDatabase)',
        fix: 'A snapshot restores to the moment it was taken: remove time, or restore from sourceDatabase instead.',
      },
    ];
  }
  const kind = /^arn:[^:]+:rds:[^:]*:[^:]*:(cluster-snapshot|snapshot):/.exec(restore.snapshot ?? '')?.[1];
  const aurora = isAuroraServerless(database);
  if ((aurora && kind === 'snapshot') || (!aurora && kind === 'cluster-snapshot')) {
    return [
      {
        field: 'database.restore.snapshot',
        value: restore.snapshot,
        problem: aurora
          ? "must be a cluster snapshot ('…:cluster-snapshot:…') for engine 'aurora-serverless'"
          : "must be a DB snapshot ('…:snapshot:…') for engine 'rds-instance'",
        fix: aurora
          ? "Take one with 'aws rds describe-db-cluster-snapshots'; an RDS instance's snapshot moves to Aurora by a dump and restore."
          : "Take one with 'aws rds describe-db-snapshots'; an Aurora snapshot moves to an RDS instance by a dump and restore.",
      },
    ];
  }
  return [];
};

/** A resource listed twice is a typo, not a request for two connections. */
const usesUnique: DataRule = (config) =>
  Object.entries(config.services).flatMap(([name, service]) =>
    new Set(service.uses ?? []).size === (service.uses ?? []).length
      ? []
      : [
          {
            field: `services.${name}.uses`,
            value: service.uses,
            problem: 'must not list a resource twice',
            fix: 'Remove the duplicate.',
          },
        ],
  );

/** Every data-tier rule, in the order their problems are reported. */
export const DATA_RULES: readonly DataRule[] = [
  auroraCapacityOrder,
  highAvailabilityDatabase,
  highAvailabilityCache,
  dataTierZones,
  restoreSource,
  usesExisting,
  usesUnique,
];
