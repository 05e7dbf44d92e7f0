import { ECSClient, Service } from '@aws-sdk/client-ecs';
import {
  NIGHT_START_SKIP_TAG_KEY,
  NIGHT_START_SKIP_TAG_VALUE,
  SCHEDULE_TAG_KEY,
} from '@slipway/constructs/lib/contract';
import {
  describeSchedule,
  formatLocal,
  isAwake,
  nextWake,
  parseScheduleTag,
  ScheduleConfig,
} from '@slipway/constructs/lib/schedule/awake-hours';
import { describeServices } from './discovery';

/** The tag of a service verify does not start at night, as the output names it: `slipway:night-start=skip`. */
export const NIGHT_START_SKIP_TAG = `${NIGHT_START_SKIP_TAG_KEY}=${NIGHT_START_SKIP_TAG_VALUE}`;

/** A service with no tasks because its environment's schedule has it asleep. */
export interface SleepingService {
  readonly service: string;
  readonly schedule: ScheduleConfig;
  /** When the schedule wakes it (now, when the wake action is due but has not run yet). */
  readonly wakesAt: Date;
  /** The task definition its primary deployment would start: what the last deploy left it with. */
  readonly taskDefinitionArn?: string;
  /**
   * False when the service is tagged `slipway:night-start=skip` (its spec's `startWhenAsleep: false`): verify checks
   * its task definition only and starts no task of it.
   */
  readonly startWhenAsleep: boolean;
  /**
   * The service as DescribeServices described it: the network configuration and capacity provider strategy (or
   * launch type and platform version) a task started for it at night must use to start as its own would.
   */
  readonly described: Service;
}

/**
 * A wake action runs within a minute or two of its time: a service that should have woken in the last few minutes
 * and has no tasks yet is still waking, not broken.
 */
const WAKE_GRACE_MS = 5 * 60_000;

/** The schedule a service carries in its `slipway:awake-hours` tag (DescribeServices with include TAGS). */
export function serviceSchedule(service: Service): ScheduleConfig | undefined {
  const value = service.tags?.find((tag) => tag.key === SCHEDULE_TAG_KEY)?.value;
  return value === undefined ? undefined : parseScheduleTag(value);
}

/**
 * The service, if it is asleep by schedule at `now`: its desired count is 0, and its schedule has it asleep now or
 * had it asleep a few minutes ago (its wake action may not have run yet). A service with no tasks in its awake hours
 * is not asleep: something else is wrong.
 */
export function sleepingBySchedule(service: Service, now: number): SleepingService | undefined {
  if ((service.desiredCount ?? 0) !== 0) return undefined;
  const schedule = serviceSchedule(service);
  if (!schedule) return undefined;
  const awakeNow = isAwake(schedule, new Date(now));
  if (awakeNow && isAwake(schedule, new Date(now - WAKE_GRACE_MS))) return undefined;
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  return {
    service: service.serviceName ?? '?',
    schedule,
    wakesAt: awakeNow ? new Date(now) : nextWake(schedule, new Date(now)),
    taskDefinitionArn: primary?.taskDefinition ?? service.taskDefinition,
    startWhenAsleep: !service.tags?.some(
      (tag) => tag.key === NIGHT_START_SKIP_TAG_KEY && tag.value === NIGHT_START_SKIP_TAG_VALUE,
    ),
    described: service,
  };
}

/** `asleep by schedule (MON-FRI 07:00–20:00 Europe/Dublin) until 2024-05-02 07:00 Europe/Dublin (THU)`. */
export function describeSleep(sleeping: SleepingService): string {
  return `asleep by schedule (${describeSchedule(sleeping.schedule)}) until ${formatLocal(sleeping.schedule.timezone, sleeping.wakesAt)}`;
}

/** The services of `names` that are asleep by schedule at `now`, read with their tags. */
export async function findSleepingServices(
  ecs: ECSClient,
  cluster: string,
  names: readonly string[],
  now: number,
): Promise<Map<string, SleepingService>> {
  const sleeping = new Map<string, SleepingService>();
  for (const service of await describeServices(ecs, cluster, names)) {
    const asleep = sleepingBySchedule(service, now);
    if (asleep) sleeping.set(asleep.service, asleep);
  }
  return sleeping;
}
