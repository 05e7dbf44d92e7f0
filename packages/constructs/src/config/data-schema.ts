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

// RDS identifiers: a letter, then letters, digits and single hyphens, at most 63 (CreateDBClusterSnapshot,
// CreateDBCluster); snapshot ARNs name the kind of snapshot, which the engine rule in data-rules.ts checks.
const RDS_IDENTIFIER = /^[a-zA-Z](?:-?[a-zA-Z0-9])*$/;
const SNAPSHOT_ARN = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(?:cluster-snapshot|snapshot):[a-zA-Z](?:-?[a-zA-Z0-9])*$/;
// RestoreToTime / RestoreTime: a UTC time; we ask for the Z so that nobody restores to a local time by mistake.
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z$/;

const restoreName = z
  .string()
  .regex(
    /^[a-z][a-z0-9]{0,19}$/,
    rule(
      'must be 1 to 20 lowercase letters and digits, starting with a letter',
      "It names the restored database's resources: use e.g. 'r20250612'.",
    ),
  );

const snapshotReference = z
  .string()
  // An automated snapshot (`rds:<database>-<date>`) goes when its database is deleted, which a restore does to the
  // current one: the restored database would then name a snapshot that no longer exists.
  .refine(
    (value) => !/(^|:)rds:/.test(value.replace(/^arn:[^:]+:rds:/, '')),
    rule(
      "must be a manual snapshot, not an automated one ('rds:…')",
      'An automated snapshot is deleted with its database: copy it first (aws rds copy-db-cluster-snapshot, or copy-db-snapshot for an RDS instance, --target-…-snapshot-identifier <name>) and restore from the copy.',
    ),
  )
  .refine(
    (value) =>
      value.startsWith('arn:') ? SNAPSHOT_ARN.test(value) : value.length <= 255 && RDS_IDENTIFIER.test(value),
    rule(
      'must be a snapshot identifier or a snapshot ARN',
      "Copy it from 'aws rds describe-db-cluster-snapshots' (Aurora) or 'aws rds describe-db-snapshots' (RDS instance): e.g. 'prod-before-migration' or 'arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:prod-before-migration'.",
    ),
  );

const restoreTime = z
  .string()
  .refine(
    (value) => value === 'latest' || (UTC_TIME.test(value) && !Number.isNaN(Date.parse(value))),
    rule(
      "must be 'latest' or a time in ISO 8601 UTC",
      "Use e.g. '2025-06-12T09:30:00Z' (UTC, with the Z), or 'latest' for the latest restorable time.",
    ),
  );

/** `database.restore`; which of its fields go together is a rule in data-rules.ts. */
const restoreSchema = z
  .strictObject({
    name: restoreName,
    snapshot: snapshotReference.optional(),
    sourceDatabase: z
      .string()
      .max(63, rule('must be at most 63 characters', "Use the identifier from 'aws rds describe-db-clusters'."))
      .regex(
        RDS_IDENTIFIER,
        rule(
          'must be an RDS identifier (a letter, then letters, digits and single hyphens)',
          "Use the identifier from 'aws rds describe-db-clusters' or 'aws rds describe-db-instances', not its ARN.",
        ),
      )
      .optional(),
    time: restoreTime.optional(),
  })
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
  restore: restoreSchema,
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
  restore: restoreSchema,
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
