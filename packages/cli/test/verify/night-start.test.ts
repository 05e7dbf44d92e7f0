import {
  Container,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  Service,
  StopTaskCommand,
  Task,
} from '@aws-sdk/client-ecs';
import { parseScheduleTag } from '@slipway/constructs/lib/schedule/awake-hours';
import { mockClient } from 'aws-sdk-client-mock';
import { SleepingService } from '../../src/ecs/schedule';
import {
  IAM_PROPAGATION_MS,
  NIGHT_START_STARTED_BY,
  NightStartOptions,
  startSleepingServices,
  STEADY_WITHOUT_HEALTH_CHECK_MS,
} from '../../src/verify/night-start';
import { ExpectedContainer } from '../../src/verify/stage-template';
import { deployment, FakeClock, RecordedOutput, service } from '../fakes';

const ecsMock = mockClient(ECSClient);
beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(ListTasksCommand, { startedBy: NIGHT_START_STARTED_BY }).resolves({ taskArns: [] });
  ecsMock.on(StopTaskCommand).resolves({});
});

const CLUSTER = 'dev-cluster';
const DEFINITION = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/DevAppBackendTaskDefinition:5';
const TASK = 'arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/0123456789abcdef';
const REPOSITORY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets-111111111111-eu-west-1';
const TAG = '3f9a1c2b7d4e'.padEnd(64, '0');
const DIGEST = `sha256:${'b'.repeat(64)}`;
const NETWORK = {
  awsvpcConfiguration: {
    subnets: ['subnet-0aaa', 'subnet-0bbb'],
    securityGroups: ['sg-0backend'],
    assignPublicIp: 'DISABLED' as const,
  },
};

/** A service asleep by schedule as DescribeServices describes it: desired 0, its own network and capacity settings. */
function asleep(overrides: Partial<Service> = {}): SleepingService {
  const described = service(
    'backend',
    [deployment({ family: 'DevAppBackendTaskDefinition', revision: 5, desiredCount: 0, runningCount: 0 })],
    {
      networkConfiguration: NETWORK,
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
      platformVersion: 'LATEST',
      platformFamily: 'Linux',
      ...overrides,
    },
  );
  return {
    service: 'backend',
    schedule: parseScheduleTag('Europe/Dublin MON TUE WED THU FRI 07:00-20:00')!,
    wakesAt: new Date('2024-05-02T06:00:00Z'),
    taskDefinitionArn: DEFINITION,
    startWhenAsleep: true,
    described,
  };
}

/** A task as DescribeTasks returns it (Task in the ECS API reference). */
function task(overrides: Partial<Task> = {}, container: Partial<Container> = {}): Task {
  return {
    taskArn: TASK,
    clusterArn: `arn:aws:ecs:eu-west-1:111111111111:cluster/${CLUSTER}`,
    taskDefinitionArn: DEFINITION,
    group: 'family:DevAppBackendTaskDefinition',
    startedBy: NIGHT_START_STARTED_BY,
    launchType: undefined,
    capacityProviderName: 'FARGATE_SPOT',
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    containers: [
      {
        name: 'backend',
        image: `${REPOSITORY}:${TAG}`,
        lastStatus: 'PENDING',
        healthStatus: 'UNKNOWN',
        ...container,
      },
    ],
    ...overrides,
  };
}

const running = (health: Task['healthStatus'] = 'UNKNOWN') =>
  task(
    { lastStatus: 'RUNNING', healthStatus: health },
    { lastStatus: 'RUNNING', imageDigest: DIGEST, healthStatus: health },
  );

function withHealthCheck(defined = true) {
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: DEFINITION,
      containerDefinitions: [
        {
          name: 'backend',
          image: `${REPOSITORY}:${TAG}`,
          essential: true,
          healthCheck: defined
            ? { command: ['CMD', 'node', '-e', 'health'], interval: 15, timeout: 5, retries: 3, startPeriod: 10 }
            : undefined,
        },
      ],
    },
  });
}

/** The night start against the mocked ECS. */
const nightStart = (given: NightStartOptions) => startSleepingServices(new ECSClient({ region: 'eu-west-1' }), given);

/** The StopTask calls for the task the tests' RunTask starts. */
const stopsOfTask = () => ecsMock.commandCalls(StopTaskCommand).filter((call) => call.args[0].input.task === TASK);

function options(overrides: Partial<NightStartOptions> = {}) {
  const clock = new FakeClock();
  clock.time = Date.UTC(2024, 4, 1, 21, 30, 0);
  const output = new RecordedOutput();
  const resolved: NightStartOptions = {
    cluster: CLUSTER,
    services: [asleep()],
    deadline: clock.time + 10 * 60_000,
    pollIntervalMs: 15_000,
    clock,
    output,
    ...overrides,
  };
  return { clock, output, options: resolved };
}

test('GIVEN a service on FARGATE_SPOT WHEN started THEN RunTask gets its own network, capacity provider strategy and platform version, waits for HEALTHY, and stops the task', async () => {
  // GIVEN
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()], failures: [] });
  ecsMock
    .on(DescribeTasksCommand)
    .resolvesOnce({ tasks: [task({ lastStatus: 'PENDING' })] })
    .resolvesOnce({ tasks: [running('UNKNOWN')] })
    .resolves({ tasks: [running('HEALTHY')] });
  const { output, options: given } = options({
    expectedContainers: new Map<string, ExpectedContainer[]>([
      ['backend', [{ name: 'backend', image: `${REPOSITORY}:${TAG}`, reference: TAG, asset: true }]],
    ]),
  });
  // WHEN
  const outcome = await nightStart(given);
  // THEN
  expect(outcome.unstopped).toEqual([]);
  expect(outcome.results).toEqual([
    {
      service: 'backend',
      outcome: 'healthy',
      detail: `task 0123456789abcdef of DevAppBackendTaskDefinition:5 RUNNING and HEALTHY after 30s, runs backend 3f9a1c2b7d4e… (sha256:bbbbbbbbbbbb…)`,
    },
  ]);
  const runs = ecsMock.commandCalls(RunTaskCommand);
  expect(runs).toHaveLength(1);
  const input = runs[0].args[0].input;
  expect(input).toEqual({
    cluster: CLUSTER,
    taskDefinition: DEFINITION,
    count: 1,
    startedBy: 'slipway-verify',
    tags: [{ key: 'slipway:verify', value: 'night-start' }],
    clientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    networkConfiguration: NETWORK,
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
    platformVersion: 'LATEST',
  });
  // RunTask takes a capacity provider strategy or a launch type, never both.
  expect(input).not.toHaveProperty('launchType');
  const stops = stopsOfTask();
  expect(stops).toHaveLength(1);
  expect(stops[0].args[0].input).toEqual({
    cluster: CLUSTER,
    task: TASK,
    reason: 'slipway verify: night start check of backend passed; a task started for the check only',
  });
  expect(output.lines).toContain(
    '  … backend: started task 0123456789abcdef of DevAppBackendTaskDefinition:5 (FARGATE_SPOT weight 1, platform LATEST)',
  );
  expect(output.lines).toContain('  … backend: task 0123456789abcdef RUNNING, health backend UNKNOWN');
});

test('GIVEN a service with a launch type and no capacity provider strategy THEN RunTask names the launch type', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('HEALTHY')] });
  const { options: given } = options({
    services: [asleep({ capacityProviderStrategy: [], launchType: 'FARGATE', platformVersion: '1.4.0' })],
  });
  const outcome = await nightStart(given);
  expect(outcome.results[0].outcome).toBe('healthy');
  const input = ecsMock.commandCalls(RunTaskCommand)[0].args[0].input;
  expect(input.launchType).toBe('FARGATE');
  expect(input.platformVersion).toBe('1.4.0');
  expect(input).not.toHaveProperty('capacityProviderStrategy');
});

test('GIVEN an image that exits on start THEN it fails with why the task stopped, and does not stop it again', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock
    .on(DescribeTasksCommand)
    .resolvesOnce({ tasks: [task({ lastStatus: 'PENDING' })] })
    .resolvesOnce({
      tasks: [
        task(
          { lastStatus: 'DEPROVISIONING', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' },
          { lastStatus: 'STOPPED', exitCode: 1 },
        ),
      ],
    })
    .resolves({
      tasks: [
        task(
          {
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            stoppedAt: new Date('2024-05-01T21:31:00Z'),
          },
          { lastStatus: 'STOPPED', exitCode: 1, reason: undefined },
        ),
      ],
    });
  const { options: given } = options();
  const outcome = await nightStart(given);
  expect(outcome.results).toEqual([
    {
      service: 'backend',
      outcome: 'failed',
      detail:
        'stopped on its own: task 0123456789abcdef (DevAppBackendTaskDefinition:5) stopped 2024-05-01T21:31:00.000Z: Essential container in task exited; backend: exit 1',
    },
  ]);
  expect(stopsOfTask()).toHaveLength(0);
});

test('GIVEN a container that fails its health check THEN it fails at UNHEALTHY (ECS would not stop a standalone task) and stops it', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('UNHEALTHY')] });
  const { options: given } = options();
  const outcome = await nightStart(given);
  expect(outcome.results[0]).toEqual({
    service: 'backend',
    outcome: 'failed',
    detail:
      'task 0123456789abcdef of DevAppBackendTaskDefinition:5 became UNHEALTHY (container backend failed its health check); read its logs',
  });
  expect(stopsOfTask()).toHaveLength(1);
});

test('GIVEN no Spot capacity at first THEN RunTask is tried again within the deadline, with a new client token', async () => {
  withHealthCheck();
  const capacity = {
    arn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/DevAppBackendTaskDefinition:5',
    reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone',
  };
  ecsMock
    .on(RunTaskCommand)
    .resolvesOnce({ tasks: [], failures: [capacity] })
    .resolves({ tasks: [task()], failures: [] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('HEALTHY')] });
  const { output, options: given } = options();
  const outcome = await nightStart(given);
  expect(outcome.results[0].outcome).toBe('healthy');
  const runs = ecsMock.commandCalls(RunTaskCommand);
  expect(runs).toHaveLength(2);
  expect(runs[0].args[0].input.clientToken).not.toBe(runs[1].args[0].input.clientToken);
  expect(output.lines).toContain(`  … backend: ECS did not start a task (${capacity.reason}); trying again in 15s`);
});

test("GIVEN no capacity until the deadline THEN it times out naming RunTask's failure, with no task to stop", async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({
    tasks: [],
    failures: [{ arn: DEFINITION, reason: 'RESOURCE:FARGATE', detail: 'no Fargate capacity in the subnets' }],
  });
  const { clock, options: given } = options();
  const outcome = await nightStart({
    ...given,
    deadline: clock.time + 60_000,
  });
  expect(outcome.results[0]).toEqual({
    service: 'backend',
    outcome: 'timed-out',
    detail:
      'ECS did not start a task of DevAppBackendTaskDefinition:5 in 5 attempts: RESOURCE:FARGATE (no Fargate capacity in the subnets)',
  });
  expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
});

test('GIVEN a task that never becomes HEALTHY THEN it times out and the task is stopped all the same', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('UNKNOWN')] });
  const { clock, options: given } = options();
  const outcome = await nightStart({
    ...given,
    deadline: clock.time + 120_000,
  });
  expect(outcome.results[0]).toEqual({
    service: 'backend',
    outcome: 'timed-out',
    detail:
      'task 0123456789abcdef of DevAppBackendTaskDefinition:5 was not HEALTHY in time (last seen RUNNING, health backend UNKNOWN)',
  });
  const stop = ecsMock.commandCalls(StopTaskCommand).find((call) => call.args[0].input.task === TASK);
  expect(stop?.args[0].input.reason).toBe(
    'slipway verify: night start check of backend ended; a task started for the check only',
  );
});

test('GIVEN an essential sidecar without a health check THEN the task stays UNKNOWN, and the app container HEALTHY passes it', async () => {
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: DEFINITION,
      containerDefinitions: [
        {
          name: 'backend',
          image: `${REPOSITORY}:${TAG}`,
          essential: true,
          healthCheck: { command: ['CMD', 'node', '-e', 'health'], interval: 15, timeout: 5, retries: 3 },
        },
        { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: true },
      ],
    },
  });
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  // "If Container1 is HEALTHY and Container2 is UNKNOWN, the task health is UNKNOWN" (HealthCheck, ECS API reference).
  const sidecar = { name: 'log-router', lastStatus: 'RUNNING', healthStatus: 'UNKNOWN' as const };
  const withSidecar = running('UNKNOWN');
  withSidecar.containers = [{ ...withSidecar.containers![0], healthStatus: 'HEALTHY' }, sidecar];
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [withSidecar] });
  const { options: given } = options();
  const outcome = await nightStart(given);
  expect(outcome.results[0]).toMatchObject({ outcome: 'healthy' });
  expect(outcome.results[0].detail).toMatch(
    /^task 0123456789abcdef of DevAppBackendTaskDefinition:5 RUNNING and HEALTHY/,
  );
});

test('GIVEN RunTask times out once THEN it is sent again with the same client token, so ECS does not start a second task', async () => {
  withHealthCheck();
  ecsMock
    .on(RunTaskCommand)
    .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} }))
    .resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('HEALTHY')] });
  const { output, options: given } = options();
  const outcome = await nightStart(given);
  expect(outcome.results[0].outcome).toBe('healthy');
  const tokens = ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);
  expect(tokens).toHaveLength(2);
  expect(tokens[1]).toBe(tokens[0]);
  expect(output.lines.join('\n')).toMatch(/no answer \(TimeoutError\), sent again with the same client token/);
  expect(stopsOfTask()).toHaveLength(1);
});

test('GIVEN a task ECS is already stopping when the time is up THEN verify sends no StopTask for it', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED' })] });
  const { clock, options: given } = options();
  const outcome = await nightStart({
    ...given,
    deadline: clock.time + 30_000,
  });
  expect(outcome.results[0].outcome).toBe('failed');
  expect(stopsOfTask()).toHaveLength(0);
  expect(outcome.unstopped).toEqual([]);
});

test('GIVEN DescribeTasks is denied THEN the error reaches the caller and the task started is stopped first', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock
    .on(DescribeTasksCommand)
    .rejects(
      Object.assign(new Error('not authorized to perform: ecs:DescribeTasks'), { name: 'AccessDeniedException' }),
    );
  const { options: given } = options();
  await expect(nightStart(given)).rejects.toThrow(/ecs:DescribeTasks/);
  expect(stopsOfTask()).toHaveLength(1);
});

describe('containers without a health check (healthStatus stays UNKNOWN)', () => {
  test(`GIVEN RUNNING for ${STEADY_WITHOUT_HEALTH_CHECK_MS / 1000}s THEN it passes as running`, async () => {
    withHealthCheck(false);
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('UNKNOWN')] });
    const { output, options: given } = options();
    const outcome = await nightStart(given);
    expect(outcome.results[0]).toEqual({
      service: 'backend',
      outcome: 'running',
      detail:
        'task 0123456789abcdef of DevAppBackendTaskDefinition:5 RUNNING for 30s (its containers define no health check)',
    });
    // No health to report: the progress line names the status alone.
    expect(output.lines).toContain('  … backend: task 0123456789abcdef RUNNING');
  });

  test('GIVEN it exits 15s after RUNNING THEN it fails', async () => {
    withHealthCheck(false);
    ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [running('UNKNOWN')] })
      .resolves({
        tasks: [
          task(
            { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'Essential container in task exited' },
            { lastStatus: 'STOPPED', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
          ),
        ],
      });
    const { options: given } = options();
    const outcome = await nightStart(given);
    expect(outcome.results[0].outcome).toBe('failed');
    expect(outcome.results[0].detail).toContain(
      'Essential container in task exited; backend: exit 137, OutOfMemoryError: Container killed due to memory usage',
    );
  });
});

test('GIVEN the started task runs another image than the template names THEN it fails and is stopped', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('HEALTHY')] });
  const other = 'a'.repeat(64);
  const { options: given } = options({
    expectedContainers: new Map([
      ['backend', [{ name: 'backend', image: `${REPOSITORY}:${other}`, reference: other, asset: true }]],
    ]),
  });
  const outcome = await nightStart(given);
  expect(outcome.results[0].outcome).toBe('failed');
  expect(outcome.results[0].detail).toBe(
    `container backend of task 0123456789abcdef runs ${REPOSITORY}:${TAG}, not ${REPOSITORY}:${other}`,
  );
  expect(stopsOfTask()).toHaveLength(1);
});

test('GIVEN RunTask is denied for longer than IAM takes to apply a change THEN it fails, naming the permissions and --skip-start', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).rejects(
    Object.assign(new Error('User is not authorized to perform: iam:PassRole on resource: DevAppBackendTaskRole'), {
      name: 'AccessDeniedException',
    }),
  );
  const { clock, options: given } = options();
  const outcome = await nightStart(given);
  expect(outcome.results[0].outcome).toBe('failed');
  expect(outcome.results[0].detail).toMatch(
    /^RunTask of DevAppBackendTaskDefinition:5 refused: User is not authorized to perform: iam:PassRole .*ecs:RunTask on that task definition revision.*--skip-start <service>/,
  );
  // Tried every poll interval (15 s) for a minute: at 0, 15, 30 and 45 s, refused for good at 60 s.
  expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1 + IAM_PROPAGATION_MS / 15_000);
  expect(clock.time - Date.UTC(2024, 4, 1, 21, 30, 0)).toBe(IAM_PROPAGATION_MS);
});

test('GIVEN RunTask is denied once, as when the deploy changed the role moments before THEN the next attempt starts the task', async () => {
  withHealthCheck();
  ecsMock
    .on(RunTaskCommand)
    .rejectsOnce(Object.assign(new Error('not authorized to perform: ecs:RunTask'), { name: 'AccessDeniedException' }))
    .resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('HEALTHY')] });
  const { output, options: given } = options();
  const outcome = await nightStart(given);
  expect(outcome.results[0].outcome).toBe('healthy');
  expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(2);
  expect(output.lines.join('\n')).toMatch(/access denied, retried while a policy change may still be propagating/);
});

test('GIVEN a task an earlier verify left running THEN it is stopped before anything starts', async () => {
  const leftover = 'arn:aws:ecs:eu-west-1:111111111111:task/dev-cluster/feedfacefeedface';
  ecsMock.on(ListTasksCommand, { startedBy: NIGHT_START_STARTED_BY }).resolves({ taskArns: [leftover] });
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('HEALTHY')] });
  const { output, options: given } = options();
  await nightStart(given);
  const stops = ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input);
  expect(stops[0]).toEqual({
    cluster: CLUSTER,
    task: leftover,
    reason: 'slipway verify: a night start check task an earlier verify left running',
  });
  expect(output.lines).toContain('  Stopped task feedfacefeedface, which an earlier verify started and left running.');
});

test('GIVEN StopTask fails THEN the task left running is reported with the command that stops it', async () => {
  withHealthCheck();
  ecsMock.on(RunTaskCommand).resolves({ tasks: [task()] });
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [running('HEALTHY')] });
  ecsMock
    .on(StopTaskCommand, { task: TASK })
    .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ServerException' }));
  const { options: given } = options();
  const outcome = await nightStart(given);
  expect(outcome.unstopped).toEqual([
    `backend: could not stop task 0123456789abcdef (ServerException: Rate exceeded). Stop it: aws ecs stop-task --cluster ${CLUSTER} --task ${TASK}`,
  ]);
});
