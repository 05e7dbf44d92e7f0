import { DescribeServicesCommand, ECSClient, Deployment, Service } from '@aws-sdk/client-ecs';
import { Clock, formatDuration } from '../clock';
import { CommandOutput } from '../command';
import { isThrottlingError } from './throttling';

/** Where one service's deployment stands. */
export type RolloutState = 'completed' | 'in-progress' | 'failed' | 'rolled-back' | 'missing';

/** One service's rollout, read from a DescribeServices response. */
export interface ServiceRollout {
  /** Service name as given. */
  readonly service: string;
  readonly state: RolloutState;
  /** One human line: counts, rollout state and reason. */
  readonly detail: string;
}

/** How a bounded wait for every service ended. */
export interface RolloutResult {
  readonly outcome: 'completed' | 'failed' | 'timed-out';
  /** The last state of every service. */
  readonly services: readonly ServiceRollout[];
}

/** What to wait for, and for how long. */
export interface WaitForRolloutOptions {
  readonly cluster: string;
  /** Service names or ARNs in the cluster. */
  readonly services: readonly string[];
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /** Milliseconds between DescribeServices calls. */
  readonly pollIntervalMs: number;
  readonly clock: Clock;
  readonly output: CommandOutput;
}

/** DescribeServices takes at most ten services per call. */
const DESCRIBE_BATCH = 10;
/** Longest pause after repeated throttling. */
const MAX_THROTTLE_BACKOFF_MS = 60_000;

/**
 * Judge one service from its DescribeServices entry.
 *
 * The primary deployment is the one ECS is rolling out. With the deployment
 * circuit breaker on, its `rolloutState` says COMPLETED / IN_PROGRESS /
 * FAILED; when the breaker rolls back, ECS makes a new primary deployment
 * (the previous task definition) and leaves the failed one listed as ACTIVE
 * with rolloutState FAILED until the rollback finishes. Without the breaker
 * there is no rolloutState, and a service is settled when a single deployment
 * runs the desired count (what `aws ecs wait services-stable` checks).
 */
export function assessService(name: string, service: Service): ServiceRollout {
  if (service.status !== undefined && service.status !== 'ACTIVE') {
    return { service: name, state: 'missing', detail: `service status is ${service.status}, not ACTIVE` };
  }
  const deployments = service.deployments ?? [];
  const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (!primary) {
    return { service: name, state: 'in-progress', detail: 'no primary deployment yet' };
  }
  const counts = describeCounts(primary);
  const failedEarlier = deployments.find(
    (deployment) => deployment !== primary && deployment.rolloutState === 'FAILED',
  );
  if (failedEarlier) {
    return {
      service: name,
      state: 'rolled-back',
      detail:
        `the deployment circuit breaker stopped deployment ${failedEarlier.id} (${taskDefinitionName(failedEarlier)}): ` +
        `${failedEarlier.rolloutStateReason ?? 'no reason given'}; ECS is rolling back to ${taskDefinitionName(primary)}`,
    };
  }
  if (primary.rolloutState === 'FAILED') {
    return {
      service: name,
      state: 'failed',
      detail: `deployment ${primary.id} (${taskDefinitionName(primary)}) FAILED: ${primary.rolloutStateReason ?? 'no reason given'}; ${counts}`,
    };
  }
  const settled =
    primary.rolloutState === undefined
      ? deployments.length === 1 && primary.runningCount === primary.desiredCount
      : primary.rolloutState === 'COMPLETED' && primary.runningCount === primary.desiredCount;
  if (settled) {
    return { service: name, state: 'completed', detail: `${taskDefinitionName(primary)} COMPLETED, ${counts}` };
  }
  const others = deployments.length - 1;
  return {
    service: name,
    state: 'in-progress',
    detail:
      `${taskDefinitionName(primary)} ${primary.rolloutState ?? 'rolling out'}, ${counts}` +
      (others > 0 ? `, ${others} older deployment${others > 1 ? 's' : ''} draining` : ''),
  };
}

/**
 * Poll DescribeServices until every service's primary deployment completed
 * with running == desired, one fails or rolls back, or the time runs out.
 * Throttling is retried with backoff inside the deadline; any other AWS error
 * is thrown to the caller.
 */
export async function waitForRollout(ecs: ECSClient, options: WaitForRolloutOptions): Promise<RolloutResult> {
  const { clock, output } = options;
  const deadline = clock.now() + options.timeoutMs;
  const lastLine = new Map<string, string>();
  let latest: ServiceRollout[] = options.services.map((service) => ({
    service,
    state: 'in-progress',
    detail: 'not read yet',
  }));
  let throttledInARow = 0;

  for (;;) {
    try {
      latest = await describeRollouts(ecs, options.cluster, options.services);
      throttledInARow = 0;
    } catch (error) {
      if (!isThrottlingError(error)) throw error;
      throttledInARow += 1;
      const backoff = Math.min(options.pollIntervalMs * 2 ** (throttledInARow - 1), MAX_THROTTLE_BACKOFF_MS);
      const wait = Math.min(backoff, Math.max(deadline - clock.now(), 0));
      output.info(`  ECS throttled DescribeServices (${(error as Error).name}); retrying in ${formatDuration(wait)}`);
      if (clock.now() >= deadline) return { outcome: 'timed-out', services: latest };
      await clock.sleep(wait);
      continue;
    }

    for (const rollout of latest) {
      const line = `${rollout.service}: ${rollout.detail}`;
      if (lastLine.get(rollout.service) !== line) {
        output.info(`  ${stateMark(rollout.state)} ${line}`);
        lastLine.set(rollout.service, line);
      }
    }
    if (
      latest.some(
        (rollout) => rollout.state === 'failed' || rollout.state === 'rolled-back' || rollout.state === 'missing',
      )
    ) {
      return { outcome: 'failed', services: latest };
    }
    if (latest.every((rollout) => rollout.state === 'completed')) {
      return { outcome: 'completed', services: latest };
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { outcome: 'timed-out', services: latest };
    await clock.sleep(Math.min(options.pollIntervalMs, remaining));
  }
}

async function describeRollouts(
  ecs: ECSClient,
  cluster: string,
  services: readonly string[],
): Promise<ServiceRollout[]> {
  const rollouts: ServiceRollout[] = [];
  for (let start = 0; start < services.length; start += DESCRIBE_BATCH) {
    const batch = services.slice(start, start + DESCRIBE_BATCH);
    const response = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    for (const name of batch) {
      const service = response.services?.find(
        (candidate) => candidate.serviceName === name || candidate.serviceArn === name,
      );
      if (service) {
        rollouts.push(assessService(name, service));
        continue;
      }
      const failure = response.failures?.find(
        (candidate) => candidate.arn?.endsWith(`/${name}`) || candidate.arn === name,
      );
      rollouts.push({
        service: name,
        state: 'missing',
        detail: `not found in cluster ${cluster} (${failure?.reason ?? 'MISSING'}${failure?.detail ? `: ${failure.detail}` : ''})`,
      });
    }
  }
  return rollouts;
}

function describeCounts(deployment: Deployment): string {
  const pending = deployment.pendingCount ? `, ${deployment.pendingCount} pending` : '';
  const failed = deployment.failedTasks ? `, ${deployment.failedTasks} failed to start` : '';
  return `${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0} running${pending}${failed}`;
}

/** `arn:...:task-definition/backend:12` → `backend:12`. */
export function taskDefinitionName(deployment: Deployment): string {
  return deployment.taskDefinition?.split('/').pop() ?? 'unknown task definition';
}

function stateMark(state: RolloutState): string {
  switch (state) {
    case 'completed':
      return '✔';
    case 'in-progress':
      return '…';
    default:
      return '✖';
  }
}
