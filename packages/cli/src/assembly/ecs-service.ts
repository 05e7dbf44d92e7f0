import type { AtCapacity } from './at-capacity';
import type { TemplateResource } from './cloud-assembly';
import { literalNumber, literalString, referencedId, referencedIds } from './template-values';

/*
 * How many tasks of an ECS service run, and on which Fargate capacity, read
 * from its template: shared by the cost estimate and the architecture diagram.
 */

/** One capacity provider's part of a service's tasks. */
export interface CapacityShare {
  readonly provider: string;
  readonly base: number;
  readonly weight: number;
}

/** The capacity provider strategy a service's tasks follow, or why it cannot be priced. */
export function capacityStrategy(
  resources: Readonly<Record<string, TemplateResource>>,
  service: Record<string, any>,
): CapacityShare[] | string {
  const explicit = service.CapacityProviderStrategy;
  const fromList = (list: any[]): CapacityShare[] =>
    list.map((entry) => ({
      provider: literalString(entry?.CapacityProvider) ?? '(unresolved)',
      base: literalNumber(entry?.Base) ?? 0,
      weight: literalNumber(entry?.Weight) ?? 0,
    }));
  if (Array.isArray(explicit) && explicit.length > 0) return fromList(explicit);
  const launchType = literalString(service.LaunchType);
  if (launchType === 'FARGATE') return [{ provider: 'FARGATE', base: 0, weight: 1 }];
  if (launchType !== undefined) {
    return `runs on the ${launchType} launch type, not Fargate; price its instances instead`;
  }
  const clusterId = referencedId(service.Cluster);
  const association = Object.values(resources).find(
    (candidate) =>
      candidate.Type === 'AWS::ECS::ClusterCapacityProviderAssociations' &&
      referencedId(candidate.Properties?.Cluster) === clusterId,
  );
  const defaults = association?.Properties?.DefaultCapacityProviderStrategy;
  if (Array.isArray(defaults) && defaults.length > 0) return fromList(defaults);
  return 'has no launch type or capacity provider strategy, so ECS would place it on EC2 capacity';
}

/** Tasks per provider for `tasks` tasks: bases first, in strategy order, then the rest by weight. */
export function splitTasks(tasks: number, strategy: readonly CapacityShare[]): Record<string, number> {
  const result: Record<string, number> = {};
  let remaining = tasks;
  for (const share of strategy) {
    const base = Math.min(share.base, remaining);
    result[share.provider] = (result[share.provider] ?? 0) + base;
    remaining -= base;
  }
  const totalWeight = strategy.reduce((sum, share) => sum + share.weight, 0);
  for (const share of strategy) {
    const portion = totalWeight > 0 ? (remaining * share.weight) / totalWeight : share === strategy[0] ? remaining : 0;
    result[share.provider] = (result[share.provider] ?? 0) + portion;
  }
  return result;
}

/**
 * Fewest and most tasks: the scalable target's bounds (autoscaled services have no DesiredCount: a deploy keeps
 * the running count), else the desired count (1 when unset, as in CloudFormation).
 */
export function taskCounts(
  resources: Readonly<Record<string, TemplateResource>>,
  serviceId: string,
  service: Record<string, any>,
): AtCapacity | string {
  const target = Object.values(resources).find(
    (candidate) =>
      candidate.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
      candidate.Properties?.ScalableDimension === 'ecs:service:DesiredCount' &&
      referencedIds(candidate.Properties?.ResourceId).has(serviceId),
  );
  if (target) {
    const min = literalNumber(target.Properties?.MinCapacity);
    const max = literalNumber(target.Properties?.MaxCapacity);
    if (min === undefined || max === undefined) return 'its scalable target has no literal MinCapacity/MaxCapacity';
    return { min, max };
  }
  if (service.DesiredCount === undefined) return { min: 1, max: 1 };
  const desired = literalNumber(service.DesiredCount);
  return desired === undefined ? 'its DesiredCount is not a literal number' : { min: desired, max: desired };
}

/** The cluster's containerInsights setting: `enabled`, `enhanced`, `disabled`, or undefined. */
export function containerInsightsMode(cluster: TemplateResource | undefined): string | undefined {
  const settings = cluster?.Properties?.ClusterSettings;
  if (!Array.isArray(settings)) return undefined;
  return literalString(settings.find((setting) => setting?.Name === 'containerInsights')?.Value);
}

/** Log groups the awslogs driver of a task definition writes to. */
export function taskLogGroups(taskDefinition: TemplateResource): string[] {
  const containers = taskDefinition.Properties?.ContainerDefinitions;
  if (!Array.isArray(containers)) return [];
  return containers
    .filter((container) => container?.LogConfiguration?.LogDriver === 'awslogs')
    .map((container) => referencedId(container.LogConfiguration.Options?.['awslogs-group']) ?? '(outside this stack)');
}
