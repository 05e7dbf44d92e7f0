import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { StoppedTaskAlert } from '../alarms/stopped-task-alert';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';

/**
 * A service deployment that shifts load balancer traffic from the running revision (blue) to the new one (green)
 * instead of rolling tasks in place: ECS blue/green, canary or linear, with a test listener and bake time.
 */
export interface TrafficShiftProps {
  /** `BLUE_GREEN`, `CANARY` or `LINEAR` (`ROLLING` is a deployment without `trafficShift`). */
  readonly strategy: ecs.DeploymentStrategy;
  /**
   * With `CANARY`: the share of production traffic the new revision gets first, and for how long.
   * @default - ECS's default (5 % for 10 minutes)
   */
  readonly canaryConfiguration?: ecs.TrafficShiftConfig;
  /**
   * With `LINEAR`: the share moved per step and the time between steps.
   * @default - ECS's default (10 % every 6 minutes)
   */
  readonly linearConfiguration?: ecs.TrafficShiftConfig;
  /**
   * Time both revisions keep running after all production traffic moved; a deployment alarm then still rolls back.
   * @default - ECS's default
   */
  readonly bakeTime?: Duration;
  /**
   * The listener the new revision answers on before production traffic reaches it (`AlbIngress.testListener`). The
   * service gets a rule there with its own path patterns and priority.
   */
  readonly testListener: elbv2.IApplicationListener;
  /**
   * The alert on the cluster's stopped tasks (`StoppedTaskAlert`, in the service's stack). It watches the revision
   * being released (`watchRevision`), and the count of its tasks that fail to start or exit becomes a deployment
   * alarm: ECS documents its circuit breaker for rolling and blue/green updates only, and a new revision whose tasks
   * never start registers no target, so no load balancer alarm would see it.
   */
  readonly stoppedTaskAlert: StoppedTaskAlert;
  /**
   * Lifecycle hooks ECS runs during the deployment (e.g. `SmokeTestHook.hookTarget`).
   * @default - none
   */
  readonly lifecycleHooks?: readonly ecs.IDeploymentLifecycleHookTarget[];
  /**
   * Parameters ECS passes to each of `lifecycleHooks` on every invocation (the hook configuration's `HookDetails`),
   * e.g. `smokeTestHookDetails(...)`: which of the smoke test's checks concern this service.
   * @default - none
   */
  readonly lifecycleHookDetails?: Readonly<Record<string, unknown>>;
}

/** What the ECS infrastructure role for load balancers may change: one service's rules and target groups. */
export interface TrafficShiftRoleProps {
  /** The production and test listener rules ECS re-weights. */
  readonly listenerRules: readonly elbv2.ApplicationListenerRule[];
  /** The listeners those rules are on. */
  readonly listeners: readonly elbv2.IApplicationListener[];
  /** The primary and the alternate target group ECS registers tasks in. */
  readonly targetGroups: readonly elbv2.ApplicationTargetGroup[];
}

/**
 * The IAM role ECS assumes to shift traffic during a blue/green, canary or linear deployment: the actions of the AWS
 * managed `AmazonECSInfrastructureRolePolicyForLoadBalancers`, narrowed from every load balancer in the account to
 * this service's two listener rules, their listeners and its two target groups. Only the Describe calls stay on `*`:
 * Elastic Load Balancing has no resource-level permissions for them.
 */
export class TrafficShiftRole extends Construct {
  /** The role (trusted by `ecs.amazonaws.com`). */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TrafficShiftRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'ECS shifts traffic between the blue and green target groups of one service',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        resources: ['*'],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        resources: props.targetGroups.map((targetGroup) => targetGroup.targetGroupArn),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:ModifyRule'],
        resources: props.listenerRules.map((rule) => rule.listenerRuleArn),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:ModifyListener'],
        resources: props.listeners.map((listener) => listener.listenerArn),
      }),
    );
    acknowledgeInlinePolicy(this.role, 'A service traffic shift role');
    acknowledgeFindings(this.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only elasticloadbalancing:Describe* (listeners, rules, target groups, target health), which have no resource-level permissions; every change is limited to this service’s rules, listeners and target groups.',
    });
  }
}

/** Whether a strategy shifts load balancer traffic (anything but a rolling update). */
export function shiftsTraffic(strategy: ecs.DeploymentStrategy | undefined): boolean {
  return strategy !== undefined && strategy !== ecs.DeploymentStrategy.ROLLING;
}
