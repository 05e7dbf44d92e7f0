import { Duration } from 'aws-cdk-lib';
import { capacityProviderStrategies, serviceAutoScaling } from '../../src/app/environment-props';

describe('environment settings as construct props', () => {
  test('GIVEN each capacity setting THEN the strategy matches it', () => {
    expect(capacityProviderStrategies('spot')).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    expect(capacityProviderStrategies('on-demand')).toEqual([{ capacityProvider: 'FARGATE', weight: 1 }]);
    expect(capacityProviderStrategies({ onDemandBase: 2, spotWeight: 3 })).toEqual([
      { capacityProvider: 'FARGATE', base: 2, weight: 1 },
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
    ]);
  });

  test('GIVEN autoscaling settings THEN the cooldowns in seconds become durations and the rest keeps its value', () => {
    expect(serviceAutoScaling(undefined)).toBeUndefined();
    const props = serviceAutoScaling({
      min: 2,
      max: 6,
      cpuTargetPercent: 60,
      memoryTargetPercent: 75,
      requestsPerTarget: 1000,
      scaleInCooldownSeconds: 120,
    });
    expect(props).toEqual({
      minCapacity: 2,
      maxCapacity: 6,
      targetCpuUtilizationPercent: 60,
      targetMemoryUtilizationPercent: 75,
      requestsPerTarget: 1000,
      scaleInCooldown: Duration.seconds(120),
      scaleOutCooldown: undefined,
    });
  });
});
