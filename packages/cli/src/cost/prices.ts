/**
 * The price table: AWS list prices kept as data, one entry per priced unit.
 *
 * Each entry names the AWS pricing page it was read from and the day it was
 * recorded. AWS changes prices without notice: to update one, read the page,
 * change `usd`, and set `readOn` to that day. A region differs from us-east-1
 * only where `REGION_OVERRIDES` says so; everything else falls back to
 * us-east-1 and the estimate says which prices did.
 */

/** One list price. */
export interface Price {
  /** US dollars per `unit`. */
  readonly usd: number;
  /** What one unit is, e.g. `vCPU-hour`, `GB-month`, `alarm-month`. */
  readonly unit: string;
  /** What is priced, for people reading the estimate. */
  readonly description: string;
  /** The AWS pricing page the price was read from. */
  readonly source: string;
  /** The day the price was recorded, as YYYY-MM-DD. */
  readonly readOn: string;
}

/** Every price the estimate knows, by id. */
export type PriceTable = Readonly<Record<string, Price>>;

/**
 * The day these prices were recorded. They were transcribed from the AWS
 * pricing pages named in each entry without a live check on that day (the
 * machine that recorded them had no internet access): check the page before
 * relying on a figure, and update `readOn` when you do.
 */
export const PRICES_READ_ON = '2026-11-24';

const FARGATE = 'https://aws.amazon.com/fargate/pricing/';
const ELB = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const VPC = 'https://aws.amazon.com/vpc/pricing/';
const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
const EC2 = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const EBS = 'https://aws.amazon.com/ebs/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const ROUTE53 = 'https://aws.amazon.com/route53/pricing/';
const CLOUD_MAP = 'https://aws.amazon.com/cloud-map/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const CODEPIPELINE = 'https://aws.amazon.com/codepipeline/pricing/';
const CODEBUILD = 'https://aws.amazon.com/codebuild/pricing/';
const SECRETS_MANAGER = 'https://aws.amazon.com/secrets-manager/pricing/';
const ECR = 'https://aws.amazon.com/ecr/pricing/';
const WAF = 'https://aws.amazon.com/waf/pricing/';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';
const AURORA = 'https://aws.amazon.com/rds/aurora/pricing/';
const RDS_POSTGRESQL = 'https://aws.amazon.com/rds/postgresql/pricing/';
const ELASTICACHE = 'https://aws.amazon.com/elasticache/pricing/';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';

function price(usd: number, unit: string, description: string, source: string): Price {
  return { usd, unit, description, source, readOn: PRICES_READ_ON };
}

/** On-demand EC2 Linux prices per hour, us-east-1, for the instance types a NAT instance or bastion is likely to use. */
const EC2_INSTANCE_HOURLY: Readonly<Record<string, number>> = {
  't4g.nano': 0.0042,
  't4g.micro': 0.0084,
  't4g.small': 0.0168,
  't4g.medium': 0.0336,
  't3.nano': 0.0052,
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3a.nano': 0.0047,
  't3a.micro': 0.0094,
  't3a.small': 0.0188,
};

/** The day the data-tier prices (Aurora, RDS, ElastiCache, Lambda) were recorded. */
export const DATA_TIER_PRICES_READ_ON = '2026-12-02';

function dataTierPrice(usd: number, unit: string, description: string, source: string): Price {
  return { usd, unit, description, source, readOn: DATA_TIER_PRICES_READ_ON };
}

/** Aurora PostgreSQL provisioned instance classes, on-demand, per hour, us-east-1 (Aurora Standard). */
const AURORA_POSTGRESQL_INSTANCE_HOURLY: Readonly<Record<string, number>> = {
  'db.t4g.medium': 0.073,
  'db.t4g.large': 0.146,
  'db.t3.medium': 0.082,
  'db.r6g.large': 0.26,
};

/** RDS for PostgreSQL instance classes, on-demand Single-AZ, per hour, us-east-1 (Multi-AZ is twice this). */
const RDS_POSTGRESQL_INSTANCE_HOURLY: Readonly<Record<string, number>> = {
  'db.t4g.micro': 0.016,
  'db.t4g.small': 0.032,
  'db.t4g.medium': 0.065,
  'db.t4g.large': 0.129,
  'db.t3.micro': 0.018,
  'db.t3.small': 0.036,
  'db.t3.medium': 0.072,
};

/**
 * ElastiCache node types, on-demand, per node-hour, us-east-1, for Redis OSS. Valkey nodes are listed 20% lower
 * (the pricing page's Valkey column), so the Valkey entries are derived from these.
 */
const ELASTICACHE_REDIS_NODE_HOURLY: Readonly<Record<string, number>> = {
  'cache.t4g.micro': 0.016,
  'cache.t4g.small': 0.032,
  'cache.t4g.medium': 0.065,
  'cache.t3.micro': 0.017,
  'cache.t3.small': 0.034,
  'cache.t3.medium': 0.068,
};

/** Valkey's node price: 20% below Redis OSS, to the tenth of a cent AWS lists. */
function valkeyNodePrice(redis: number): number {
  return Math.round(redis * 0.8 * 100_000) / 100_000;
}

/** The data tier's us-east-1 prices: Aurora, RDS for PostgreSQL, ElastiCache, and the rotation Lambda. */
const DATA_TIER_PRICES: PriceTable = {
  'aurora.serverless-v2.acu-hour': dataTierPrice(
    0.12,
    'ACU-hour',
    'Aurora Serverless v2 capacity, Aurora Standard',
    AURORA,
  ),
  'aurora.io-optimized.serverless-v2.acu-hour': dataTierPrice(
    0.156,
    'ACU-hour',
    'Aurora Serverless v2 capacity, Aurora I/O-Optimized',
    AURORA,
  ),
  'aurora.storage.gb-month': dataTierPrice(0.1, 'GB-month', 'Aurora Standard storage', AURORA),
  'aurora.io-optimized.storage.gb-month': dataTierPrice(0.225, 'GB-month', 'Aurora I/O-Optimized storage', AURORA),
  'aurora.io.million-requests': dataTierPrice(0.2, 'million-requests', 'Aurora Standard I/O requests', AURORA),
  ...Object.fromEntries(
    Object.entries(AURORA_POSTGRESQL_INSTANCE_HOURLY).map(([instanceClass, usd]) => [
      `aurora.postgresql.${instanceClass}.hour`,
      dataTierPrice(usd, 'instance-hour', `Aurora PostgreSQL ${instanceClass} on-demand (Aurora Standard)`, AURORA),
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(RDS_POSTGRESQL_INSTANCE_HOURLY).map(([instanceClass, usd]) => [
      `rds.postgresql.${instanceClass}.hour`,
      dataTierPrice(usd, 'instance-hour', `RDS for PostgreSQL ${instanceClass} on-demand, Single-AZ`, RDS_POSTGRESQL),
    ]),
  ),
  'rds.gp3.gb-month': dataTierPrice(0.115, 'GB-month', 'RDS General Purpose (gp3) storage, Single-AZ', RDS_POSTGRESQL),
  'rds.gp2.gb-month': dataTierPrice(0.115, 'GB-month', 'RDS General Purpose (gp2) storage, Single-AZ', RDS_POSTGRESQL),
  'elasticache.serverless.valkey.gb-hour': dataTierPrice(
    0.084,
    'GB-hour',
    'ElastiCache Serverless for Valkey data stored (metered at 100 MB at least)',
    ELASTICACHE,
  ),
  'elasticache.serverless.valkey.million-ecpu': dataTierPrice(
    0.0023,
    'million-ECPUs',
    'ElastiCache Serverless for Valkey processing units',
    ELASTICACHE,
  ),
  'elasticache.serverless.redis.gb-hour': dataTierPrice(
    0.125,
    'GB-hour',
    'ElastiCache Serverless for Redis OSS data stored (metered at 1 GB at least)',
    ELASTICACHE,
  ),
  'elasticache.serverless.redis.million-ecpu': dataTierPrice(
    0.0034,
    'million-ECPUs',
    'ElastiCache Serverless for Redis OSS processing units',
    ELASTICACHE,
  ),
  ...Object.fromEntries(
    Object.entries(ELASTICACHE_REDIS_NODE_HOURLY).flatMap(([nodeType, usd]) => [
      [
        `elasticache.redis.${nodeType}.hour`,
        dataTierPrice(usd, 'node-hour', `ElastiCache ${nodeType} node, Redis OSS, on-demand`, ELASTICACHE),
      ],
      [
        `elasticache.valkey.${nodeType}.hour`,
        dataTierPrice(
          valkeyNodePrice(usd),
          'node-hour',
          `ElastiCache ${nodeType} node, Valkey, on-demand`,
          ELASTICACHE,
        ),
      ],
    ]),
  ),
  'lambda.x86.gb-second': dataTierPrice(0.0000166667, 'GB-second', 'Lambda duration, x86', LAMBDA),
};

/** us-east-1 (N. Virginia) list prices. */
export const US_EAST_1_PRICES: PriceTable = {
  'fargate.linux-x86.vcpu-hour': price(0.04048, 'vCPU-hour', 'Fargate Linux/x86 vCPU', FARGATE),
  'fargate.linux-x86.gb-hour': price(0.004445, 'GB-hour', 'Fargate Linux/x86 memory', FARGATE),
  'fargate.linux-arm.vcpu-hour': price(0.03238, 'vCPU-hour', 'Fargate Linux/ARM vCPU', FARGATE),
  'fargate.linux-arm.gb-hour': price(0.00356, 'GB-hour', 'Fargate Linux/ARM memory', FARGATE),
  'fargate.ephemeral-storage.gb-hour': price(
    0.000111,
    'GB-hour',
    'Fargate ephemeral storage above the included 20 GB',
    FARGATE,
  ),
  'elb.alb.hour': price(0.0225, 'ALB-hour', 'Application Load Balancer', ELB),
  'elb.alb.lcu-hour': price(0.008, 'LCU-hour', 'Application Load Balancer capacity unit', ELB),
  'elb.nlb.hour': price(0.0225, 'NLB-hour', 'Network Load Balancer', ELB),
  'elb.nlb.nlcu-hour': price(0.006, 'NLCU-hour', 'Network Load Balancer capacity unit', ELB),
  'apigateway.http.million-requests': price(
    1,
    'million-requests',
    'API Gateway HTTP API requests (first 300 million a month)',
    API_GATEWAY,
  ),
  'vpc.public-ipv4.hour': price(0.005, 'address-hour', 'Public IPv4 address (in use or idle)', VPC),
  'vpc.nat-gateway.hour': price(0.045, 'gateway-hour', 'NAT gateway', VPC),
  'vpc.nat-gateway.gb': price(0.045, 'GB', 'NAT gateway data processed', VPC),
  'vpc.interface-endpoint.az-hour': price(0.01, 'endpoint-AZ-hour', 'Interface VPC endpoint, per AZ', PRIVATELINK),
  ...Object.fromEntries(
    Object.entries(EC2_INSTANCE_HOURLY).map(([type, usd]) => [
      `ec2.${type}.hour`,
      price(usd, 'instance-hour', `EC2 ${type} on-demand Linux`, EC2),
    ]),
  ),
  'ebs.gp3.gb-month': price(0.08, 'GB-month', 'EBS gp3 volume storage', EBS),
  'ebs.gp2.gb-month': price(0.1, 'GB-month', 'EBS gp2 volume storage', EBS),
  'cloudwatch.logs.ingested-gb': price(0.5, 'GB', 'CloudWatch Logs ingestion (standard class)', CLOUDWATCH),
  'cloudwatch.logs.stored-gb-month': price(0.03, 'GB-month', 'CloudWatch Logs storage', CLOUDWATCH),
  'cloudwatch.alarm.standard': price(
    0.1,
    'alarm-metric-month',
    'CloudWatch alarm, standard resolution, per metric',
    CLOUDWATCH,
  ),
  'cloudwatch.alarm.high-resolution': price(
    0.3,
    'alarm-metric-month',
    'CloudWatch alarm, high resolution, per metric',
    CLOUDWATCH,
  ),
  'cloudwatch.alarm.composite': price(0.5, 'alarm-month', 'CloudWatch composite alarm', CLOUDWATCH),
  'cloudwatch.dashboard': price(3, 'dashboard-month', 'CloudWatch dashboard', CLOUDWATCH),
  'cloudwatch.custom-metric': price(0.3, 'metric-month', 'CloudWatch custom metric (first 10,000)', CLOUDWATCH),
  'kms.key': price(1, 'key-month', 'KMS customer managed key', KMS),
  'route53.hosted-zone': price(0.5, 'zone-month', 'Route 53 hosted zone (first 25)', ROUTE53),
  'cloudmap.registered-instance': price(0.1, 'instance-month', 'Cloud Map registered resource', CLOUD_MAP),
  's3.standard.gb-month': price(0.023, 'GB-month', 'S3 Standard storage (first 50 TB)', S3),
  'codepipeline.v2.action-minute': price(0.002, 'action-minute', 'CodePipeline V2 action execution', CODEPIPELINE),
  'codepipeline.v1.pipeline-month': price(1, 'pipeline-month', 'CodePipeline V1 active pipeline', CODEPIPELINE),
  'codebuild.linux.small.minute': price(0.005, 'build-minute', 'CodeBuild Linux general1.small', CODEBUILD),
  'codebuild.linux.medium.minute': price(0.01, 'build-minute', 'CodeBuild Linux general1.medium', CODEBUILD),
  'codebuild.linux.large.minute': price(0.02, 'build-minute', 'CodeBuild Linux general1.large', CODEBUILD),
  'codebuild.linux.2xlarge.minute': price(0.04, 'build-minute', 'CodeBuild Linux general1.2xlarge', CODEBUILD),
  'codebuild.arm.small.minute': price(0.0034, 'build-minute', 'CodeBuild ARM general1.small', CODEBUILD),
  'codebuild.arm.large.minute': price(0.015, 'build-minute', 'CodeBuild ARM general1.large', CODEBUILD),
  'secretsmanager.secret': price(0.4, 'secret-month', 'Secrets Manager secret', SECRETS_MANAGER),
  'ecr.storage.gb-month': price(0.1, 'GB-month', 'ECR private repository storage', ECR),
  'waf.web-acl': price(5, 'web-ACL-month', 'AWS WAF web ACL', WAF),
  'waf.rule': price(1, 'rule-month', 'AWS WAF rule in a web ACL', WAF),
  ...DATA_TIER_PRICES,
};

/**
 * Prices that differ from us-east-1, by region. Only entries recorded from the
 * region's column of the pricing page belong here; a price not listed for a
 * region is taken from us-east-1 and the estimate says so.
 */
export const REGION_OVERRIDES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'eu-west-1': {
    'fargate.linux-x86.vcpu-hour': 0.04456,
    'fargate.linux-x86.gb-hour': 0.004865,
    'elb.alb.hour': 0.0252,
    'vpc.nat-gateway.hour': 0.048,
    'vpc.nat-gateway.gb': 0.048,
  },
};

/** Prices AWS lists the same in every commercial region, so no region needs its own entry. */
export const SAME_IN_EVERY_REGION: ReadonlySet<string> = new Set([
  'vpc.public-ipv4.hour',
  'route53.hosted-zone',
  'kms.key',
  // Secrets Manager lists one price, $0.40 per secret-month, for every region.
  'secretsmanager.secret',
]);

/** The prices for one region, and which of them fell back to us-east-1. */
export interface RegionalPrices {
  /** The region priced. */
  readonly region: string;
  /** Every price, regional where known. */
  readonly prices: PriceTable;
  /** Ids of prices taken from us-east-1 because the table has no entry for `region`. */
  readonly fallbackIds: readonly string[];
}

/**
 * The price table for `region`: us-east-1 list prices with the region's
 * overrides applied, then `custom` (a team's own figures, e.g. from its
 * negotiated rates) over both.
 */
export function pricesForRegion(region: string, custom: Readonly<Record<string, number>> = {}): RegionalPrices {
  const overrides = region === 'us-east-1' ? {} : (REGION_OVERRIDES[region] ?? {});
  const prices: Record<string, Price> = {};
  const fallbackIds: string[] = [];
  for (const [id, base] of Object.entries(US_EAST_1_PRICES)) {
    const regional = overrides[id];
    if (custom[id] !== undefined) {
      prices[id] = { ...base, usd: custom[id], source: 'custom price file', readOn: base.readOn };
    } else if (regional !== undefined) {
      prices[id] = { ...base, usd: regional };
    } else {
      prices[id] = base;
      if (region !== 'us-east-1' && !SAME_IN_EVERY_REGION.has(id)) fallbackIds.push(id);
    }
  }
  return { region, prices, fallbackIds };
}
