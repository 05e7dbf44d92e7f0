import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ServiceDeployment,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { assessService, waitForRollout } from '../../src/ecs/rollout';
import {
  canaryConfiguration,
  deployment,
  FakeClock,
  RecordedOutput,
  service,
  serviceDeployment,
  throttlingError,
} from '../fakes';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'eu-west-1' });

beforeEach(() => ecsMock.reset());

function wait(clock: FakeClock, output: RecordedOutput, services = ['backend'], timeoutMs = 60_000) {
  return waitForRollout(ecs, { cluster: 'dev-cluster', services, timeoutMs, pollIntervalMs: 10_000, clock, output });
}

describe('assessService', () => {
  test('a COMPLETED primary deployment with running == desired is completed', () => {
    const rollout = assessService('backend', service('backend', [deployment({ desiredCount: 2, runningCount: 2 })]));
    expect(rollout.state).toBe('completed');
    expect(rollout.detail).toBe('backend:2 COMPLETED, 2/2 running');
  });

  test('COMPLETED but running < desired is still in progress', () => {
    const rollout = assessService(
      'backend',
      service('backend', [deployment({ desiredCount: 2, runningCount: 1, pendingCount: 1 })]),
    );
    expect(rollout.state).toBe('in-progress');
    expect(rollout.detail).toContain('1/2 running, 1 pending');
  });

  test('a FAILED primary deployment fails with its reason', () => {
    const rollout = assessService(
      'backend',
      service('backend', [
        deployment({
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          runningCount: 0,
          failedTasks: 3,
        }),
      ]),
    );
    expect(rollout.state).toBe('failed');
    expect(rollout.detail).toContain('FAILED: ECS deployment circuit breaker: tasks failed to start.');
    expect(rollout.detail).toContain('3 failed to start');
  });

  test('a failed deployment beside a new primary is a circuit-breaker rollback', () => {
    const rollout = assessService(
      'backend',
      service('backend', [
        deployment({
          revision: 1,
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment ecs-svc/backend1 in progress.',
        }),
        deployment({
          revision: 2,
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        }),
      ]),
    );
    expect(rollout.state).toBe('rolled-back');
    expect(rollout.detail).toBe(
      'the deployment circuit breaker stopped deployment ecs-svc/backend2 (backend:2): ECS deployment circuit breaker: tasks failed to start.; ECS is rolling back to backend:1',
    );
  });

  test('without the circuit breaker a single deployment at desired count is settled', () => {
    expect(assessService('backend', service('backend', [deployment({ rolloutState: undefined })])).state).toBe(
      'completed',
    );
    const twoDeployments = service('backend', [
      deployment({ rolloutState: undefined }),
      deployment({ revision: 1, status: 'ACTIVE', rolloutState: undefined }),
    ]);
    expect(assessService('backend', twoDeployments).state).toBe('in-progress');
  });

  test('a draining or inactive service is missing', () => {
    expect(assessService('backend', service('backend', [], { status: 'INACTIVE' })).state).toBe('missing');
  });
});

describe('waitForRollout', () => {
  test('returns at once when every service is COMPLETED', async () => {
    // GIVEN
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [service('backend', [deployment()]), service('frontend', [deployment({ family: 'frontend' })])],
    });
    const clock = new FakeClock();
    // WHEN
    const result = await wait(clock, new RecordedOutput(), ['backend', 'frontend']);
    // THEN
    expect(result.outcome).toBe('completed');
    expect(clock.sleeps).toEqual([]);
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({
      cluster: 'dev-cluster',
      services: ['backend', 'frontend'],
    });
  });

  test('keeps polling while IN_PROGRESS, then completes', async () => {
    // GIVEN
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [
          service('backend', [
            deployment({ rolloutState: 'IN_PROGRESS', runningCount: 0, pendingCount: 1 }),
            deployment({ revision: 1, status: 'ACTIVE' }),
          ]),
        ],
      })
      .resolvesOnce({
        services: [
          service('backend', [
            deployment({ rolloutState: 'IN_PROGRESS' }),
            deployment({ revision: 1, status: 'ACTIVE' }),
          ]),
        ],
      })
      .resolves({ services: [service('backend', [deployment()])] });
    const clock = new FakeClock();
    const output = new RecordedOutput();
    // WHEN
    const result = await wait(clock, output);
    // THEN
    expect(result.outcome).toBe('completed');
    expect(clock.sleeps).toEqual([10_000, 10_000]);
    expect(output.lines).toEqual([
      '  … backend: backend:2 IN_PROGRESS, 0/1 running, 1 pending, 1 older deployment draining',
      '  … backend: backend:2 IN_PROGRESS, 1/1 running, 1 older deployment draining',
      '  ✔ backend: backend:2 COMPLETED, 1/1 running',
    ]);
  });

  test('fails fast on a FAILED rollout without waiting for the timeout', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        service('backend', [
          deployment({ rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start', runningCount: 0 }),
        ]),
      ],
    });
    const clock = new FakeClock();
    const result = await wait(clock, new RecordedOutput());
    expect(result.outcome).toBe('failed');
    expect(result.services[0].state).toBe('failed');
    expect(clock.sleeps).toEqual([]);
  });

  test('fails fast when the circuit breaker rolls back', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [
          service('backend', [
            deployment({ revision: 2, rolloutState: 'IN_PROGRESS', runningCount: 0 }),
            deployment({ revision: 1, status: 'ACTIVE' }),
          ]),
        ],
      })
      .resolves({
        services: [
          service('backend', [
            deployment({ revision: 1, rolloutState: 'IN_PROGRESS' }),
            deployment({
              revision: 2,
              status: 'ACTIVE',
              rolloutState: 'FAILED',
              rolloutStateReason: 'circuit breaker: tasks failed to start',
            }),
          ]),
        ],
      });
    const clock = new FakeClock();
    const result = await wait(clock, new RecordedOutput());
    expect(result.outcome).toBe('failed');
    expect(result.services[0].state).toBe('rolled-back');
    expect(clock.sleeps).toEqual([10_000]);
  });

  test('times out when running stays below desired', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [service('backend', [deployment({ rolloutState: 'IN_PROGRESS', desiredCount: 2, runningCount: 1 })])],
    });
    const clock = new FakeClock();
    const started = clock.now();
    const output = new RecordedOutput();
    const result = await wait(clock, output, ['backend'], 45_000);
    expect(result.outcome).toBe('timed-out');
    expect(result.services[0].detail).toContain('1/2 running');
    expect(clock.now() - started).toBe(45_000);
    // The unchanged state is printed once, not on every poll.
    expect(output.lines).toHaveLength(1);
  });

  test('retries throttled calls with backoff and then succeeds', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .rejectsOnce(throttlingError())
      .rejectsOnce(throttlingError())
      .resolves({ services: [service('backend', [deployment()])] });
    const clock = new FakeClock();
    const output = new RecordedOutput();
    const result = await wait(clock, output);
    expect(result.outcome).toBe('completed');
    expect(clock.sleeps).toEqual([10_000, 20_000]);
    expect(output.text).toContain('ECS throttled DescribeServices (ThrottlingException); retrying in 10s');
  });

  test('other AWS errors are thrown to the caller', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));
    await expect(wait(new FakeClock(), new RecordedOutput())).rejects.toThrow(/Cluster not found/);
  });

  test('a service missing from the cluster fails', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [{ arn: 'arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/backend', reason: 'MISSING' }],
    });
    const result = await wait(new FakeClock(), new RecordedOutput());
    expect(result.outcome).toBe('failed');
    expect(result.services[0]).toEqual({
      service: 'backend',
      state: 'missing',
      detail: 'not found in cluster dev-cluster (MISSING)',
    });
  });

  test('asks for at most ten services per DescribeServices call', async () => {
    const names = Array.from({ length: 12 }, (_, index) => `svc${index}`);
    ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.map((name) => service(name, [deployment({ family: name })])),
    }));
    const result = await wait(new FakeClock(), new RecordedOutput(), names);
    expect(result.outcome).toBe('completed');
    expect(ecsMock.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input.services?.length)).toEqual([
      10, 2,
    ]);
  });
});

describe('waitForRollout with a traffic-shifting (canary) service', () => {
  const DEPLOYMENT_ARN = serviceDeployment().serviceDeploymentArn!;

  /** DescribeServices of a canary service, and its one service deployment going through `states` poll by poll. */
  function givenCanary(states: Partial<ServiceDeployment>[]) {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        service('backend', [deployment({ revision: 3, desiredCount: 2, runningCount: 2 })], {
          deploymentConfiguration: canaryConfiguration(),
          deploymentController: { type: 'ECS' },
        }),
      ],
    });
    ecsMock.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: DEPLOYMENT_ARN, createdAt: new Date('2024-05-01T11:50:00Z'), status: 'IN_PROGRESS' },
      ],
    });
    let describe = ecsMock.on(DescribeServiceDeploymentsCommand);
    for (const [index, state] of states.entries()) {
      const response = { serviceDeployments: [serviceDeployment(state)] };
      describe =
        index === states.length - 1 ? (describe.resolves(response), describe) : describe.resolvesOnce(response);
    }
  }

  test('follows the deployment stage by stage, through the bake time, until SUCCESSFUL, printing each stage once', async () => {
    // GIVEN a canary going through its stages, staying two polls in BAKE_TIME
    const clock = new FakeClock();
    givenCanary([
      { lifecycleStage: 'SCALE_UP' },
      { lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' },
      { lifecycleStage: 'BAKE_TIME', updatedAt: new Date(clock.now() + 20_000) },
      { lifecycleStage: 'BAKE_TIME', updatedAt: new Date(clock.now() + 20_000) },
      { lifecycleStage: 'CLEAN_UP' },
      { status: 'SUCCESSFUL', lifecycleStage: undefined },
    ]);
    const output = new RecordedOutput();
    // WHEN
    const result = await wait(clock, output, ['backend'], 60_000);
    // THEN
    expect(result.outcome).toBe('completed');
    expect(clock.sleeps).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    // the deadline grew by the canary's 5 minutes and the 10-minute bake time
    expect(result.allowedMs).toBe(60_000 + 15 * 60_000);
    expect(output.lines).toEqual([
      '  waiting up to 16m in all: 1m plus 15m of traffic shifting and bake time',
      '  … backend: backend:3 CANARY IN_PROGRESS (canary 10% for 5m, bake 10m): SCALE_UP, traffic 0% new / 100% old',
      '  … backend: backend:3 CANARY IN_PROGRESS (canary 10% for 5m, bake 10m): PRODUCTION_TRAFFIC_SHIFT, traffic shifting (canary 10% first)',
      '  … backend: backend:3 CANARY IN_PROGRESS (canary 10% for 5m, bake 10m): BAKE_TIME, traffic 100% new / 0% old, bake 10m left',
      '  … backend: backend:3 CANARY IN_PROGRESS (canary 10% for 5m, bake 10m): CLEAN_UP, traffic 100% new / 0% old',
      '  ✔ backend: backend:3 CANARY SUCCESSFUL (canary 10% for 5m, bake 10m), traffic 100% new / 0% old',
    ]);
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)[0].args[0].input).toEqual({
      cluster: 'dev-cluster',
      service: 'arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/backend',
      maxResults: 100,
      nextToken: undefined,
    });
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand)[0].args[0].input).toEqual({
      serviceDeploymentArns: [DEPLOYMENT_ARN],
    });
  });

  test.each(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'] as const)(
    'fails fast on %s, with the alarm that caused it',
    async (status) => {
      givenCanary([
        { lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' },
        {
          status,
          lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
          alarms: { status: 'TRIGGERED', alarmNames: ['prod-backend-5xx'], triggeredAlarmNames: ['prod-backend-5xx'] },
        },
      ]);
      const clock = new FakeClock();
      const result = await wait(clock, new RecordedOutput());
      expect(result.outcome).toBe('failed');
      expect(clock.sleeps).toEqual([10_000]);
      expect(result.services[0]).toMatchObject({
        state: 'rolled-back',
        reason: `${status} during PRODUCTION_TRAFFIC_SHIFT: alarm prod-backend-5xx went to ALARM`,
      });
    },
  );

  test('fails fast when the deployment is STOPPED', async () => {
    givenCanary([
      { status: 'STOPPED', lifecycleStage: 'BAKE_TIME', statusReason: 'Service deployment stopped by user' },
    ]);
    const clock = new FakeClock();
    const result = await wait(clock, new RecordedOutput());
    expect(result.outcome).toBe('failed');
    expect(clock.sleeps).toEqual([]);
    expect(result.services[0]).toMatchObject({
      state: 'failed',
      reason: 'STOPPED during BAKE_TIME: Service deployment stopped by user',
    });
  });

  test('times out only after the timeout plus the canary wait and bake time', async () => {
    givenCanary([{ lifecycleStage: 'BAKE_TIME', updatedAt: new Date(Date.UTC(2030, 0, 1)) }]);
    const clock = new FakeClock();
    const started = clock.now();
    const result = await wait(clock, new RecordedOutput(), ['backend'], 60_000);
    expect(result.outcome).toBe('timed-out');
    expect(clock.now() - started).toBe(16 * 60_000);
  });

  test('retries a throttled ListServiceDeployments and names it', async () => {
    givenCanary([{ status: 'SUCCESSFUL', lifecycleStage: undefined }]);
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .rejectsOnce(throttlingError())
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT_ARN, createdAt: new Date() }] });
    const clock = new FakeClock();
    const output = new RecordedOutput();
    const result = await wait(clock, output);
    expect(result.outcome).toBe('completed');
    expect(clock.sleeps).toEqual([10_000]);
    expect(output.lines[0]).toBe('  ECS throttled ListServiceDeployments (ThrottlingException); retrying in 10s');
  });

  test('retries a throttled DescribeServiceDeployments and names it', async () => {
    givenCanary([{ status: 'SUCCESSFUL', lifecycleStage: undefined }]);
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .rejectsOnce(throttlingError())
      .resolves({ serviceDeployments: [serviceDeployment({ status: 'SUCCESSFUL' })] });
    const output = new RecordedOutput();
    expect((await wait(new FakeClock(), output)).outcome).toBe('completed');
    expect(output.lines[0]).toBe('  ECS throttled DescribeServiceDeployments (ThrottlingException); retrying in 10s');
  });

  test('a rolling service is judged from DescribeServices alone: no service-deployment calls, no longer deadline', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        service('backend', [deployment()], {
          deploymentConfiguration: {
            strategy: 'ROLLING',
            bakeTimeInMinutes: 0,
            maximumPercent: 200,
            minimumHealthyPercent: 100,
          },
        }),
      ],
    });
    const result = await wait(new FakeClock(), new RecordedOutput());
    expect(result).toEqual({
      outcome: 'completed',
      allowedMs: 60_000,
      services: [{ service: 'backend', state: 'completed', detail: 'backend:2 COMPLETED, 1/1 running' }],
    });
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(0);
  });

  test('a listed service deployment ECS cannot describe is waited on, not judged by the completed rolling state', async () => {
    // GIVEN a canary whose primary deployment already reads COMPLETED, and whose service deployment ECS lists but
    // answers DescribeServiceDeployments for with a failure, first once, then for good
    givenCanary([{ status: 'SUCCESSFUL', lifecycleStage: undefined }]);
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [], failures: [{ arn: DEPLOYMENT_ARN, reason: 'MISSING' }] })
      .resolves({ serviceDeployments: [serviceDeployment({ status: 'SUCCESSFUL' })] });
    const output = new RecordedOutput();
    // WHEN verify waits: THEN the unreadable poll is in progress, and the next one completes
    expect((await wait(new FakeClock(), output)).outcome).toBe('completed');
    expect(output.lines[0]).toBe(
      `  … backend: ECS could not describe service deployment ${DEPLOYMENT_ARN.split('/').pop()}: MISSING`,
    );
    // AND a failure that lasts ends in a timeout that names it, never in a pass
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [], failures: [{ arn: DEPLOYMENT_ARN, reason: 'MISSING' }] });
    const result = await wait(new FakeClock(), new RecordedOutput());
    expect(result.outcome).toBe('timed-out');
    expect(result.services[0]).toMatchObject({ state: 'in-progress', detail: expect.stringContaining('MISSING') });
  });

  test('a canary service without any service deployment falls back to its rollout state', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [service('backend', [deployment()], { deploymentConfiguration: canaryConfiguration() })],
    });
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    const result = await wait(new FakeClock(), new RecordedOutput());
    expect(result.outcome).toBe('completed');
    expect(result.services[0].detail).toBe('backend:2 COMPLETED, 1/1 running');
  });
});
