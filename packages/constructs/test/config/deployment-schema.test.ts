import { EnvironmentConfig, isTrafficShifting, parseEnvironmentConfig, plannedReleaseMinutes } from '../../src/config';
import { devHttpApi, prodLike, variant } from '../fixtures/environments';

const FILE = 'environments/prod.ts';

/** Prod-like settings without request-count scaling, which a traffic-shifting deployment refuses. */
function prodWith(deployment: unknown): unknown {
  return variant(prodLike, (c) => {
    c.deployment = deployment;
    for (const service of Object.values<any>(c.services)) delete service.autoscaling.requestsPerTarget;
  });
}

describe('the deployment setting', () => {
  test.each([
    [{ strategy: 'rolling' }],
    [{ strategy: 'canary' }],
    [{ strategy: 'canary', percent: 10, minutes: 5, bakeTimeMinutes: 10 }],
    [{ strategy: 'canary', percent: 0.1, minutes: 0, bakeTimeMinutes: 1440 }],
    [{ strategy: 'linear', stepPercent: 3, minutes: 6 }],
    [{ strategy: 'linear', stepPercent: 33.3, minutes: 2, bakeTimeMinutes: 0 }],
    [{ strategy: 'blue-green', bakeTimeMinutes: 15 }],
  ])('GIVEN %j behind the load balancer WHEN parsed THEN it comes back unchanged', (deployment) => {
    expect((parseEnvironmentConfig(prodWith(deployment), FILE) as EnvironmentConfig).deployment).toEqual(deployment);
  });

  test('GIVEN the HTTP API ingress with a rolling deployment (or none) WHEN parsed THEN it is accepted', () => {
    expect(() => parseEnvironmentConfig({ ...devHttpApi, deployment: { strategy: 'rolling' } }, FILE)).not.toThrow();
    expect(parseEnvironmentConfig(devHttpApi, FILE).deployment).toBeUndefined();
  });

  test('GIVEN each strategy THEN only canary, linear and blue-green shift traffic', () => {
    expect(isTrafficShifting(undefined)).toBe(false);
    expect(isTrafficShifting({ strategy: 'rolling' })).toBe(false);
    expect(isTrafficShifting({ strategy: 'canary' })).toBe(true);
    expect(isTrafficShifting({ strategy: 'linear' })).toBe(true);
    expect(isTrafficShifting({ strategy: 'blue-green' })).toBe(true);
  });

  // The limits are those of the ECS API's DeploymentConfiguration: canaryPercent 0.1–100 and linear stepPercent
  // 3–100, both multiples of 0.1; canaryBakeTimeInMinutes, stepBakeTimeInMinutes and bakeTimeInMinutes 0–1440.
  const invalid: Array<[string, unknown, RegExp]> = [
    [
      'unknown strategy',
      prodWith({ strategy: 'all-at-once' }),
      /prod\.ts: deployment\.strategy must be 'rolling', 'canary', 'linear' or 'blue-green'; got "all-at-once"\. Use \{ strategy: 'canary' \}/,
    ],
    [
      'canary percent below 0.1',
      prodWith({ strategy: 'canary', percent: 0 }),
      /deployment\.percent must be between 0\.1 and 100; got 0\. Use a small slice such as 10\./,
    ],
    [
      'canary percent above 100',
      prodWith({ strategy: 'canary', percent: 150 }),
      /deployment\.percent must be between 0\.1 and 100; got 150\./,
    ],
    [
      'canary percent not a multiple of 0.1',
      prodWith({ strategy: 'canary', percent: 12.25 }),
      /deployment\.percent must be a multiple of 0\.1; got 12\.25\./,
    ],
    [
      'linear step below 3 %',
      prodWith({ strategy: 'linear', stepPercent: 2 }),
      /deployment\.stepPercent must be between 3 and 100; got 2\. Use e\.g\. 10/,
    ],
    [
      'canary minutes above 24 hours',
      prodWith({ strategy: 'canary', minutes: 1441 }),
      /deployment\.minutes must be between 0 and 1440 minutes; got 1441\./,
    ],
    [
      'fractional minutes',
      prodWith({ strategy: 'linear', minutes: 2.5 }),
      /deployment\.minutes must be a whole number of minutes; got 2\.5\./,
    ],
    [
      'negative bake time',
      prodWith({ strategy: 'blue-green', bakeTimeMinutes: -1 }),
      /deployment\.bakeTimeMinutes must be between 0 and 1440 minutes; got -1\. A common bake time is 10 minutes/,
    ],
    [
      'bake time on a rolling deployment (ECS bakes only traffic-shifting deployments)',
      prodWith({ strategy: 'rolling', bakeTimeMinutes: 10 }),
      /deployment\.bakeTimeMinutes/,
    ],
    ['canary settings on a linear deployment', prodWith({ strategy: 'linear', percent: 10 }), /deployment\.percent/],
    [
      'a traffic-shifting strategy behind the HTTP API',
      { ...devHttpApi, deployment: { strategy: 'canary' } },
      /deployment\.strategy must be 'rolling' when ingress is 'http-api'; got "canary"\. Canary, linear and blue\/green deployments shift traffic between two load balancer target groups/,
    ],
    [
      'request-count scaling with a traffic-shifting strategy',
      variant(prodLike, (c) => {
        c.deployment = { strategy: 'blue-green' };
        delete c.services.frontend.autoscaling.requestsPerTarget;
      }),
      /services\.backend\.autoscaling\.requestsPerTarget must be absent when deployment\.strategy is 'blue-green'; got 1000\. ECS swaps the two target groups/,
    ],
  ];

  test.each(invalid)('GIVEN %s WHEN parsed THEN it fails with file, field, value and fix', (_name, config, message) => {
    expect(() => parseEnvironmentConfig(config, FILE)).toThrow(message);
  });
});

describe('plannedReleaseMinutes: how long a release waits by design once it shifts traffic', () => {
  test.each([
    ['rolling (or no setting)', undefined, 0],
    ['canary defaults: 5 minutes at 10 %, then 10 minutes of bake time', { strategy: 'canary' } as const, 15],
    [
      'canary 20 % for 30 minutes, no bake time',
      { strategy: 'canary', percent: 20, minutes: 30, bakeTimeMinutes: 0 } as const,
      30,
    ],
    [
      'linear defaults: 10 steps of 10 %, 6 minutes between steps, then 10 minutes of bake time',
      { strategy: 'linear' } as const,
      9 * 6 + 10,
    ],
    [
      'linear 30 % steps: 4 steps, 3 waits',
      { strategy: 'linear', stepPercent: 30, minutes: 2, bakeTimeMinutes: 1 } as const,
      3 * 2 + 1,
    ],
    ['blue/green: the bake time only', { strategy: 'blue-green', bakeTimeMinutes: 20 } as const, 20],
  ])('%s', (_name, deployment, minutes) => {
    expect(plannedReleaseMinutes(deployment)).toBe(minutes);
  });
});
