import {
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ExitCode, UsageError } from '../../src/command';
import { createStatusCommand } from '../../src/status/status-command';
import { canaryConfiguration, deployment, FakeClock, RecordedOutput, service, serviceDeployment } from '../fakes';

const ecsMock = mockClient(ECSClient);
beforeEach(() => ecsMock.reset());

function setup() {
  const output = new RecordedOutput();
  const regions: (string | undefined)[] = [];
  const command = createStatusCommand({
    output,
    clock: new FakeClock(),
    ecsClient: (region) => {
      regions.push(region);
      return new ECSClient({ region: region ?? 'eu-west-1' });
    },
  });
  return { output, command, regions };
}

function givenProdCluster() {
  // No task stopped in the last hour unless a test says so.
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
  ecsMock
    .on(ListClustersCommand)
    .resolves({ clusterArns: ['arn:aws:ecs:eu-west-1:222222222222:cluster/prod-cluster'] });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [
      {
        clusterArn: 'arn:aws:ecs:eu-west-1:222222222222:cluster/prod-cluster',
        clusterName: 'prod-cluster',
        tags: [{ key: 'slipway:environment', value: 'prod' }],
      },
    ],
  });
  ecsMock.on(ListServicesCommand).resolves({
    serviceArns: [
      'arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/frontend',
      'arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/backend',
    ],
  });
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      service('backend', [deployment({ revision: 14, desiredCount: 2, runningCount: 2 })], {
        events: [
          {
            id: '2',
            createdAt: new Date('2024-05-01T10:05:00Z'),
            message: '(service backend) has reached a steady state.',
          },
          {
            id: '1',
            createdAt: new Date('2024-05-01T10:00:00Z'),
            message: '(service backend) has started 1 tasks: (task abc).',
          },
        ],
      }),
      service(
        'frontend',
        [
          deployment({
            family: 'frontend',
            revision: 9,
            rolloutState: 'IN_PROGRESS',
            desiredCount: 2,
            runningCount: 1,
          }),
          deployment({ family: 'frontend', revision: 8, status: 'ACTIVE', desiredCount: 2, runningCount: 2 }),
        ],
        { pendingCount: 1 },
      ),
    ],
  });
}

test('shows every service of the tagged cluster with counts, rollout state and latest events', async () => {
  // GIVEN
  givenProdCluster();
  const { command, output, regions } = setup();
  // WHEN
  const code = await command.run(['--env', 'prod', '--region', 'eu-west-1', '--events', '1']);
  // THEN
  expect(code).toBe(ExitCode.OK);
  expect(regions).toEqual(['eu-west-1']);
  expect(output.lines).toEqual([
    'Environment prod: ECS cluster prod-cluster in eu-west-1',
    'SERVICE   RUNNING/DESIRED  PENDING  ROLLOUT      TASK DEFINITION  DEPLOYMENTS  STRATEGY  STAGE  TRAFFIC (NEW / OLD)  BAKE LEFT',
    'backend   2/2              0        COMPLETED    backend:14       1            rolling   -      -                    -',
    'frontend  3/2              1        IN_PROGRESS  frontend:9       2            rolling   -      -                    -',
    '',
    'Latest events of backend:',
    '  2024-05-01T10:05:00.000Z  (service backend) has reached a steady state.',
    '',
    'Latest events of frontend:',
    '  (none)',
  ]);
  expect(ecsMock.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({
    cluster: 'prod-cluster',
    services: ['backend', 'frontend'],
    include: ['TAGS'],
  });
});

test('a service with no tasks because its schedule has it asleep says so, and until when, rather than looking broken', async () => {
  // GIVEN dev at 22:30 in Dublin on a Wednesday, its services scaled to zero by their schedule
  givenProdCluster();
  const tags = [{ key: 'slipway:awake-hours', value: 'Europe/Dublin MON TUE WED THU FRI 07:00-20:00' }];
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      service('backend', [deployment({ revision: 14, desiredCount: 0, runningCount: 0 })], { tags }),
      // A worker whose spec says startWhenAsleep: false
      service('worker', [deployment({ revision: 3, desiredCount: 0, runningCount: 0 })], {
        tags: [...tags, { key: 'slipway:night-start', value: 'skip' }],
      }),
    ],
  });
  const output = new RecordedOutput();
  const clock = new FakeClock();
  clock.time = Date.UTC(2024, 4, 1, 21, 30, 0);
  const command = createStatusCommand({ output, clock, ecsClient: () => new ECSClient({ region: 'eu-west-1' }) });
  // WHEN
  const code = await command.run(['--env', 'prod', '--events', '0']);
  // THEN
  expect(code).toBe(ExitCode.OK);
  expect(output.lines[2]).toMatch(/^backend  0\/0 asleep       0        COMPLETED/);
  expect(output.lines).toContain(
    '  ☾ backend: asleep by schedule (MON,TUE,WED,THU,FRI 07:00–20:00 Europe/Dublin) until 2024-05-02 07:00 Europe/Dublin (THU); the URL answers 503 until then.',
  );
  expect(output.lines).toContain(
    '  ☾ worker: asleep by schedule (MON,TUE,WED,THU,FRI 07:00–20:00 Europe/Dublin) until 2024-05-02 07:00 Europe/Dublin (THU); the URL answers 503 until then. A push out of hours starts no task of it (tagged slipway:night-start=skip): verify checks its task definition only.',
  );
});

test('says why the latest tasks of a service stopped: a crash loop shows its exit codes and reasons', async () => {
  // GIVEN the frontend's tasks stopped twice in the last hour, as DescribeTasks reports stopped tasks
  givenProdCluster();
  const stoppedArns = ['a', 'b'].map((id) => `arn:aws:ecs:eu-west-1:222222222222:task/prod-cluster/${id}`);
  ecsMock
    .on(ListTasksCommand, { serviceName: 'frontend', desiredStatus: 'STOPPED' })
    .resolves({ taskArns: stoppedArns });
  ecsMock.on(ListTasksCommand, { serviceName: 'backend', desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
  ecsMock.on(DescribeTasksCommand, { cluster: 'prod-cluster', tasks: stoppedArns }).resolves({
    tasks: [
      {
        taskArn: stoppedArns[0],
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/frontend:9',
        lastStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        stoppedAt: new Date('2024-05-01T10:01:00Z'),
        containers: [{ name: 'frontend', lastStatus: 'STOPPED', exitCode: 1 }],
      },
      {
        taskArn: stoppedArns[1],
        taskDefinitionArn: 'arn:aws:ecs:eu-west-1:222222222222:task-definition/frontend:9',
        lastStatus: 'STOPPED',
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 7 time(s)',
        stoppedAt: new Date('2024-05-01T10:03:00Z'),
        containers: [{ name: 'frontend', lastStatus: 'STOPPED', reason: 'CannotPullContainerError' }],
      },
    ],
  });
  const { command, output } = setup();
  // WHEN
  const code = await command.run(['--env', 'prod', '--region', 'eu-west-1', '--events', '0']);
  // THEN the newest first; a service with no stopped task adds no section
  expect(code).toBe(ExitCode.OK);
  expect(output.lines.slice(4)).toEqual([
    '',
    'Recently stopped tasks of frontend:',
    '  task b (frontend:9) stopped 2024-05-01T10:03:00.000Z: CannotPullContainerError: pull image manifest has been retried 7 time(s); frontend: CannotPullContainerError',
    '  task a (frontend:9) stopped 2024-05-01T10:01:00.000Z: Essential container in task exited; frontend: exit 1',
  ]);
});

test('--stopped 0 reads no stopped tasks, and a denied ListTasks leaves the rest of the output', async () => {
  givenProdCluster();
  ecsMock.on(ListTasksCommand).rejects(
    Object.assign(new Error('User is not authorized to perform: ecs:ListTasks'), {
      name: 'AccessDeniedException',
      $metadata: {},
    }),
  );
  const quiet = setup();
  expect(await quiet.command.run(['--env', 'prod', '--events', '0', '--stopped', '0'])).toBe(ExitCode.OK);
  expect(ecsMock.commandCalls(ListTasksCommand)).toHaveLength(0);
  const denied = setup();
  expect(await denied.command.run(['--env', 'prod', '--events', '0'])).toBe(ExitCode.OK);
  expect(denied.output.errors).toEqual([
    expect.stringMatching(/^  backend: could not read its stopped tasks \(.*ecs:ListTasks/),
    expect.stringMatching(/^  frontend: could not read its stopped tasks \(.*ecs:ListTasks/),
  ]);
  expect(denied.output.lines.filter((line) => line.includes('Recently stopped'))).toEqual([]);
});

test('--cluster skips the tag lookup', async () => {
  givenProdCluster();
  const { command } = setup();
  expect(await command.run(['--env', 'prod', '--cluster', 'prod-cluster', '--events', '0'])).toBe(ExitCode.OK);
  expect(ecsMock.commandCalls(ListClustersCommand)).toHaveLength(0);
});

test('two clusters with the same tag are ambiguous', async () => {
  ecsMock
    .on(ListClustersCommand)
    .resolves({ clusterArns: ['arn:aws:ecs:eu-west-1:1:cluster/a', 'arn:aws:ecs:eu-west-1:1:cluster/b'] });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: ['a', 'b'].map((name) => ({
      clusterArn: `arn:aws:ecs:eu-west-1:1:cluster/${name}`,
      clusterName: name,
      tags: [{ key: 'slipway:environment', value: 'prod' }],
    })),
  });
  const { command, output } = setup();
  expect(await command.run(['--env', 'prod'])).toBe(ExitCode.FAILED);
  expect(output.errors[0]).toBe(
    '✖ Could not read environment prod: 2 ECS clusters in eu-west-1 are tagged slipway:environment=prod: a, b. Pass --cluster to choose one.',
  );
});

test('--env is required', async () => {
  const { command } = setup();
  await expect(command.run([])).rejects.toThrow(UsageError);
  await expect(command.run(['--env', 'prod', '--events', 'many'])).rejects.toThrow(
    /--events must be a whole number ≥ 0; got "many"/,
  );
});

describe('canary services: strategy, stage, traffic split and bake time left', () => {
  function givenCanaryServices() {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    ecsMock.on(ListServicesCommand).resolves({
      serviceArns: [
        'arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/backend',
        'arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/frontend',
        'arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/worker',
      ],
    });
    ecsMock.on(DescribeServicesCommand).resolves({
      services: ['backend', 'frontend', 'worker'].map((name) =>
        service(name, [deployment({ family: name, revision: 5, desiredCount: 2, runningCount: 2 })], {
          deploymentConfiguration:
            name === 'worker' ? { strategy: 'ROLLING', minimumHealthyPercent: 100 } : canaryConfiguration(),
        }),
      ),
    });
    ecsMock.on(ListServiceDeploymentsCommand).callsFake((input: { service: string }) => ({
      serviceDeployments: [
        {
          serviceDeploymentArn: `arn:sd/${input.service.split('/').pop()}`,
          createdAt: new Date('2024-05-01T11:50:00Z'),
        },
      ],
    }));
    const backend = serviceDeployment({
      lifecycleStage: 'BAKE_TIME',
      // entered the bake time 3.5 minutes before the fake clock's now (2024-05-01T12:00:00Z)
      updatedAt: new Date('2024-05-01T11:56:30Z'),
    });
    const frontend = serviceDeployment({
      service: 'frontend',
      status: 'ROLLBACK_IN_PROGRESS',
      lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
      alarms: { status: 'TRIGGERED', alarmNames: ['prod-frontend-5xx'], triggeredAlarmNames: ['prod-frontend-5xx'] },
    });
    frontend.targetServiceRevision!.requestedProductionTrafficWeight = 10;
    frontend.sourceServiceRevisions![0].requestedProductionTrafficWeight = 90;
    ecsMock
      .on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: ['arn:sd/backend'] })
      .resolves({ serviceDeployments: [{ ...backend, serviceDeploymentArn: 'arn:sd/backend' }] })
      .on(DescribeServiceDeploymentsCommand, { serviceDeploymentArns: ['arn:sd/frontend'] })
      .resolves({ serviceDeployments: [{ ...frontend, serviceDeploymentArn: 'arn:sd/frontend' }] });
  }

  test('each service shows its strategy, stage, traffic split and bake time left; a rollback says why', async () => {
    // GIVEN
    givenCanaryServices();
    const { command, output } = setup();
    // WHEN
    const code = await command.run(['--env', 'prod', '--cluster', 'prod-cluster', '--events', '0']);
    // THEN
    expect(code).toBe(ExitCode.OK);
    expect(output.lines).toEqual([
      'Environment prod: ECS cluster prod-cluster in eu-west-1',
      'SERVICE   RUNNING/DESIRED  PENDING  ROLLOUT    TASK DEFINITION  DEPLOYMENTS  STRATEGY                     STAGE                                             TRAFFIC (NEW / OLD)  BAKE LEFT',
      'backend   2/2              0        COMPLETED  backend:5        1            canary 10% for 5m, bake 10m  BAKE_TIME                                         100% new / 0% old    6m 30s',
      'frontend  2/2              0        COMPLETED  frontend:5       1            canary 10% for 5m, bake 10m  ROLLBACK_IN_PROGRESS at PRODUCTION_TRAFFIC_SHIFT  10% new / 90% old    -',
      'worker    2/2              0        COMPLETED  worker:5         1            rolling                      -                                                 -                    -',
      '  ✖ frontend: CANARY deployment ROLLBACK_IN_PROGRESS during PRODUCTION_TRAFFIC_SHIFT: alarm prod-frontend-5xx went to ALARM',
    ]);
    // the rolling service costs no service-deployment call
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand).map((call) => call.args[0].input.service)).toEqual([
      'arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/backend',
      'arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/frontend',
    ]);
  });

  test('a role without the service-deployment permissions still gets the table, and the reason on stderr', async () => {
    givenCanaryServices();
    ecsMock.on(ListServiceDeploymentsCommand).rejects(
      Object.assign(new Error('not authorized to perform: ecs:ListServiceDeployments'), {
        name: 'AccessDeniedException',
      }),
    );
    const { command, output } = setup();
    expect(await command.run(['--env', 'prod', '--cluster', 'prod-cluster', '--events', '0'])).toBe(ExitCode.OK);
    expect(output.lines[2]).toMatch(/^backend +2\/2 .* canary 10% for 5m, bake 10m +- +- +-$/);
    expect(output.errors[0]).toMatch(
      /^  backend: could not read its service deployments \(Access denied: not authorized to perform: ecs:ListServiceDeployments\./,
    );
  });
});
