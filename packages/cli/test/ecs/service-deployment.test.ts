import { DescribeServiceDeploymentsCommand, ECSClient, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  assessServiceDeployment,
  describeServiceDeployment,
  ServiceDeploymentUnreadableError,
  findLatestServiceDeployment,
  plannedWaitMs,
} from '../../src/ecs/service-deployment';
import { canaryConfiguration, serviceDeployment } from '../fakes';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'eu-west-1' });
beforeEach(() => ecsMock.reset());

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('assessServiceDeployment: in progress, stage by stage', () => {
  // ServiceDeployment.lifecycleStage (ECS API reference): the old ("blue") revision takes all production
  // traffic until PRODUCTION_TRAFFIC_SHIFT; after POST_PRODUCTION_TRAFFIC_SHIFT the new one takes it all.
  test.each([
    ['RECONCILE_SERVICE', '0% new / 100% old'],
    ['PRE_SCALE_UP', '0% new / 100% old'],
    ['SCALE_UP', '0% new / 100% old'],
    ['POST_SCALE_UP', '0% new / 100% old'],
    ['TEST_TRAFFIC_SHIFT', '0% new / 100% old'],
    ['POST_TEST_TRAFFIC_SHIFT', '0% new / 100% old'],
    ['PRODUCTION_TRAFFIC_SHIFT', 'shifting (canary 10% first)'],
    ['POST_PRODUCTION_TRAFFIC_SHIFT', '100% new / 0% old'],
    ['CLEAN_UP', '100% new / 0% old'],
  ] as const)('%s without traffic weights: the split follows from the stage (%s)', (stage, traffic) => {
    const progress = assessServiceDeployment(serviceDeployment({ lifecycleStage: stage }), NOW);
    expect(progress).toEqual({
      strategy: 'CANARY',
      settings: 'canary 10% for 5m, bake 10m',
      status: 'IN_PROGRESS',
      stage,
      traffic,
      bakeRemainingMs: undefined,
      outcome: 'in-progress',
      reason: undefined,
    });
  });

  test('the requested production traffic weights of the target and source revisions give the split', () => {
    const deployment = serviceDeployment({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' });
    deployment.targetServiceRevision!.requestedProductionTrafficWeight = 10;
    deployment.sourceServiceRevisions![0].requestedProductionTrafficWeight = 90;
    expect(assessServiceDeployment(deployment, NOW).traffic).toBe('10% new / 90% old');
  });

  test('a linear deployment reports its step while shifting', () => {
    const progress = assessServiceDeployment(
      serviceDeployment({
        lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
        deploymentConfiguration: {
          strategy: 'LINEAR',
          bakeTimeInMinutes: 5,
          linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 },
        },
      }),
      NOW,
    );
    expect(progress.settings).toBe('linear 25% every 2m, bake 5m');
    expect(progress.traffic).toBe('shifting (25% a step)');
  });

  test('BAKE_TIME counts down from the deployment’s last update', () => {
    // GIVEN ten minutes of bake time, entered (updatedAt) 3.5 minutes ago
    const progress = assessServiceDeployment(
      serviceDeployment({ lifecycleStage: 'BAKE_TIME', updatedAt: new Date(NOW - 210_000) }),
      NOW,
    );
    expect(progress.stage).toBe('BAKE_TIME');
    expect(progress.traffic).toBe('100% new / 0% old');
    expect(progress.bakeRemainingMs).toBe(390_000);
    // and never goes below zero
    expect(
      assessServiceDeployment(
        serviceDeployment({ lifecycleStage: 'BAKE_TIME', updatedAt: new Date(NOW - 3_600_000) }),
        NOW,
      ).bakeRemainingMs,
    ).toBe(0);
  });
});

test('SUCCESSFUL is the end of a deployment, with all traffic on the new revision', () => {
  const progress = assessServiceDeployment(
    serviceDeployment({ status: 'SUCCESSFUL', lifecycleStage: undefined, finishedAt: new Date(NOW) }),
    NOW,
  );
  expect(progress.outcome).toBe('successful');
  expect(progress.traffic).toBe('100% new / 0% old');
  expect(progress.reason).toBeUndefined();
});

describe('rollbacks and stops name their cause', () => {
  test.each(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'] as const)(
    '%s after an alarm is rolled-back, naming the alarm',
    (status) => {
      const progress = assessServiceDeployment(
        serviceDeployment({
          status,
          lifecycleStage: 'BAKE_TIME',
          alarms: { status: 'TRIGGERED', alarmNames: ['prod-backend-5xx'], triggeredAlarmNames: ['prod-backend-5xx'] },
          rollback: { reason: 'Service deployment rolled back because of alarm', startedAt: new Date(NOW) },
        }),
        NOW,
      );
      expect(progress.outcome).toBe('rolled-back');
      expect(progress.reason).toBe(`${status} during BAKE_TIME: alarm prod-backend-5xx went to ALARM`);
      expect(progress.bakeRemainingMs).toBeUndefined();
    },
  );

  test('a failed pre-traffic lifecycle hook is named with its stage', () => {
    const hookArn = 'arn:aws:lambda:eu-west-1:222222222222:function:prod-backend-smoke-test';
    const progress = assessServiceDeployment(
      serviceDeployment({
        status: 'ROLLBACK_IN_PROGRESS',
        lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
        deploymentConfiguration: canaryConfiguration({
          lifecycleHooks: [{ hookTargetArn: hookArn, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }],
        }),
        lifecycleHookDetails: [{ hookId: 'h1', targetType: 'AWS_LAMBDA', targetArn: hookArn, status: 'FAILED' }],
      }),
      NOW,
    );
    expect(progress.reason).toBe(
      'ROLLBACK_IN_PROGRESS during POST_TEST_TRAFFIC_SHIFT: lifecycle hook prod-backend-smoke-test (POST_TEST_TRAFFIC_SHIFT) failed',
    );
  });

  test('a triggered circuit breaker is named with its counts', () => {
    const progress = assessServiceDeployment(
      serviceDeployment({
        status: 'ROLLBACK_SUCCESSFUL',
        lifecycleStage: 'SCALE_UP',
        deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 3, threshold: 3 },
      }),
      NOW,
    );
    expect(progress.traffic).toBe('0% new / 100% old');
    expect(progress.reason).toBe(
      'ROLLBACK_SUCCESSFUL during SCALE_UP: the deployment circuit breaker triggered (3 failed tasks, threshold 3)',
    );
  });

  test.each(['STOPPED', 'STOP_REQUESTED'] as const)('%s is stopped, with the reason ECS gives', (status) => {
    const progress = assessServiceDeployment(
      serviceDeployment({ status, lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', statusReason: 'Stopped by user' }),
      NOW,
    );
    expect(progress.outcome).toBe('stopped');
    expect(progress.reason).toBe(`${status} during PRODUCTION_TRAFFIC_SHIFT: Stopped by user`);
  });
});

describe('plannedWaitMs: what the strategy deliberately waits', () => {
  test('canary: its wait plus the bake time', () => {
    expect(plannedWaitMs(canaryConfiguration())).toBe(15 * 60_000);
  });
  test('linear: the waits between steps (none after 100 %) plus the bake time', () => {
    expect(
      plannedWaitMs({
        strategy: 'LINEAR',
        bakeTimeInMinutes: 5,
        linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 },
      }),
    ).toBe((3 * 2 + 5) * 60_000);
  });
  test('blue/green: the bake time; ECS defaults when a field is left out', () => {
    expect(plannedWaitMs({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 15 })).toBe(15 * 60_000);
    // CanaryConfiguration's documented default wait is 10 minutes
    expect(plannedWaitMs({ strategy: 'CANARY' })).toBe(10 * 60_000);
  });
  test('rolling: nothing', () => {
    expect(plannedWaitMs({ strategy: 'ROLLING', bakeTimeInMinutes: 10 })).toBe(0);
    expect(plannedWaitMs(undefined)).toBe(0);
  });
});

test('findLatestServiceDeployment reads every page of ListServiceDeployments and picks the newest', async () => {
  // GIVEN three pages, the newest deployment on the middle one
  ecsMock
    .on(ListServiceDeploymentsCommand, { nextToken: undefined })
    .resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'old', createdAt: new Date('2024-04-01T10:00:00Z'), status: 'SUCCESSFUL' },
      ],
      nextToken: 'page2',
    })
    .on(ListServiceDeploymentsCommand, { nextToken: 'page2' })
    .resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'new', createdAt: new Date('2024-05-01T11:50:00Z'), status: 'IN_PROGRESS' },
      ],
      nextToken: 'page3',
    })
    .on(ListServiceDeploymentsCommand, { nextToken: 'page3' })
    .resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'older', createdAt: new Date('2024-03-01T10:00:00Z'), status: 'SUCCESSFUL' },
      ],
    });
  // WHEN
  const latest = await findLatestServiceDeployment(ecs, 'prod-cluster', 'backend');
  // THEN
  expect(latest?.serviceDeploymentArn).toBe('new');
  expect(ecsMock.commandCalls(ListServiceDeploymentsCommand).map((call) => call.args[0].input)).toEqual([
    { cluster: 'prod-cluster', service: 'backend', maxResults: 100, nextToken: undefined },
    { cluster: 'prod-cluster', service: 'backend', maxResults: 100, nextToken: 'page2' },
    { cluster: 'prod-cluster', service: 'backend', maxResults: 100, nextToken: 'page3' },
  ]);
});

test('a service with no service deployment has no latest one', async () => {
  ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
  expect(await findLatestServiceDeployment(ecs, 'prod-cluster', 'backend')).toBeUndefined();
});

test('describeServiceDeployment asks for the one ARN; a failure for it is an error that names the reason', async () => {
  const deployment = serviceDeployment();
  ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [deployment], failures: [] });
  expect(await describeServiceDeployment(ecs, deployment.serviceDeploymentArn!)).toBe(deployment);
  ecsMock.on(DescribeServiceDeploymentsCommand).resolves({
    serviceDeployments: [],
    failures: [{ arn: deployment.serviceDeploymentArn, reason: 'MISSING', detail: 'not found' }],
  });
  const read = describeServiceDeployment(ecs, deployment.serviceDeploymentArn!);
  await expect(read).rejects.toThrow(ServiceDeploymentUnreadableError);
  await expect(read).rejects.toThrow(
    `ECS could not describe service deployment ${deployment.serviceDeploymentArn!.split('/').pop()}: MISSING (not found)`,
  );
});
