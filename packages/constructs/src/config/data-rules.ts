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
  usesExisting,
  usesUnique,
];
