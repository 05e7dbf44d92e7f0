import { createHash } from 'node:crypto';
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
// cdk-nag's own rendering of CloudFormation references in finding ids, so the
// acknowledged id is exactly the one its IAM5 rule reports.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Construct } from 'constructs';
import { SlipwayConfigError } from '../config/slipway-config-error';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';

/** Props of `DeploymentVerificationRole`. */
export interface DeploymentVerificationRoleProps {
  /** The account the delivery pipeline runs in; its roles may assume this one. 12 digits. */
  readonly pipelineAccount: string;
  /** The environment's ECS cluster. */
  readonly cluster: ecs.ICluster;
  /** The services `slipway verify` checks; at least one. */
  readonly services: readonly ecs.IService[];
}

/** IAM role names are at most 64 characters. */
const ROLE_NAME_MAX = 64;

/**
 * A read-only role in the environment's account that the pipeline's
 * verification step assumes to run `slipway verify`: it can describe the
 * stage's ECS services, list and describe their service deployments (to follow
 * a blue/green, canary or linear release), and list and describe their tasks,
 * nothing else.
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

    this.role = new iam.Role(this, 'Role', {
      roleName: this.roleName,
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount),
      description: `Read-only ECS access for the delivery pipeline's slipway verify step (${stack.stackName})`,
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
          "ecs:DescribeTasks is read-only and limited to this environment's cluster; only the task id, which ECS makes per task, is a wildcard (verify reads the running tasks' image digests and why stopped tasks stopped).",
      },
      ...serviceDeployments.map((arn) => ({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
        reason:
          "ecs:DescribeServiceDeployments is read-only and limited to this stage's service; only the deployment id, which ECS makes per release, is a wildcard.",
      })),
    );
    acknowledgeInlinePolicy(this.role, "The pipeline's read-only deployment-verification role");
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
