import { randomUUID } from 'node:crypto';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  Failure,
  ListTasksCommand,
  RunTaskCommand,
  RunTaskCommandInput,
  StopTaskCommand,
  Task,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { NIGHT_START_TAG_KEY, NIGHT_START_TAG_VALUE } from '@slipway/constructs/lib/contract';
import { checkTaskImages, shortDefinition } from './image-check';
import { ExpectedContainer } from './stage-template';
import { isAccessDenied } from '../aws-error';
import { Clock, formatDuration } from '../clock';
import { CommandOutput } from '../command';
import { describeAwsError } from '../ecs/ecs-client';
import { SleepingService } from '../ecs/schedule';
import { formatStoppedTask } from '../ecs/stopped-tasks';
import { isThrottlingError } from '../ecs/throttling';

/**
 * The `startedBy` of every task verify starts: ListTasks finds them by it (`aws ecs list-tasks --started-by
 * slipway-verify`). RunTask allows up to 128 letters, digits, `-`, `/` and `_` (StartTask only 36): short enough for both.
 */
export const NIGHT_START_STARTED_BY = 'slipway-verify';

/**
 * How long a task whose containers define no health check must stay RUNNING to pass: a process that fails on start
 * (a missing module, bad configuration, a secret it cannot read) exits within seconds. With a health check, HEALTHY
 * is the proof and this does not apply.
 */
export const STEADY_WITHOUT_HEALTH_CHECK_MS = 30_000;

/** One service's night start: the task started for it, and how it went. */
export interface NightStartResult {
  readonly service: string;
  /**
   * `healthy`: RUNNING and HEALTHY (its containers define health checks); `running`: RUNNING for
   * `STEADY_WITHOUT_HEALTH_CHECK_MS` (they define none); `failed`: stopped on its own, UNHEALTHY, the wrong image, or
   * RunTask refused; `timed-out`: not placed, RUNNING or HEALTHY within the time allowed.
   */
  readonly outcome: 'healthy' | 'running' | 'failed' | 'timed-out';
  /** One line for the person reading the pipeline's log. */
  readonly detail: string;
}

/** What to start, and for how long. */
export interface NightStartOptions {
  readonly cluster: string;
  /** The services asleep by schedule to start one task of, each with the task definition its primary deployment names. */
  readonly services: readonly SleepingService[];
  /**
   * Per service, the containers the stage's template names: the started task must run their images (tag and digest).
   * @default - no image check (no --template)
   */
  readonly expectedContainers?: ReadonlyMap<string, readonly ExpectedContainer[]>;
  /**
   * Per service, its task definition as the image check already described it: read again only when missing here.
   * @default - each is described here
   */
  readonly taskDefinitions?: ReadonlyMap<string, TaskDefinition>;
  /** Give up at this time (milliseconds since the epoch); the tasks are stopped either way. */
  readonly deadline: number;
  /** Milliseconds between DescribeTasks calls, and between RunTask attempts ECS could not place. */
  readonly pollIntervalMs: number;
  readonly clock: Clock;
  readonly output: CommandOutput;
}

/** The night start of all services, and the tasks it could not stop (each one line, with the command to stop it). */
export interface NightStartOutcome {
  readonly results: readonly NightStartResult[];
  readonly unstopped: readonly string[];
}

/** One service's check while it runs. */
interface StartCheck {
  readonly sleeping: SleepingService;
  readonly taskDefinitionArn: string;
  /**
   * The essential containers that define a health check: the check waits until each is HEALTHY. Not the task's own
   * health, which stays UNKNOWN while any essential container has no health check ("If Container1 is HEALTHY and
   * Container2 is UNKNOWN, the task health is UNKNOWN", HealthCheck in the ECS API reference): a sidecar without one
   * would keep it UNKNOWN for good. Empty: the task must stay RUNNING for a while instead.
   */
  readonly healthChecked: readonly string[];
  readonly expected?: readonly ExpectedContainer[];
  taskArn?: string;
  attempts: number;
  /** The RunTask client token, kept until ECS answers (see runTask). */
  clientToken?: string;
  /** When the first RunTask was sent: access denied is retried for a while after it (IAM propagation). */
  firstAttemptAt?: number;
  lastFailure?: string;
  runningSince?: number;
  startedAt?: number;
  lastLine?: string;
  /** The task as last described. */
  lastTask?: Task;
  result?: NightStartResult;
  /** The task reached STOPPED: nothing to stop. */
  stopped?: boolean;
}

/**
 * Prove that services asleep by schedule can start the task definition the deployment gave them: start one task of
 * each (RunTask with the service's own network configuration and capacity provider strategy or launch type and
 * platform version), wait until it is RUNNING and, when its containers define health checks, HEALTHY, check its
 * images, then stop it. Every task started is stopped, also when the check fails, times out or an AWS call throws.
 *
 * A task started this way belongs to no service: no load balancer target group, no Cloud Map record, so it receives
 * no traffic; the service stays at zero tasks. A standalone task keeps running whatever its health ("If a task is run
 * manually, and not as part of a service, the task will continue its lifecycle regardless of its health status",
 * HealthCheck in the ECS API reference), so UNHEALTHY is judged here.
 */
export async function startSleepingServices(ecs: ECSClient, options: NightStartOptions): Promise<NightStartOutcome> {
  const { cluster, clock, output } = options;
  const unstopped: string[] = [];
  await stopLeftovers(ecs, cluster, output, unstopped);

  const checks: StartCheck[] = [];
  for (const sleeping of options.services) {
    if (sleeping.taskDefinitionArn === undefined) {
      checks.push({
        sleeping,
        taskDefinitionArn: '',
        healthChecked: [],
        attempts: 0,
        result: {
          service: sleeping.service,
          outcome: 'failed',
          detail: 'has no primary deployment naming a task definition to start',
        },
      });
      continue;
    }
    const taskDefinition =
      options.taskDefinitions?.get(sleeping.service) ??
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: sleeping.taskDefinitionArn })))
        .taskDefinition;
    checks.push({
      sleeping,
      taskDefinitionArn: sleeping.taskDefinitionArn,
      healthChecked: (taskDefinition?.containerDefinitions ?? [])
        // A container is essential unless it says otherwise (ContainerDefinition.essential, default true).
        .filter((container) => container.essential !== false && container.healthCheck !== undefined)
        .map((container) => container.name ?? '?'),
      expected: options.expectedContainers?.get(sleeping.service),
      attempts: 0,
    });
  }

  try {
    for (;;) {
      for (const check of checks) {
        if (check.result === undefined && check.taskArn === undefined) await runTask(ecs, cluster, check, options);
      }
      const started = checks.filter((check) => check.result === undefined && check.taskArn !== undefined);
      if (started.length > 0) {
        const described = await describeTasks(
          ecs,
          cluster,
          started.map((check) => check.taskArn!),
        );
        for (const check of started) {
          const task = described.find((candidate) => candidate.taskArn === check.taskArn);
          if (task) assess(check, task, clock.now(), output);
        }
      }
      const open = checks.filter((check) => check.result === undefined);
      if (open.length === 0) break;
      const remaining = options.deadline - clock.now();
      if (remaining <= 0) {
        for (const check of open) check.result = timedOut(check);
        break;
      }
      await clock.sleep(Math.min(options.pollIntervalMs, remaining));
    }
  } finally {
    for (const check of checks) {
      // A task ECS is already stopping needs no StopTask, which it might refuse: stopping deletes a task's tags
      // ("Any tags associated with the task will be deleted", StopTask), and the role may stop tagged tasks only.
      if (check.taskArn === undefined || check.stopped || check.lastTask?.desiredStatus === 'STOPPED') continue;
      const reason = `slipway verify: night start check of ${check.sleeping.service} ${check.result?.outcome === 'healthy' || check.result?.outcome === 'running' ? 'passed' : 'ended'}; a task started for the check only`;
      try {
        await ecs.send(new StopTaskCommand({ cluster, task: check.taskArn, reason }));
      } catch (error) {
        unstopped.push(
          `${check.sleeping.service}: could not stop task ${taskId(check.taskArn)} (${describeAwsError(error)}). Stop it: aws ecs stop-task --cluster ${cluster} --task ${check.taskArn}`,
        );
      }
    }
  }
  return { results: checks.map((check) => check.result!), unstopped };
}

/**
 * Stop the tasks an earlier verify started and could not stop: killed before its `finally` ran (a CodeBuild timeout,
 * a stopped pipeline execution), its task would run on, as a standalone task does, until someone stops it.
 */
async function stopLeftovers(ecs: ECSClient, cluster: string, output: CommandOutput, unstopped: string[]) {
  // "When you specify startedBy as the filter, it must be the only filter that you use" (ListTasks): it lists the
  // tasks whose desired status is RUNNING.
  const taskArns: string[] = [];
  let nextToken: string | undefined;
  do {
    const listed = await ecs.send(new ListTasksCommand({ cluster, startedBy: NIGHT_START_STARTED_BY, nextToken }));
    taskArns.push(...(listed.taskArns ?? []));
    nextToken = listed.nextToken;
  } while (nextToken);
  for (const taskArn of taskArns) {
    try {
      await ecs.send(
        new StopTaskCommand({
          cluster,
          task: taskArn,
          reason: 'slipway verify: a night start check task an earlier verify left running',
        }),
      );
      output.info(`  Stopped task ${taskId(taskArn)}, which an earlier verify started and left running.`);
    } catch (error) {
      unstopped.push(
        `could not stop task ${taskId(taskArn)}, left running by an earlier verify (${describeAwsError(error)}). Stop it: aws ecs stop-task --cluster ${cluster} --task ${taskArn}`,
      );
    }
  }
}

/** One RunTask attempt: a task ARN, a failure to retry (capacity, throttling), or a refusal that fails the check. */
async function runTask(ecs: ECSClient, cluster: string, check: StartCheck, options: NightStartOptions): Promise<void> {
  const service = check.sleeping.described;
  const strategy = service.capacityProviderStrategy ?? [];
  const input: RunTaskCommandInput = {
    cluster,
    taskDefinition: check.taskDefinitionArn,
    count: 1,
    startedBy: NIGHT_START_STARTED_BY,
    // The verification role may stop only tasks with this tag, and put it only on a task RunTask creates: it cannot
    // stop a service's own tasks. Not propagated from the task definition: no other tag needs ecs:TagResource.
    tags: [{ key: NIGHT_START_TAG_KEY, value: NIGHT_START_TAG_VALUE }],
    // Idempotency ("Ensuring idempotency", ECS API reference): a RunTask whose answer was lost (a timeout, a 5xx) is
    // sent again with the same token, so ECS answers with the task it may already have started instead of starting
    // a second one that nothing would stop. A new token only after ECS answered with `failures`: that is a new request.
    clientToken: (check.clientToken ??= randomUUID()),
    networkConfiguration: service.networkConfiguration,
    // capacityProviderStrategy and launchType exclude each other (RunTask); with neither, the cluster's default
    // strategy applies, as it did when the service was created without either.
    ...(strategy.length > 0
      ? { capacityProviderStrategy: strategy }
      : service.launchType !== undefined
        ? { launchType: service.launchType }
        : {}),
    platformVersion: service.platformVersion,
  };
  check.attempts += 1;
  check.firstAttemptAt ??= options.clock.now();
  try {
    const response = await ecs.send(new RunTaskCommand(input));
    const task = response.tasks?.[0];
    if (task?.taskArn !== undefined) {
      check.taskArn = task.taskArn;
      check.startedAt = options.clock.now();
      options.output.info(
        `  … ${check.sleeping.service}: started task ${taskId(task.taskArn)} of ${shortDefinition(check.taskDefinitionArn)} (${describePlacement(input)})`,
      );
      return;
    }
    check.lastFailure = describeFailures(response.failures);
    check.clientToken = undefined;
  } catch (error) {
    // The deploy that put this task definition in scheduledTaskDefinitions also changed the role's policy, moments
    // before: IAM applies a change "eventually" ("Troubleshooting IAM: changes I make are not always immediately
    // visible"), so a refusal in the first minute is tried again.
    const propagating = isAccessDenied(error) && options.clock.now() - check.firstAttemptAt < IAM_PROPAGATION_MS;
    const unanswered = isUnanswered(error);
    if (!isThrottlingError(error) && !propagating && !unanswered) {
      check.result = {
        service: check.sleeping.service,
        outcome: 'failed',
        detail: `RunTask of ${shortDefinition(check.taskDefinitionArn)} refused: ${describeRunTaskError(error)}`,
      };
      return;
    }
    check.lastFailure = propagating
      ? `access denied, retried while a policy change may still be propagating (${(error as Error).name})`
      : unanswered
        ? `no answer (${(error as Error).name}), sent again with the same client token`
        : `throttled (${(error as Error).name})`;
  }
  options.output.info(
    `  … ${check.sleeping.service}: ECS did not start a task (${check.lastFailure}); trying again in ${formatDuration(options.pollIntervalMs)}`,
  );
}

/** Judge a started task from DescribeTasks; leaves `check.result` unset while it is still on its way. */
function assess(check: StartCheck, task: Task, now: number, output: CommandOutput): void {
  const service = check.sleeping.service;
  const id = taskId(task.taskArn);
  const definition = shortDefinition(check.taskDefinitionArn);
  check.lastTask = task;
  const health = check.healthChecked
    .map(
      (name) => `${name} ${task.containers?.find((container) => container.name === name)?.healthStatus ?? 'UNKNOWN'}`,
    )
    .join(', ');
  const progress = `${task.lastStatus ?? 'UNKNOWN'}${health ? `, health ${health}` : ''}`;
  if (check.lastLine !== progress) {
    output.info(`  … ${service}: task ${id} ${progress}`);
    check.lastLine = progress;
  }
  if (task.lastStatus === 'STOPPED') {
    check.stopped = true;
    check.result = { service, outcome: 'failed', detail: `stopped on its own: ${formatStoppedTask(task)}` };
    return;
  }
  // Stopping on its own (an essential container exited): wait for STOPPED, when the containers' exit codes are known.
  if (task.desiredStatus === 'STOPPED') return;
  if (task.healthStatus === 'UNHEALTHY') {
    const unhealthy = (task.containers ?? [])
      .filter((container) => container.healthStatus === 'UNHEALTHY')
      .map((container) => container.name)
      .join(', ');
    check.result = {
      service,
      outcome: 'failed',
      detail: `task ${id} of ${definition} became UNHEALTHY${unhealthy ? ` (container ${unhealthy} failed its health check)` : ''}; read its logs`,
    };
    return;
  }
  if (task.lastStatus !== 'RUNNING') return;
  check.runningSince ??= now;
  let images = '';
  if (check.expected) {
    const matched = checkTaskImages([task], check.expected);
    if (!matched.ok) {
      check.result = { service, outcome: 'failed', detail: matched.detail };
      return;
    }
    images = `, runs ${matched.detail}`;
  }
  const after = formatDuration(now - (check.startedAt ?? now));
  if (check.healthChecked.length > 0) {
    const healthy = check.healthChecked.every(
      (name) => task.containers?.find((container) => container.name === name)?.healthStatus === 'HEALTHY',
    );
    if (!healthy) return;
    check.result = {
      service,
      outcome: 'healthy',
      detail: `task ${id} of ${definition} RUNNING and HEALTHY after ${after}${images}`,
    };
    return;
  }
  if (now - check.runningSince < STEADY_WITHOUT_HEALTH_CHECK_MS) return;
  check.result = {
    service,
    outcome: 'running',
    detail: `task ${id} of ${definition} RUNNING for ${formatDuration(now - check.runningSince)} (its containers define no health check)${images}`,
  };
}

function timedOut(check: StartCheck): NightStartResult {
  const service = check.sleeping.service;
  const definition = shortDefinition(check.taskDefinitionArn);
  if (check.lastTask?.desiredStatus === 'STOPPED') {
    return { service, outcome: 'failed', detail: `stopping on its own: ${formatStoppedTask(check.lastTask)}` };
  }
  if (check.taskArn === undefined) {
    return {
      service,
      outcome: 'timed-out',
      detail: `ECS did not start a task of ${definition} in ${check.attempts} attempt${check.attempts === 1 ? '' : 's'}: ${check.lastFailure ?? 'no answer'}`,
    };
  }
  return {
    service,
    outcome: 'timed-out',
    detail: `task ${taskId(check.taskArn)} of ${definition} was not ${check.runningSince === undefined ? 'RUNNING' : 'HEALTHY'} in time (last seen ${check.lastLine ?? 'not described yet'})`,
  };
}

/** DescribeTasks of the started tasks; at most one per service, well under its 100 per call. */
async function describeTasks(ecs: ECSClient, cluster: string, taskArns: string[]): Promise<Task[]> {
  try {
    return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
  } catch (error) {
    // Throttled: read them on the next poll, within the deadline.
    if (isThrottlingError(error)) return [];
    throw error;
  }
}

/** `RESOURCE:FARGATE (Capacity is unavailable at this time…)`, as RunTask's `failures` say it. */
function describeFailures(failures: readonly Failure[] | undefined): string {
  if (!failures || failures.length === 0) return 'neither a task nor a failure in the answer';
  return failures
    .map((failure) => `${failure.reason ?? 'failure'}${failure.detail ? ` (${failure.detail})` : ''}`)
    .join('; ');
}

/** How long after its first RunTask a service's check takes access denied for an IAM change still propagating. */
export const IAM_PROPAGATION_MS = 60_000;

/** A RunTask that may have started a task without saying so: a timeout, a dropped connection, a server error. */
function isUnanswered(error: unknown): boolean {
  const candidate = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!candidate || typeof candidate !== 'object') return false;
  const status = candidate.$metadata?.httpStatusCode;
  return (
    (status !== undefined && status >= 500) ||
    ['TimeoutError', 'RequestTimeout', 'ServerException', 'InternalFailure', 'ServiceUnavailable'].includes(
      candidate.name ?? '',
    ) ||
    ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED'].includes(candidate.code ?? '')
  );
}

function describeRunTaskError(error: unknown): string {
  if (isAccessDenied(error)) {
    return `${(error as Error).message}. Starting a task of a service asleep by schedule needs ecs:RunTask on that task definition revision, ecs:TagResource on the task it creates, ecs:StopTask on the cluster's tasks tagged ${NIGHT_START_TAG_KEY}=${NIGHT_START_TAG_VALUE}, and iam:PassRole for its task and execution roles: DeploymentVerificationRole grants them for the task definitions in its scheduledTaskDefinitions. Pass --skip-start <service> to check the task definition only.`;
  }
  return describeAwsError(error);
}

/** `FARGATE_SPOT weight 1, platform LATEST` or `launch type FARGATE`. */
function describePlacement(input: RunTaskCommandInput): string {
  const where = input.capacityProviderStrategy
    ? input.capacityProviderStrategy
        .map((item) => `${item.capacityProvider}${item.base ? ` base ${item.base}` : ''} weight ${item.weight ?? 0}`)
        .join(', ')
    : input.launchType !== undefined
      ? `launch type ${input.launchType}`
      : "the cluster's default capacity provider strategy";
  return input.platformVersion ? `${where}, platform ${input.platformVersion}` : where;
}

function taskId(taskArn: string | undefined): string {
  return taskArn?.split('/').pop() ?? 'unknown';
}
