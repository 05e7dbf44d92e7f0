import { z } from 'zod';
import { rule } from './parse-settings';

// The zod schemas of the data tier's settings (`database`, `cache`, `services.<name>.uses`); the cross-field rules
// are in `data-rules.ts`.

const capacityUnits = (fix: string) =>
  z.number().multipleOf(0.5, rule('must be a multiple of 0.5 ACU', fix)).max(256, rule('must be ≤ 256 ACU', fix));

const backupRetentionDays = z
  .number()
  .int(rule('must be a whole number of days', 'Use e.g. 7 for dev, 14 or 35 for prod.'))
  .min(1, rule('must be between 1 and 35', 'Automated backups cannot be turned off here: use e.g. 7.'))
  .max(
    35,
    rule('must be between 1 and 35', 'RDS keeps automated backups for at most 35 days; use AWS Backup for longer.'),
  )
  .optional();

const auroraServerlessSchema = z.strictObject({
  engine: z.literal('aurora-serverless'),
  minCapacity: capacityUnits('Use 0 to pause when idle (dev), or e.g. 0.5 or 1 for prod.').min(
    0,
    rule('must be ≥ 0', 'Use 0 to pause when idle (dev), or e.g. 0.5 or 1 for prod.'),
  ),
  maxCapacity: capacityUnits('Use e.g. 2 for dev, 8 for prod.').min(
    1,
    rule('must be ≥ 1 ACU', 'Use e.g. 2 for dev, 8 for prod.'),
  ),
  readers: z
    .number()
    .int(rule('must be a whole number', 'Use 1 for prod (a reader in another zone), 0 for dev.'))
    .min(0, rule('must be between 0 and 15', 'Use 1 for prod, 0 for dev.'))
    .max(15, rule('must be between 0 and 15', 'An Aurora cluster has at most 15 readers.'))
    .optional(),
  backupRetentionDays,
});

const rdsInstanceSchema = z.strictObject({
  engine: z.literal('rds-instance'),
  instanceClass: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
      rule("must be an instance class without 'db.'", "Use e.g. 't4g.micro' for dev or 'm7g.large' for prod."),
    ),
  multiAz: z.boolean(),
  allocatedStorageGiB: z
    .number()
    .int(rule('must be a whole number of GiB', 'Use e.g. 20.'))
    .min(20, rule('must be between 20 and 65536', 'gp3 storage starts at 20 GiB; use e.g. 20.'))
    .max(65536, rule('must be between 20 and 65536', 'Use at most 65536 GiB.')),
  backupRetentionDays,
});

/** `database`: Aurora Serverless v2 or an RDS instance, told apart by `engine`. */
export const databaseSchema = z.discriminatedUnion('engine', [auroraServerlessSchema, rdsInstanceSchema], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? rule(
          "must have engine 'aurora-serverless' or 'rds-instance'",
          "Use { engine: 'aurora-serverless', minCapacity, maxCapacity } or { engine: 'rds-instance', instanceClass, multiAz, allocatedStorageGiB }.",
        ).error
      : undefined,
});

/** `cache`: ElastiCache Serverless or a node-based replication group, told apart by `mode`. */
export const cacheSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('serverless') }),
    z.strictObject({
      mode: z.literal('node'),
      nodeType: z
        .string()
        .regex(
          /^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$/,
          rule('must be an ElastiCache node type', "Use e.g. 'cache.t4g.micro'."),
        ),
      replicas: z
        .number()
        .int(rule('must be a whole number', 'Use 0 for dev, 1 or 2 for prod.'))
        .min(0, rule('must be between 0 and 5', 'Use 0 for dev, 1 or 2 for prod.'))
        .max(5, rule('must be between 0 and 5', 'A Valkey shard has at most 5 replicas.')),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? rule(
            "must have mode 'serverless' or 'node'",
            "Use { mode: 'serverless' }, or { mode: 'node', nodeType: 'cache.t4g.micro', replicas: 0 }.",
          ).error
        : undefined,
  },
);

/** `services.<name>.uses`: the data resources a service connects to. */
export const usesSchema = z
  .array(z.enum(['database', 'cache'], rule("must be 'database' or 'cache'", 'Remove the unknown resource name.')))
  .optional();
