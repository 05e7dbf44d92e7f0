import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  paginateListClusters,
  paginateListServices,
  Service,
} from '@aws-sdk/client-ecs';
import { ENVIRONMENT_TAG_KEY } from '@slipway/constructs/lib/contract';
import { describeAwsError } from './ecs-client';

/** One environment's ECS cluster and its services, found by tag. */
export interface EnvironmentServices {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** Service names, sorted. */
  readonly services: string[];
}

/** The environment could not be found or is ambiguous; the message says what was searched. */
export class EnvironmentNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentNotFoundError';
  }
}

/** DescribeServices takes at most 10 services per call. */
const DESCRIBE_SERVICES_BATCH = 10;

/** DescribeClusters takes at most 100 clusters per call. */
const DESCRIBE_CLUSTERS_BATCH = 100;

/**
 * Find the cluster tagged `slipway:environment=<environment>` in the client's
 * region and list its services.
 */
export async function findEnvironmentServices(ecs: ECSClient, environment: string): Promise<EnvironmentServices> {
  const clusterArns: string[] = [];
  for await (const page of paginateListClusters({ client: ecs }, {})) clusterArns.push(...(page.clusterArns ?? []));

  const matches: { arn: string; name: string }[] = [];
  for (let start = 0; start < clusterArns.length; start += DESCRIBE_CLUSTERS_BATCH) {
    const response = await ecs.send(
      new DescribeClustersCommand({
        clusters: clusterArns.slice(start, start + DESCRIBE_CLUSTERS_BATCH),
        include: ['TAGS'],
      }),
    );
    for (const cluster of response.clusters ?? []) {
      if (cluster.tags?.some((tag) => tag.key === ENVIRONMENT_TAG_KEY && tag.value === environment)) {
        matches.push({ arn: cluster.clusterArn!, name: cluster.clusterName! });
      }
    }
  }
  const region = await ecs.config.region();
  if (matches.length === 0) {
    throw new EnvironmentNotFoundError(
      `No ECS cluster tagged ${ENVIRONMENT_TAG_KEY}=${environment} in ${region} (searched ${clusterArns.length} cluster${clusterArns.length === 1 ? '' : 's'}). ` +
        'Check --region and the AWS account you are logged in to, or pass --cluster.',
    );
  }
  if (matches.length > 1) {
    throw new EnvironmentNotFoundError(
      `${matches.length} ECS clusters in ${region} are tagged ${ENVIRONMENT_TAG_KEY}=${environment}: ${matches.map((m) => m.name).join(', ')}. Pass --cluster to choose one.`,
    );
  }
  const [cluster] = matches;
  return { clusterArn: cluster.arn, clusterName: cluster.name, services: await listServiceNames(ecs, cluster.arn) };
}

/** Every service name in `cluster`, sorted. */
export async function listServiceNames(ecs: ECSClient, cluster: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListServices({ client: ecs }, { cluster })) {
    names.push(...(page.serviceArns ?? []).map((arn) => arn.split('/').pop()!));
  }
  return names.sort();
}

/** The services named, with their tags, described in batches of the most DescribeServices takes. */
export async function describeServices(ecs: ECSClient, cluster: string, names: readonly string[]): Promise<Service[]> {
  const services: Service[] = [];
  for (let start = 0; start < names.length; start += DESCRIBE_SERVICES_BATCH) {
    const response = await ecs.send(
      new DescribeServicesCommand({
        cluster,
        services: names.slice(start, start + DESCRIBE_SERVICES_BATCH),
        // The services' tags: a schedule's awake hours (SCHEDULE_TAG_KEY) tell a sleeping service from a broken one.
        include: ['TAGS'],
      }),
    );
    services.push(...(response.services ?? []));
  }
  return services;
}

/** The one line a command prints when it cannot read an environment: the search that failed, or the AWS error. */
export function environmentReadError(environment: string, error: unknown): string {
  const reason =
    error instanceof Error && error.name === 'EnvironmentNotFoundError' ? error.message : describeAwsError(error);
  return `✖ Could not read environment ${environment}: ${reason}`;
}
