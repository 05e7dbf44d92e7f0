import { DescribeServicesCommand, ECSClient, Deployment, Service } from '@aws-sdk/client-ecs';
import { Clock, formatDuration } from '../clock';
import { CommandOutput } from '../command';
import {
  assessServiceDeployment,
  describeProgress,
  describeServiceDeployment,
  findLatestServiceDeployment,
  isTrafficShifting,
  plannedWaitMs,
  ServiceDeploymentProgress,
  ServiceDeploymentUnreadableError,
} from './service-deployment';
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
  /**
   * What must change for the wait loop to print the service again; the detail
   * when unset. A traffic-shifting deployment's counts down its bake time on
   * every poll, but is printed once per stage and traffic split.
   */
  readonly progressKey?: string;
  /** Why a traffic-shifting deployment rolled back or stopped, in one line. */
  readonly reason?: string;
  /** The traffic-shifting service deployment, when the service has one. */
  readonly serviceDeployment?: ServiceDeploymentProgress;
  /** How long its strategy deliberately waits (traffic-shift steps and bake time), in milliseconds. */
  readonly plannedWaitMs?: number;
}

/** How a bounded wait for every service ended. */
export interface RolloutResult {
  readonly outcome: 'completed' | 'failed' | 'timed-out';
  /** The last state of every service. */
  readonly services: readonly ServiceRollout[];
  /** How long the wait was allowed in the end: the timeout plus the strategies' planned waits. */
  readonly allowedMs: number;
}

/** What to wait for, and for how long. */
export interface WaitForRolloutOptions {
  readonly cluster: string;
  /** Service names or ARNs in the cluster. */
  readonly services: readonly string[];
  /**
   * Give up after this many milliseconds, plus what a traffic-shifting
   * strategy deliberately waits (canary or linear steps, bake time), read
   * from each service's deployment configuration.
   */
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
 * A service whose deployment configuration shifts traffic (ECS blue/green,
 * canary, linear) is followed through its newest service deployment instead
 * (ListServiceDeployments, DescribeServiceDeployments) until SUCCESSFUL, and
 * fails as soon as it rolls back or stops. Throttling is retried with backoff
 * inside the deadline; any other AWS error is thrown to the caller.
 */
export async function waitForRollout(ecs: ECSClient, options: WaitForRolloutOptions): Promise<RolloutResult> {
  const { clock, output } = options;
  const started = clock.now();
  let allowedMs = options.timeoutMs;
  const lastLine = new Map<string, string>();
  let latest: ServiceRollout[] = options.services.map((service) => ({
    service,
    state: 'in-progress',
    detail: 'not read yet',
  }));
  let throttledInARow = 0;
  const calls: EcsCalls = { operation: 'DescribeServices' };

  for (;;) {
    try {
      latest = await describeRollouts(ecs, options.cluster, options.services, clock.now(), calls);
      throttledInARow = 0;
    } catch (error) {
      if (!isThrottlingError(error)) throw error;
      throttledInARow += 1;
      const deadline = started + allowedMs;
      const backoff = Math.min(options.pollIntervalMs * 2 ** (throttledInARow - 1), MAX_THROTTLE_BACKOFF_MS);
      const wait = Math.min(backoff, Math.max(deadline - clock.now(), 0));
      output.info(`  ECS throttled ${calls.operation} (${(error as Error).name}); retrying in ${formatDuration(wait)}`);
      if (clock.now() >= deadline) return { outcome: 'timed-out', services: latest, allowedMs };
      await clock.sleep(wait);
      continue;
    }

    const planned = Math.max(0, ...latest.map((rollout) => rollout.plannedWaitMs ?? 0));
    if (options.timeoutMs + planned > allowedMs) {
      allowedMs = options.timeoutMs + planned;
      output.info(
        `  waiting up to ${formatDuration(allowedMs)} in all: ${formatDuration(options.timeoutMs)} plus ${formatDuration(planned)} of traffic shifting and bake time`,
      );
    }
    for (const rollout of latest) {
      const line = `${rollout.service}: ${rollout.detail}`;
      const key = rollout.progressKey ?? line;
      if (lastLine.get(rollout.service) !== key) {
        output.info(`  ${stateMark(rollout.state)} ${line}`);
        lastLine.set(rollout.service, key);
      }
    }
    if (
      latest.some(
        (rollout) => rollout.state === 'failed' || rollout.state === 'rolled-back' || rollout.state === 'missing',
      )
    ) {
      return { outcome: 'failed', services: latest, allowedMs };
    }
    if (latest.every((rollout) => rollout.state === 'completed')) {
      return { outcome: 'completed', services: latest, allowedMs };
    }
    const remaining = started + allowedMs - clock.now();
    if (remaining <= 0) return { outcome: 'timed-out', services: latest, allowedMs };
    await clock.sleep(Math.min(options.pollIntervalMs, remaining));
  }
}

/** The ECS call in flight, so a throttling message can name it. */
interface EcsCalls {
  operation: string;
}

async function describeRollouts(
  ecs: ECSClient,
  cluster: string,
  services: readonly string[],
  now: number,
  calls: EcsCalls,
): Promise<ServiceRollout[]> {
  const rollouts: ServiceRollout[] = [];
  for (let start = 0; start < services.length; start += DESCRIBE_BATCH) {
    const batch = services.slice(start, start + DESCRIBE_BATCH);
    calls.operation = 'DescribeServices';
    const response = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    for (const name of batch) {
      const service = response.services?.find(
        (candidate) => candidate.serviceName === name || candidate.serviceArn === name,
      );
      if (service) {
        let progress: ServiceDeploymentProgress | undefined;
        try {
          progress = await readServiceDeployment(ecs, cluster, service, now, calls);
        } catch (error) {
          if (!(error instanceof ServiceDeploymentUnreadableError)) throw error;
          // Not judged as rolling, and not failed at once: ECS may list a deployment a moment before it describes
          // it. The wait goes on, and a timeout names the reason.
          rollouts.push({ service: name, state: 'in-progress', detail: error.message });
          continue;
        }
        rollouts.push(progress ? assessTrafficShift(name, service, progress) : assessService(name, service));
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

/**
 * The newest service deployment of a service whose deployment configuration
 * shifts traffic; undefined for a rolling service (no extra calls: rolling
 * services are judged from DescribeServices alone, as before) or when ECS has
 * no service deployment for it.
 */
export async function readServiceDeployment(
  ecs: ECSClient,
  cluster: string,
  service: Service,
  now: number,
  calls: EcsCalls = { operation: '' },
): Promise<ServiceDeploymentProgress | undefined> {
  if (!isTrafficShifting(service.deploymentConfiguration)) return undefined;
  if (service.deploymentController?.type !== undefined && service.deploymentController.type !== 'ECS') return undefined;
  calls.operation = 'ListServiceDeployments';
  const latest = await findLatestServiceDeployment(ecs, cluster, service.serviceArn ?? service.serviceName!);
  if (latest?.serviceDeploymentArn === undefined) return undefined;
  calls.operation = 'DescribeServiceDeployments';
  const deployment = await describeServiceDeployment(ecs, latest.serviceDeploymentArn);
  calls.operation = 'DescribeServices';
  return assessServiceDeployment(deployment, now);
}

/** A service judged by its traffic-shifting service deployment. */
export function assessTrafficShift(
  name: string,
  service: Service,
  progress: ServiceDeploymentProgress,
): ServiceRollout {
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const revision = primary ? `${taskDefinitionName(primary)} ` : '';
  const common = {
    service: name,
    serviceDeployment: progress,
    plannedWaitMs: plannedWaitMs(service.deploymentConfiguration),
  };
  switch (progress.outcome) {
    case 'successful':
      return {
        ...common,
        state: 'completed',
        detail: `${revision}${progress.strategy} SUCCESSFUL (${progress.settings}), traffic ${progress.traffic}`,
      };
    case 'rolled-back':
    case 'stopped':
      return {
        ...common,
        state: progress.outcome === 'rolled-back' ? 'rolled-back' : 'failed',
        detail: `${revision}${progress.strategy} deployment ${progress.reason}`,
        reason: progress.reason,
      };
    default:
      return {
        ...common,
        state: 'in-progress',
        detail: `${revision}${progress.strategy} ${progress.status} (${progress.settings}): ${describeProgress(progress)}`,
        progressKey: `${progress.status} ${progress.stage} ${progress.traffic}`,
      };
  }
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
