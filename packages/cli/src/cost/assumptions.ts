/**
 * Usage the templates cannot tell: traffic, log volume, build minutes. Each is
 * a named number with the sentence printed under the estimate, so a reader
 * sees every guess once and can replace it (`slipway cost --assume id=value`).
 */

/** One usage assumption. */
export interface Assumption {
  /** The number. */
  readonly value: number;
  /** The sentence printed under the estimate; `{value}` is replaced by the number. */
  readonly text: string;
}

/** Every assumption by id. */
export type Assumptions = Readonly<Record<AssumptionId, Assumption>>;

/** Ids of the assumptions, as used with `--assume`. */
export type AssumptionId =
  | 'hoursPerMonth'
  | 'fargateSpotDiscount'
  | 'albAverageLcu'
  | 'nlbAverageNlcu'
  | 'httpApiRequestsPerMonth'
  | 'natGatewayGbPerMonth'
  | 'instanceRootVolumeGb'
  | 'logGbPerTaskMonth'
  | 'logRetentionMonthsWhenUnset'
  | 'otherLogGroupGbPerMonth'
  | 'functionLogGroupMbPerMonth'
  | 'containerInsightsMetricsPerCluster'
  | 'containerInsightsMetricsPerService'
  | 's3GbPerBucket'
  | 'ecrGbPerRepository'
  | 'pipelineRunsPerMonth'
  | 'pipelineMinutesPerAction'
  | 'codeBuildMinutesPerRun'
  | 'auroraAverageAcu'
  | 'auroraAwakeHoursWhenPausable'
  | 'auroraStorageGb'
  | 'auroraIoMillionsPerMonth'
  | 'cacheDataGb'
  | 'cacheEcpuPerSecond'
  | 'rotationLambdaGbSeconds';

/** The defaults: a small web app with light traffic, deployed about twice a working day. */
export const DEFAULT_ASSUMPTIONS: Assumptions = {
  hoursPerMonth: { value: 730, text: 'A month is {value} hours; everything that runs, runs all month.' },
  fargateSpotDiscount: {
    value: 0.7,
    text: 'Fargate Spot costs {value} less than on-demand (Spot prices move; AWS quotes "up to 70%").',
  },
  albAverageLcu: {
    value: 0.5,
    text: 'Each Application Load Balancer uses {value} LCU on average (about 12 new connections/s or 0.5 GB/h processed).',
  },
  nlbAverageNlcu: { value: 0.5, text: 'Each Network Load Balancer uses {value} NLCU on average.' },
  httpApiRequestsPerMonth: {
    value: 1_000_000,
    text: 'Each API Gateway HTTP API serves {value} requests a month (about one every 2.6 seconds; each 512 KB of a request or response counts as one).',
  },
  natGatewayGbPerMonth: {
    value: 10,
    text: 'Each NAT gateway processes {value} GB a month (image pulls, AWS API calls and outbound requests).',
  },
  instanceRootVolumeGb: {
    value: 8,
    text: 'An EC2 instance without a block device mapping (a NAT instance) has the Amazon Linux 2023 AMI default root volume: {value} GB gp3.',
  },
  logGbPerTaskMonth: { value: 1, text: 'Each running task writes {value} GB of container logs a month.' },
  logRetentionMonthsWhenUnset: {
    value: 12,
    text: 'A log group without retention keeps growing; priced as {value} months of logs stored.',
  },
  otherLogGroupGbPerMonth: {
    value: 1,
    text: 'A log group no task writes to (VPC flow logs, API access logs, build logs) takes in {value} GB a month.',
  },
  functionLogGroupMbPerMonth: {
    value: 10,
    text: 'A log group a Lambda function writes to (a custom resource provider, a migration, a smoke test: functions that run while deploying) takes in {value} MB a month.',
  },
  containerInsightsMetricsPerCluster: {
    value: 12,
    text: 'Container Insights (standard) publishes {value} custom metrics per cluster on Fargate.',
  },
  containerInsightsMetricsPerService: {
    value: 22,
    text: 'Container Insights (standard) publishes {value} custom metrics per service (service and task-definition-family dimensions).',
  },
  s3GbPerBucket: { value: 5, text: 'Each S3 bucket holds {value} GB in S3 Standard; requests are not priced.' },
  ecrGbPerRepository: { value: 1, text: 'Each ECR repository holds {value} GB of images.' },
  pipelineRunsPerMonth: {
    value: 40,
    text: 'The pipeline runs {value} times a month (about two releases a working day).',
  },
  pipelineMinutesPerAction: {
    value: 3,
    text: 'A pipeline action runs {value} minutes on average; manual approvals are not charged.',
  },
  codeBuildMinutesPerRun: { value: 5, text: 'Each CodeBuild project builds for {value} minutes per pipeline run.' },
  auroraAverageAcu: {
    value: 1,
    text: 'An Aurora Serverless v2 instance runs at {value} ACU on average while awake (held within its minimum and maximum capacity; `--assume auroraAverageAcu=<its maximum>` prices the ceiling).',
  },
  auroraAwakeHoursWhenPausable: {
    value: 60,
    text: 'An Aurora Serverless v2 instance whose minimum is 0 ACU is awake {value} hours a month (about three hours a working day) and paused the rest: it pauses after SecondsUntilAutoPause without connections, and paused it bills storage only.',
  },
  auroraStorageGb: {
    value: 10,
    text: 'Each Aurora cluster stores {value} GB (billed as used; the six copies across three AZs are included); backups stay within the free allowance of one copy of that size.',
  },
  auroraIoMillionsPerMonth: {
    value: 5,
    text: 'Each Aurora Standard cluster makes {value} million I/O requests a month (page reads that miss the buffer cache, and writes).',
  },
  cacheDataGb: {
    value: 0.1,
    text: 'Each ElastiCache Serverless cache holds {value} GB on average (billed at no less than the engine minimum: 100 MB for Valkey, 1 GB for Redis OSS).',
  },
  cacheEcpuPerSecond: {
    value: 5,
    text: 'Each ElastiCache Serverless cache processes {value} ECPUs a second on average (a GET or SET of up to 1 KB is 1 ECPU).',
  },
  rotationLambdaGbSeconds: {
    value: 1,
    text: "Each secret rotation runs the rotation function's four steps (createSecret, setSecret, testSecret, finishSecret) for {value} GB-second in all (about 2 s each at 128 MB).",
  },
};

/** The sentence for `id` with its value filled in. */
export function describeAssumption(id: AssumptionId, assumptions: Assumptions): string {
  const { value, text } = assumptions[id];
  const shown =
    id === 'fargateSpotDiscount'
      ? `${Math.round(value * 100)}%`
      : Number.isInteger(value) && value >= 10_000
        ? value.toLocaleString('en-US')
        : String(value);
  return text.replace('{value}', shown);
}

/** Whether `id` names an assumption. */
export function isAssumptionId(id: string): id is AssumptionId {
  return Object.prototype.hasOwnProperty.call(DEFAULT_ASSUMPTIONS, id);
}

/** The defaults with `overrides` applied. */
export function withAssumptions(overrides: Partial<Record<AssumptionId, number>>): Assumptions {
  const result: Record<string, Assumption> = { ...DEFAULT_ASSUMPTIONS };
  for (const [id, value] of Object.entries(overrides)) {
    if (value !== undefined && isAssumptionId(id)) result[id] = { ...DEFAULT_ASSUMPTIONS[id], value };
  }
  return result as Assumptions;
}
