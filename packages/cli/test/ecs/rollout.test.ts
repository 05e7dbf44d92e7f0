import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { assessService, waitForRollout } from '../../src/ecs/rollout';
import { deployment, FakeClock, RecordedOutput, service, throttlingError } from '../fakes';

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
