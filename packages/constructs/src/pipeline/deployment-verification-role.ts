import { createHash } from 'node:crypto';
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
// cdk-nag's own rendering of CloudFormation references in finding ids, so the
// acknowledged id is exactly the one its IAM5 rule reports.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { NIGHT_START_TAG_KEY, NIGHT_START_TAG_VALUE } from '../contract';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';

/** Props of `DeploymentVerificationRole`. */
export interface DeploymentVerificationRoleProps {
  /** The account the delivery pipeline runs in; its roles may assume this one. 12 digits. */
  readonly pipelineAccount: string;
  /** The environment's ECS cluster. */
  readonly cluster: ecs.ICluster;
  /** The services `slipway verify` checks; at least one. */
  readonly services: readonly ecs.IService[];
  /**
   * The task definitions of the services an out-of-hours schedule puts to sleep (desired count 0 at night) and verify
   * starts when asleep (`startedWhenAsleep`: not those tagged `slipway:night-start=skip`). A night
   * deploy starts none of their tasks, so verify starts one task of each (and stops it) to prove the new image
   * starts. For these only, the role may run that exact task definition revision in this cluster, tag the task it
   * creates with `slipway:verify=night-start`, stop tasks of this cluster that carry that tag, and pass the task
   * definitions' task and execution roles to ECS tasks.
   * @default - none: no service sleeps, and the role stays read-only
   */
  readonly scheduledTaskDefinitions?: readonly ecs.ITaskDefinition[];
}

/** IAM role names are at most 64 characters. */
const ROLE_NAME_MAX = 64;

/**
 * A role in the environment's account that the pipeline's verification step
 * assumes to run `slipway verify`: it can describe the stage's ECS services,
 * list and describe their service deployments (to follow a blue/green, canary
 * or linear release), and list and describe their tasks. It is read-only
 * unless some services sleep by schedule (`scheduledTaskDefinitions`): then it
 * may also start one task of each of their task definitions and stop the tasks
 * it started, nothing else.
 *
 * Its name is fixed at synth time (from the stack name and region) so that
 * the pipeline, which may live in another account, can name it in its own
 * IAM policy without a cross-stack reference.
 */
export class DeploymentVerificationRole extends Construct {
  /** The role. */
  public readonly role: iam.Role;
  /** The role's literal name. */
  public readonly roleName: string;
  /** The account the role lives in (the environment's). */
  public readonly account: string;

  constructor(scope: Construct, id: string, props: DeploymentVerificationRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'env',
        value: stack.account,
        problem: "needs the stack's account and region set explicitly",
        fix: "Give the Stage or Stack an env: { account, region } from the environment's config.",
      });
    }
    if (!/^\d{12}$/.test(props.pipelineAccount)) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'pipelineAccount',
        value: props.pipelineAccount,
        problem: 'must be a 12-digit AWS account id',
        fix: "Pass the pipeline's account from environments/index.ts.",
      });
    }
    if (props.services.length === 0) {
      throw SlipwayConfigError.of(this.node.path, {
        field: 'services',
        value: [],
        problem: 'must name at least one ECS service',
        fix: 'Pass the services the pipeline deploys to this environment.',
      });
    }
    this.account = stack.account;
    this.roleName = verificationRoleName(stack.stackName, stack.region);
    const scheduled = props.scheduledTaskDefinitions ?? [];

    this.role = new iam.Role(this, 'Role', {
      roleName: this.roleName,
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount),
      description:
        scheduled.length === 0
          ? `Read-only ECS access for the delivery pipeline's slipway verify step (${stack.stackName})`
          : `ECS access for the delivery pipeline's slipway verify step (${stack.stackName}): reads, and starts and stops one task of each service asleep by schedule`,
    });
    // Authorized on the service resource type (Service Authorization Reference for ECS); DescribeServiceDeployments
    // on both the service and the service-deployment types, as ECS's own least-privilege example for viewing service
    // deployments grants it ("Permissions required for viewing Amazon ECS service deployments"). Without the
    // service, verifying a canary, linear or blue/green service is denied.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices', 'ecs:ListServiceDeployments', 'ecs:DescribeServiceDeployments'],
        resources: props.services.map((service) => service.serviceArn),
      }),
    );
    // The service-deployment resource type is arn:...:service-deployment/<cluster>/<service>/<id>; the id is made per
    // deployment, so the grant names each service and leaves only the id open.
    const serviceDeployments = props.services.map((service) =>
      stack.formatArn({
        service: 'ecs',
        resource: 'service-deployment',
        resourceName: `${props.cluster.clusterName}/${service.serviceName}/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['ecs:DescribeServiceDeployments'], resources: serviceDeployments }),
    );
    // ListTasks is authorized on the container-instance resource type, which
    // Fargate tasks do not have; the ecs:cluster condition is what scopes it.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
      }),
    );
    // DescribeTasks is authorized on the task resource type, arn:...:task/<cluster>/<id>: this cluster's tasks
    // only, not those of another environment in the same account and region.
    const tasksOfThisCluster = stack.formatArn({
      service: 'ecs',
      resource: 'task',
      resourceName: `${props.cluster.clusterName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [tasksOfThisCluster] }));
    // Out of hours a scheduled service has no task to check: verify reads the images its task definition names.
    // DescribeTaskDefinition has no resource-level permissions (Service Authorization Reference for ECS).
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));

    if (scheduled.length > 0) this.grantNightStart(props.cluster, scheduled, tasksOfThisCluster);

    acknowledgeFindings(
      this.role,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "ecs:ListTasks has no task-level resource for Fargate; the statement is limited to this environment's cluster by the ecs:cluster condition and only lists. ecs:DescribeTaskDefinition has no resource-level permissions and only reads task definitions (verify reads the images a service asleep by schedule will start).",
      },
      {
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(tasksOfThisCluster))}]`,
        reason:
          "ecs:DescribeTasks is read-only and limited to this environment's cluster; only the task id, which ECS makes per task, is a wildcard (verify reads the running tasks' image digests and why stopped tasks stopped)." +
          (scheduled.length > 0
            ? ` ecs:StopTask is limited to this cluster's tasks that carry the ${NIGHT_START_TAG_KEY}=${NIGHT_START_TAG_VALUE} tag, and ecs:TagResource to putting that tag on a task as RunTask creates it (ecs:CreateAction): the role can stop the one task verify starts at night per sleeping service, never a service's own tasks; the id of a task not yet created cannot be named.`
            : ''),
      },
      ...serviceDeployments.map((arn) => ({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
        reason:
          "ecs:DescribeServiceDeployments is read-only and limited to this stage's service; only the deployment id, which ECS makes per release, is a wildcard.",
      })),
    );
    acknowledgeInlinePolicy(
      this.role,
      scheduled.length === 0
        ? "The pipeline's read-only deployment-verification role"
        : "The pipeline's deployment-verification role (reads; starts and stops one tagged task per service asleep by schedule)",
    );
  }

  /**
   * What verify needs to start one task of each sleeping service's task definition at night and stop it again
   * (Service Authorization Reference for ECS: RunTask on the task-definition resource type with the ecs:cluster
   * condition key; StopTask and TagResource on the task resource type; "Grant permission to tag resources on
   * creation": TagResource with ecs:CreateAction; iam:PassRole for the task and execution roles, as ECS's own
   * EventBridge role for scheduled tasks needs it).
   */
  private grantNightStart(cluster: ecs.ICluster, taskDefinitions: readonly ecs.ITaskDefinition[], tasks: string): void {
    // The task definition's Ref is the ARN of the revision this deploy registered (family:revision): not every revision
    // of the family, so not a revision the deploy did not make. The service's primary deployment names that revision.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: taskDefinitions.map((taskDefinition) => taskDefinition.taskDefinitionArn),
        conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
      }),
    );
    // Tagging is authorized separately when RunTask names tags; ecs:CreateAction keeps it to a task being created.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:TagResource'],
        resources: [tasks],
        conditions: {
          StringEquals: {
            'ecs:CreateAction': 'RunTask',
            [`aws:RequestTag/${NIGHT_START_TAG_KEY}`]: NIGHT_START_TAG_VALUE,
          },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [NIGHT_START_TAG_KEY] },
        },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:StopTask'],
        resources: [tasks],
        conditions: {
          ArnEquals: { 'ecs:cluster': cluster.clusterArn },
          StringEquals: { [`aws:ResourceTag/${NIGHT_START_TAG_KEY}`]: NIGHT_START_TAG_VALUE },
        },
      }),
    );
    const roles = taskDefinitions.flatMap((taskDefinition) => [
      taskDefinition.taskRole.roleArn,
      ...(taskDefinition.executionRole ? [taskDefinition.executionRole.roleArn] : []),
    ]);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: roles,
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
  }

  /**
   * The role's ARN as another stack (the pipeline's) can use it.
   * @param partition the partition of the consuming stack, e.g. `Aws.PARTITION`
   */
  public roleArn(partition: string): string {
    return `arn:${partition}:iam::${this.account}:role/${this.roleName}`;
  }
}

/** `<stack name>-<region>-verify`, shortened with a stable hash when it would exceed 64 characters. */
export function verificationRoleName(stackName: string, region: string): string {
  const full = `${stackName}-${region}-verify`;
  if (full.length <= ROLE_NAME_MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const suffix = `-${hash}-verify`;
  return `${full.slice(0, ROLE_NAME_MAX - suffix.length)}${suffix}`;
}
