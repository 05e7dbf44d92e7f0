import {
  DeploymentConfiguration,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ServiceDeployment,
  ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { formatDuration } from '../clock';

/**
 * ECS deployment strategies that shift traffic between two service revisions
 * (ECS native blue/green, canary, linear); `ROLLING` replaces tasks in place
 * and has no service-deployment stages worth following.
 */
export const TRAFFIC_SHIFTING_STRATEGIES: ReadonlySet<string> = new Set(['BLUE_GREEN', 'CANARY', 'LINEAR']);

/** Whether a service's (or deployment's) configuration shifts traffic rather than rolling tasks. */
export function isTrafficShifting(configuration: DeploymentConfiguration | undefined): boolean {
  return configuration?.strategy !== undefined && TRAFFIC_SHIFTING_STRATEGIES.has(configuration.strategy);
}

/** Where a traffic-shifting service deployment stands, for people and for the wait loop. */
export interface ServiceDeploymentProgress {
  /** `CANARY`, `LINEAR`, `BLUE_GREEN`. */
  readonly strategy: string;
  /** The strategy's settings in words: `canary 5% for 10m, bake 10m`. */
  readonly settings: string;
  /** The deployment's status, e.g. `IN_PROGRESS`, `ROLLBACK_IN_PROGRESS`. */
  readonly status: string;
  /** The lifecycle stage, e.g. `PRODUCTION_TRAFFIC_SHIFT`; `-` once it has none. */
  readonly stage: string;
  /** Production traffic between the new and the old revision: `10% new / 90% old`. */
  readonly traffic: string;
  /** Milliseconds of bake time left, while the deployment is in BAKE_TIME. */
  readonly bakeRemainingMs?: number;
  /** How this deployment ends for `slipway verify`. */
  readonly outcome: 'successful' | 'in-progress' | 'rolled-back' | 'stopped';
  /** Why it rolled back or stopped, in one line: the alarm, the hook or the circuit breaker. */
  readonly reason?: string;
}

/** ListServiceDeployments returns at most 100 per page (20 by default). */
const LIST_PAGE_SIZE = 100;

/** Statuses after which ECS does not bring the new revision into service. */
const ROLLED_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);
const STOPPED = new Set(['STOPPED', 'STOP_REQUESTED']);

/** Stages in which the old revision still takes every production request. */
const BEFORE_PRODUCTION_SHIFT = new Set([
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
]);
/** Stages in which the new revision takes every production request. */
const AFTER_PRODUCTION_SHIFT = new Set(['POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']);

/**
 * The newest service deployment of `service`, by creation time, reading every
 * page of ListServiceDeployments (ECS does not document the order it lists
 * them in). Undefined when the service has none.
 */
export async function findLatestServiceDeployment(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<ServiceDeploymentBrief | undefined> {
  let latest: ServiceDeploymentBrief | undefined;
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster, service, maxResults: LIST_PAGE_SIZE, nextToken }),
    );
    for (const brief of page.serviceDeployments ?? []) {
      if (latest === undefined || createdTime(brief) > createdTime(latest)) latest = brief;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return latest;
}

/**
 * ECS listed a service deployment but answered DescribeServiceDeployments for it with a failure (its `failures`
 * entry: `MISSING`, or a reason and detail) instead of the deployment. Judging the service as a rolling one instead
 * would let verify pass a canary on its primary deployment before the traffic shift and bake time are over.
 */
export class ServiceDeploymentUnreadableError extends Error {
  constructor(
    public readonly serviceDeploymentArn: string,
    public readonly reason: string,
  ) {
    super(`ECS could not describe service deployment ${serviceDeploymentArn.split('/').pop()}: ${reason}`);
    this.name = 'ServiceDeploymentUnreadableError';
  }
}

/**
 * DescribeServiceDeployments of one deployment.
 * @throws ServiceDeploymentUnreadableError when ECS answers with a failure for it (or with neither)
 */
export async function describeServiceDeployment(
  ecs: ECSClient,
  serviceDeploymentArn: string,
): Promise<ServiceDeployment> {
  const response = await ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [serviceDeploymentArn] }),
  );
  const deployment = response.serviceDeployments?.find(
    (candidate) => candidate.serviceDeploymentArn === serviceDeploymentArn,
  );
  if (deployment) return deployment;
  const failure = response.failures?.find((candidate) => candidate.arn === serviceDeploymentArn);
  throw new ServiceDeploymentUnreadableError(
    serviceDeploymentArn,
    failure
      ? `${failure.reason ?? 'failure'}${failure.detail ? ` (${failure.detail})` : ''}`
      : 'neither the deployment nor a failure in the answer',
  );
}

/**
 * Read a traffic-shifting deployment: its strategy, stage, traffic split, bake
 * time left and, once it rolled back or stopped, why.
 *
 * @param now milliseconds since the epoch, for the bake time left
 */
export function assessServiceDeployment(deployment: ServiceDeployment, now: number): ServiceDeploymentProgress {
  const configuration = deployment.deploymentConfiguration;
  const status = deployment.status ?? 'PENDING';
  const stage = deployment.lifecycleStage ?? '-';
  const outcome = ROLLED_BACK.has(status)
    ? 'rolled-back'
    : STOPPED.has(status)
      ? 'stopped'
      : status === 'SUCCESSFUL'
        ? 'successful'
        : 'in-progress';
  const bakeMs = (configuration?.bakeTimeInMinutes ?? 0) * 60_000;
  // ECS gives no start time per stage; the deployment's updatedAt is the last
  // change it recorded, the move into BAKE_TIME, so this is an estimate.
  const bakeRemainingMs =
    status === 'IN_PROGRESS' && stage === 'BAKE_TIME'
      ? Math.max(0, bakeMs - Math.max(0, now - (deployment.updatedAt?.getTime() ?? now)))
      : undefined;
  return {
    strategy: configuration?.strategy ?? 'UNKNOWN',
    settings: describeSettings(configuration),
    status,
    stage,
    traffic: describeTraffic(deployment, outcome),
    bakeRemainingMs,
    outcome,
    reason: outcome === 'rolled-back' || outcome === 'stopped' ? failureReason(deployment) : undefined,
  };
}

/**
 * How long the strategy deliberately waits, in milliseconds: the canary's or
 * each linear step's wait plus the bake time. `slipway verify` adds it to its
 * timeout so a canary that is still baking is not reported as stuck.
 */
export function plannedWaitMs(configuration: DeploymentConfiguration | undefined): number {
  if (!isTrafficShifting(configuration)) return 0;
  const bake = configuration!.bakeTimeInMinutes ?? 0;
  switch (configuration!.strategy) {
    case 'CANARY':
      return (canaryWaitMinutes(configuration!) + bake) * 60_000;
    case 'LINEAR':
      return (linearSteps(configuration!) - 1) * linearWaitMinutes(configuration!) * 60_000 + bake * 60_000;
    default:
      return bake * 60_000;
  }
}

/** `canary 5% for 10m, bake 10m`, `linear 10% every 6m, bake 0m`, `blue/green, bake 15m`. */
export function describeSettings(configuration: DeploymentConfiguration | undefined): string {
  const bake = `bake ${configuration?.bakeTimeInMinutes ?? 0}m`;
  switch (configuration?.strategy) {
    case 'CANARY':
      return `canary ${canaryPercent(configuration)}% for ${canaryWaitMinutes(configuration)}m, ${bake}`;
    case 'LINEAR':
      return `linear ${linearPercent(configuration)}% every ${linearWaitMinutes(configuration)}m, ${bake}`;
    case 'BLUE_GREEN':
      return `blue/green, ${bake}`;
    default:
      return (configuration?.strategy ?? 'unknown strategy').toLowerCase();
  }
}

/** `PRODUCTION_TRAFFIC_SHIFT, 10% new / 90% old, bake 4m 30s left` (the parts that apply). */
export function describeProgress(progress: ServiceDeploymentProgress): string {
  const bake = progress.bakeRemainingMs !== undefined ? `, bake ${formatDuration(progress.bakeRemainingMs)} left` : '';
  return `${progress.stage}, traffic ${progress.traffic}${bake}`;
}

/**
 * Production traffic split. ECS reports the weight it asked each revision to
 * take (`requestedProductionTrafficWeight`, "a snapshot"); without weights it
 * follows from the stage: nothing moves to the new revision before
 * PRODUCTION_TRAFFIC_SHIFT, everything has after it.
 */
function describeTraffic(deployment: ServiceDeployment, outcome: ServiceDeploymentProgress['outcome']): string {
  const target = deployment.targetServiceRevision?.requestedProductionTrafficWeight;
  const sources = (deployment.sourceServiceRevisions ?? [])
    .map((revision) => revision.requestedProductionTrafficWeight)
    .filter((weight): weight is number => weight !== undefined);
  if (target !== undefined || sources.length > 0) {
    const newWeight = target ?? 100 - sources.reduce((sum, weight) => sum + weight, 0);
    const oldWeight = sources.length > 0 ? sources.reduce((sum, weight) => sum + weight, 0) : 100 - newWeight;
    return split(newWeight, oldWeight);
  }
  if (outcome === 'successful') return split(100, 0);
  if (deployment.status === 'ROLLBACK_SUCCESSFUL') return split(0, 100);
  const stage = deployment.lifecycleStage ?? '';
  if (BEFORE_PRODUCTION_SHIFT.has(stage) || deployment.status === 'PENDING') return split(0, 100);
  if (AFTER_PRODUCTION_SHIFT.has(stage)) return split(100, 0);
  if (stage === 'PRODUCTION_TRAFFIC_SHIFT') {
    const configuration = deployment.deploymentConfiguration;
    if (configuration?.strategy === 'CANARY') return `shifting (canary ${canaryPercent(configuration)}% first)`;
    if (configuration?.strategy === 'LINEAR') return `shifting (${linearPercent(configuration)}% a step)`;
    return 'shifting';
  }
  return 'unknown';
}

function split(newWeight: number, oldWeight: number): string {
  return `${round(newWeight)}% new / ${round(oldWeight)}% old`;
}

function round(weight: number): number {
  return Math.round(weight * 10) / 10;
}

/**
 * Why a deployment rolled back or stopped, most specific first: the alarm that
 * fired, the lifecycle hook that failed, the circuit breaker, then what ECS
 * wrote as the rollback's or the deployment's reason.
 */
function failureReason(deployment: ServiceDeployment): string {
  const causes: string[] = [];
  const alarms = deployment.alarms?.triggeredAlarmNames ?? [];
  if (alarms.length > 0) causes.push(`alarm ${alarms.join(', ')} went to ALARM`);
  for (const hook of deployment.lifecycleHookDetails ?? []) {
    if (hook.status !== 'FAILED' && hook.status !== 'TIMED_OUT') continue;
    const stages = deployment.deploymentConfiguration?.lifecycleHooks
      ?.find((configured) => configured.hookTargetArn !== undefined && configured.hookTargetArn === hook.targetArn)
      ?.lifecycleStages?.join(', ');
    const target = hook.targetArn?.split(':').pop() ?? hook.hookId ?? hook.targetType ?? 'unknown';
    causes.push(
      `lifecycle hook ${target}${stages ? ` (${stages})` : ''} ${hook.status === 'FAILED' ? 'failed' : 'timed out'}`,
    );
  }
  const breaker = deployment.deploymentCircuitBreaker;
  if (breaker?.status === 'TRIGGERED') {
    causes.push(
      `the deployment circuit breaker triggered (${breaker.failureCount ?? '?'} failed tasks, threshold ${breaker.threshold ?? '?'})`,
    );
  }
  const written = [deployment.rollback?.reason, deployment.statusReason].filter(
    (text, index, all): text is string => text !== undefined && text !== '' && all.indexOf(text) === index,
  );
  if (causes.length === 0) causes.push(...written.slice(0, 1));
  if (causes.length === 0) causes.push('ECS gave no reason');
  return `${deployment.status} during ${deployment.lifecycleStage ?? 'an unknown stage'}: ${causes.join('; ')}`;
}

function createdTime(brief: ServiceDeploymentBrief): number {
  return (brief.createdAt ?? brief.startedAt)?.getTime() ?? 0;
}

// The documented defaults ECS applies when a field is left out (CanaryConfiguration, LinearConfiguration).
function canaryPercent(configuration: DeploymentConfiguration): number {
  return configuration.canaryConfiguration?.canaryPercent ?? 5;
}
function canaryWaitMinutes(configuration: DeploymentConfiguration): number {
  return configuration.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10;
}
function linearPercent(configuration: DeploymentConfiguration): number {
  return configuration.linearConfiguration?.stepPercent ?? 10;
}
function linearWaitMinutes(configuration: DeploymentConfiguration): number {
  return configuration.linearConfiguration?.stepBakeTimeInMinutes ?? 6;
}
/** Steps to reach 100 %; ECS waits between steps, not after the last. */
function linearSteps(configuration: DeploymentConfiguration): number {
  return Math.ceil(100 / linearPercent(configuration));
}
