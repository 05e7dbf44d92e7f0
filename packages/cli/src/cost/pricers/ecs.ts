import { SCHEDULE_TAG_KEY } from '@slipway/constructs/lib/contract';
import { awakeHoursPerWeek, parseScheduleTag } from '@slipway/constructs/lib/schedule/awake-hours';
import type { AssumptionId } from '../assumptions';
import { retentionMonths } from './logs';
import { addAssumedLine, formatCount, HOURLY, plural, range, ResourcePricer, ResourcePricers } from './pricer';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import {
  capacityStrategy,
  containerInsightsMode,
  splitTasks,
  taskCounts,
  taskLogGroups,
} from '../../assembly/ecs-service';
import { literalNumber, literalString, referencedId } from '../../assembly/template-values';
import type { StackPricingContext } from '../stack-pricing-context';

/** Container Insights metrics of a service or a cluster, billed as custom metrics. */
function addContainerInsightsLine(
  context: StackPricingContext,
  id: string,
  resource: TemplateResource,
  of: 'service' | 'cluster',
): void {
  addAssumedLine(context, id, resource, {
    item: `Container Insights ${of} metrics`,
    detail: (metrics) => plural(metrics, 'metric'),
    priceId: 'cloudwatch.custom-metric',
    assumption: of === 'service' ? 'containerInsightsMetricsPerService' : 'containerInsightsMetricsPerCluster',
  });
}

const priceEcsService: ResourcePricer = (context, id, resource) => {
  const service = resource.Properties ?? {};
  const taskDefinition = context.resource(referencedId(service.TaskDefinition));
  if (!taskDefinition || taskDefinition.Type !== 'AWS::ECS::TaskDefinition') {
    context.addNotPriced(id, resource, 'its task definition is not in this stack, so its CPU and memory are unknown');
    return;
  }
  const cpuUnits = literalNumber(taskDefinition.Properties?.Cpu);
  const memoryMiB = literalNumber(taskDefinition.Properties?.Memory);
  if (cpuUnits === undefined || memoryMiB === undefined) {
    context.addNotPriced(id, resource, 'its task definition has no literal task-level Cpu and Memory');
    return;
  }
  const os = literalString(taskDefinition.Properties?.RuntimePlatform?.OperatingSystemFamily);
  if (os !== undefined && os !== 'LINUX') {
    context.addNotPriced(id, resource, `runs ${os} tasks; only Linux Fargate is in the price table`);
    return;
  }
  const strategy = capacityStrategy(context.resources, service);
  if (typeof strategy === 'string') {
    context.addNotPriced(id, resource, strategy);
    return;
  }
  const unknownProvider = strategy.find((share) => share.provider !== 'FARGATE' && share.provider !== 'FARGATE_SPOT');
  if (unknownProvider) {
    context.addNotPriced(
      id,
      resource,
      `uses capacity provider ${unknownProvider.provider}; only FARGATE and FARGATE_SPOT are priced`,
    );
    return;
  }
  const counts = taskCounts(context.resources, id, service);
  if (typeof counts === 'string') {
    context.addNotPriced(id, resource, counts);
    return;
  }

  const vcpu = cpuUnits / 1024;
  const memoryGb = memoryMiB / 1024;
  const arch =
    literalString(taskDefinition.Properties?.RuntimePlatform?.CpuArchitecture) === 'ARM64' ? 'linux-arm' : 'linux-x86';
  // A service with an out-of-hours schedule runs only in its awake hours: its tasks, their logs and their Cloud Map
  // registrations are billed for that share of the month.
  const awakeShare = scheduleShare(service);
  const awake = awakeShare === undefined ? '' : `, awake ${formatCount(awakeShare.hours)} of 168 h a week`;
  const share = awakeShare?.share ?? 1;
  const hoursPerMonth = context.assume('hoursPerMonth') * share;
  const spotFactor = 1 - context.assume('fargateSpotDiscount');
  const byProvider = { min: splitTasks(counts.min, strategy), max: splitTasks(counts.max, strategy) };

  for (const provider of ['FARGATE', 'FARGATE_SPOT']) {
    const tasks = { min: byProvider.min[provider] ?? 0, max: byProvider.max[provider] ?? 0 };
    if (tasks.min === 0 && tasks.max === 0) continue;
    const spot = provider === 'FARGATE_SPOT';
    const label = spot ? 'Fargate Spot' : 'Fargate';
    const assumptions: AssumptionId[] = spot ? ['hoursPerMonth', 'fargateSpotDiscount'] : ['hoursPerMonth'];
    // A task is billed for its vCPU and its memory, each per hour.
    for (const [dimension, perTask, unit, priceUnit] of [
      ['vCPU', vcpu, 'vCPU', 'vcpu-hour'],
      ['memory', memoryGb, 'GB', 'gb-hour'],
    ] as const) {
      context.addLine(id, resource, {
        item: `${label} ${dimension}`,
        detail: `${range(tasks, 'task')} × ${formatCount(perTask)} ${unit}${awake}`,
        priceId: `fargate.${arch}.${priceUnit}`,
        quantity: { min: tasks.min * perTask * hoursPerMonth, max: tasks.max * perTask * hoursPerMonth },
        factor: spot ? spotFactor : 1,
        assumptions,
      });
    }
  }

  const ephemeralGb = literalNumber(taskDefinition.Properties?.EphemeralStorage?.SizeInGiB);
  if (ephemeralGb !== undefined && ephemeralGb > 20) {
    context.addLine(id, resource, {
      item: 'Fargate ephemeral storage',
      detail: `${range(counts, 'task')} × ${ephemeralGb - 20} GB above 20 GB`,
      priceId: 'fargate.ephemeral-storage.gb-hour',
      quantity: {
        min: counts.min * (ephemeralGb - 20) * hoursPerMonth,
        max: counts.max * (ephemeralGb - 20) * hoursPerMonth,
      },
      assumptions: HOURLY,
    });
  }

  if (service.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp === 'ENABLED') {
    context.addLine(id, resource, {
      item: 'Public IPv4 addresses of tasks',
      detail: `${range(counts, 'task')} × 1 address`,
      priceId: 'vpc.public-ipv4.hour',
      quantity: { min: counts.min * hoursPerMonth, max: counts.max * hoursPerMonth },
      assumptions: HOURLY,
    });
  }

  const logGroups = taskLogGroups(taskDefinition);
  if (logGroups.length > 0) {
    const gbPerTask = context.assume('logGbPerTaskMonth');
    const ingested = { min: counts.min * gbPerTask * share, max: counts.max * gbPerTask * share };
    context.addLine(id, resource, {
      item: 'CloudWatch Logs ingestion',
      detail: `${range(counts, 'task')} × ${gbPerTask} GB${awake}`,
      priceId: 'cloudwatch.logs.ingested-gb',
      quantity: ingested,
      assumptions: ['logGbPerTaskMonth'],
    });
    const retention = retentionMonths(context, context.resource(logGroups[0]));
    context.addLine(id, resource, {
      item: 'CloudWatch Logs storage',
      detail: `${formatCount(Math.round(retention.months * 100) / 100)} months retained`,
      priceId: 'cloudwatch.logs.stored-gb-month',
      quantity: { min: ingested.min * retention.months, max: ingested.max * retention.months },
      assumptions: retention.assumed ? ['logGbPerTaskMonth', 'logRetentionMonthsWhenUnset'] : ['logGbPerTaskMonth'],
    });
  }

  const registries = Array.isArray(service.ServiceRegistries) && service.ServiceRegistries.length > 0;
  const serviceConnect =
    service.ServiceConnectConfiguration?.Enabled === true &&
    Array.isArray(service.ServiceConnectConfiguration.Services) &&
    service.ServiceConnectConfiguration.Services.length > 0;
  if (registries || serviceConnect) {
    context.addLine(id, resource, {
      item: 'Cloud Map registered tasks',
      detail: `${range(counts, 'task')}${awake}`,
      priceId: 'cloudmap.registered-instance',
      quantity: { min: counts.min * share, max: counts.max * share },
    });
  }

  if (containerInsightsMode(context.resource(referencedId(service.Cluster))) === 'enabled') {
    addContainerInsightsLine(context, id, resource, 'service');
  }
};

/** The awake hours a week of a service tagged with an out-of-hours schedule, and their share of the week. */
function scheduleShare(service: Record<string, any>): { hours: number; share: number } | undefined {
  const tags: unknown = service.Tags;
  if (!Array.isArray(tags)) return undefined;
  const value = tags.find((tag) => tag?.Key === SCHEDULE_TAG_KEY)?.Value;
  const schedule = typeof value === 'string' ? parseScheduleTag(value) : undefined;
  if (!schedule) return undefined;
  const hours = awakeHoursPerWeek(schedule.awake);
  return { hours, share: hours / 168 };
}

const priceEcsCluster: ResourcePricer = (context, id, resource) => {
  const mode = containerInsightsMode(resource);
  if (mode === 'enabled') {
    addContainerInsightsLine(context, id, resource, 'cluster');
  } else if (mode === 'enhanced') {
    context.addNotPriced(
      id,
      resource,
      'Container Insights with enhanced observability is billed per observation; not in the price table',
    );
  } else {
    context.addFree(resource, 'no charge for the cluster; its tasks are priced per service');
  }
};

/** ECS on Fargate: services by their tasks (with their logs and Cloud Map registrations), clusters by Container Insights. */
export const ECS_PRICERS: ResourcePricers = {
  'AWS::ECS::Service': priceEcsService,
  'AWS::ECS::Cluster': priceEcsCluster,
};
