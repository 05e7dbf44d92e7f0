/**
 * Roll tasks in place (ECS's rolling update): new tasks start beside the old ones, then the old ones stop. The only
 * strategy the HTTP API ingress supports, and the default.
 */
export interface RollingDeploymentConfig {
  /** ECS rolling update with the deployment circuit breaker. */
  readonly strategy: 'rolling';
}

/**
 * ECS canary deployment behind the load balancer: the new revision gets `percent` of production traffic for
 * `minutes`, then all of it, then both revisions run for `bakeTimeMinutes` before the old one stops.
 */
export interface CanaryDeploymentConfig {
  /** ECS `CANARY` deployment strategy. */
  readonly strategy: 'canary';
  /**
   * Share of production traffic the new revision gets first, 0.1–100 in steps of 0.1 (ECS `canaryPercent`).
   * @default 10
   */
  readonly percent?: number;
  /**
   * Minutes the canary share runs before all traffic moves, 0–1440 (ECS `canaryBakeTimeInMinutes`).
   * @default 5
   */
  readonly minutes?: number;
  /**
   * Minutes both revisions keep running after all traffic moved, 0–1440; an alarm then still rolls back.
   * @default 10
   */
  readonly bakeTimeMinutes?: number;
}

/**
 * ECS linear deployment behind the load balancer: the new revision gets `stepPercent` more of production traffic every
 * `minutes` until it has all of it, then the bake time.
 */
export interface LinearDeploymentConfig {
  /** ECS `LINEAR` deployment strategy. */
  readonly strategy: 'linear';
  /**
   * Share of production traffic moved per step, 3–100 in steps of 0.1 (ECS `stepPercent`).
   * @default 10
   */
  readonly stepPercent?: number;
  /**
   * Minutes between two steps, 0–1440 (ECS `stepBakeTimeInMinutes`).
   * @default 6
   */
  readonly minutes?: number;
  /**
   * Minutes both revisions keep running after all traffic moved, 0–1440.
   * @default 10
   */
  readonly bakeTimeMinutes?: number;
}

/**
 * ECS blue/green deployment behind the load balancer: the new revision starts in full beside the old one, is tested
 * through the test listener, then takes all production traffic at once, then the bake time.
 */
export interface BlueGreenDeploymentConfig {
  /** ECS `BLUE_GREEN` deployment strategy. */
  readonly strategy: 'blue-green';
  /**
   * Minutes both revisions keep running after all traffic moved, 0–1440.
   * @default 10
   */
  readonly bakeTimeMinutes?: number;
}

/** How ECS releases a new revision of the environment's services. */
export type DeploymentConfig =
  RollingDeploymentConfig | CanaryDeploymentConfig | LinearDeploymentConfig | BlueGreenDeploymentConfig;

/** A strategy that shifts load balancer traffic between two target groups (anything but rolling). */
export type TrafficShiftingDeploymentConfig = Exclude<DeploymentConfig, RollingDeploymentConfig>;

/** Whether the deployment setting shifts traffic between target groups (needs the load balancer ingress). */
export function isTrafficShifting(
  deployment: DeploymentConfig | undefined,
): deployment is TrafficShiftingDeploymentConfig {
  return deployment !== undefined && deployment.strategy !== 'rolling';
}

/** Defaults of the deployment settings, in one place for the constructs, the docs and the tests. */
export const DEPLOYMENT_DEFAULTS = {
  canaryPercent: 10,
  canaryMinutes: 5,
  linearStepPercent: 10,
  linearMinutes: 6,
  bakeTimeMinutes: 10,
} as const;

/**
 * Minutes a release of this strategy waits by design once it starts shifting traffic: the canary's minutes, or the
 * linear steps' minutes between steps, plus the bake time (0 for rolling). `slipway verify` extends its rollout
 * wait by as much; the verification step's build timeout must too.
 */
export function plannedReleaseMinutes(deployment: DeploymentConfig | undefined): number {
  if (!isTrafficShifting(deployment)) return 0;
  const bake = deployment.bakeTimeMinutes ?? DEPLOYMENT_DEFAULTS.bakeTimeMinutes;
  switch (deployment.strategy) {
    case 'canary':
      return (deployment.minutes ?? DEPLOYMENT_DEFAULTS.canaryMinutes) + bake;
    case 'linear': {
      // ECS waits between steps, not after the last one.
      const steps = Math.ceil(100 / (deployment.stepPercent ?? DEPLOYMENT_DEFAULTS.linearStepPercent));
      return (steps - 1) * (deployment.minutes ?? DEPLOYMENT_DEFAULTS.linearMinutes) + bake;
    }
    default:
      return bake;
  }
}
