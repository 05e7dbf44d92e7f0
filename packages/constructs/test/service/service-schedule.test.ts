import { TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { NIGHT_START_SKIP_TAG_KEY, SCHEDULE_TAG_KEY } from '../../src/contract';
import { InternalService } from '../../src/service';
import { platform, registryImage, spotSettings } from '../fixtures/stacks';

const awake = { days: 'MON-FRI', from: '08:00', to: '19:00' } as const;

function worker(options: { autoScaling?: boolean; desiredCount?: number; startWhenAsleep?: boolean } = {}) {
  const { stack, cluster } = platform();
  const service = new InternalService(stack, 'Worker', {
    cluster,
    serviceName: 'worker',
    ...spotSettings,
    desiredCount: options.desiredCount ?? 2,
    autoScaling: options.autoScaling ? { minCapacity: 1, maxCapacity: 4, targetCpuUtilizationPercent: 60 } : undefined,
    image: registryImage,
    containerPort: 9000,
    schedule: { timeZone: TimeZone.EUROPE_DUBLIN, awake, startWhenAsleep: options.startWhenAsleep },
  });
  return { stack, service, template: Template.fromStack(stack) };
}

describe('a service with a schedule', () => {
  test('GIVEN a fixed count THEN a scalable target holds it by day and two scheduled actions put it to sleep and wake it', () => {
    const { template, service } = worker();

    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 2,
      ScalableDimension: 'ecs:service:DesiredCount',
      ScheduledActions: [
        {
          ScheduledActionName: Match.stringLikeRegexp('Wake'),
          Schedule: 'cron(0 8 ? * MON,TUE,WED,THU,FRI *)',
          Timezone: 'Europe/Dublin',
          ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 2 },
        },
        {
          ScheduledActionName: Match.stringLikeRegexp('Sleep'),
          Schedule: 'cron(0 19 ? * MON,TUE,WED,THU,FRI *)',
          Timezone: 'Europe/Dublin',
          ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 0 },
        },
      ],
    });
    expect(service.scheduledActions).toEqual({
      wake: 'cron(0 8 ? * MON,TUE,WED,THU,FRI *)',
      sleep: 'cron(0 19 ? * MON,TUE,WED,THU,FRI *)',
    });
  });

  test('GIVEN a schedule THEN the template has no DesiredCount, so a deploy at night leaves the service asleep', () => {
    const { template, service } = worker();
    const [ecsService] = Object.values(template.findResources('AWS::ECS::Service'));
    expect(ecsService.Properties.DesiredCount).toBeUndefined();
    expect(service.desiredCount).toBeUndefined();
  });

  test('GIVEN a schedule THEN the service carries the awake hours in its slipway:awake-hours tag', () => {
    const { template } = worker();
    template.hasResourceProperties('AWS::ECS::Service', {
      Tags: Match.arrayWith([{ Key: SCHEDULE_TAG_KEY, Value: 'Europe/Dublin MON TUE WED THU FRI 08:00-19:00' }]),
    });
  });

  test('GIVEN no startWhenAsleep THEN verify may start it at night: no skip tag, startedWhenAsleep', () => {
    const { template, service } = worker();
    const [ecsService] = Object.values(template.findResources('AWS::ECS::Service'));
    expect(ecsService.Properties.Tags.map((tag: { Key: string }) => tag.Key)).not.toContain(NIGHT_START_SKIP_TAG_KEY);
    expect(service.startedWhenAsleep).toBe(true);
  });

  test('GIVEN startWhenAsleep false THEN the service carries slipway:night-start=skip, which verify reads', () => {
    const { template, service } = worker({ startWhenAsleep: false });
    template.hasResourceProperties('AWS::ECS::Service', {
      Tags: Match.arrayWith([
        { Key: SCHEDULE_TAG_KEY, Value: 'Europe/Dublin MON TUE WED THU FRI 08:00-19:00' },
        { Key: NIGHT_START_SKIP_TAG_KEY, Value: 'skip' },
      ]),
    });
    expect(service.startedWhenAsleep).toBe(false);
  });

  test('GIVEN autoscaling THEN the morning restores its range and target tracking stays', () => {
    const { template } = worker({ autoScaling: true });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 1);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 4,
      ScheduledActions: [
        Match.objectLike({ ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 } }),
        Match.objectLike({ ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 0 } }),
      ],
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
  });

  test('GIVEN hours that cross midnight THEN the construct refuses them with the prop and the fix', () => {
    const { stack, cluster } = platform();
    expect(
      () =>
        new InternalService(stack, 'Worker', {
          cluster,
          serviceName: 'worker',
          ...spotSettings,
          image: registryImage,
          containerPort: 9000,
          schedule: { timeZone: TimeZone.EUROPE_DUBLIN, awake: { days: 'MON-FRI', from: '20:00', to: '06:00' } },
        }),
    ).toThrow(/Test\/Worker: schedule\.awake\.to must be later than awake\.from \(20:00\); got "06:00"/);
  });
});

test('a service without a schedule is never asleep, so verify never starts it at night and it carries no skip tag', () => {
  const { stack, cluster } = platform();
  const service = new InternalService(stack, 'Worker', {
    cluster,
    serviceName: 'worker',
    ...spotSettings,
    image: registryImage,
    containerPort: 9000,
  });
  expect(service.startedWhenAsleep).toBe(false);
  const [ecsService] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'));
  expect(JSON.stringify(ecsService.Properties.Tags ?? [])).not.toContain(NIGHT_START_SKIP_TAG_KEY);
});
