import { Aws, CfnElement, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MIGRATION_HANDLER_SOURCE } from './migration-handler';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';

/** Props of `DatabaseMigration`. */
export interface DatabaseMigrationProps {
  /** The cluster the migration task runs in. */
  readonly cluster: ecs.ICluster;
  /**
   * The task definition to run, normally the service's own: the new image, its environment and its secrets. Its
   * ARN changes with every new revision, which is what makes CloudFormation run the migration again.
   */
  readonly taskDefinition: ecs.TaskDefinition;
  /** The container whose command is replaced by `command`. */
  readonly containerName: string;
  /** The migration command, e.g. `['node', 'dist/migrate.js', 'up']`; it must exit 0 on success. */
  readonly command: readonly string[];
  /** Security groups of the task (the service's: the database admits them). */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  /**
   * Subnets of the task.
   * @default - the cluster VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Retention of the function's own log. */
  readonly logRetention: logs.RetentionDays;
  /** Encrypts the function's log. */
  readonly encryptionKey: kms.IKey;
  /**
   * What happens to the function's log group (which names each migration task) when the stack deletes it.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Runs a database migration once per release, before the new version takes traffic: a CloudFormation custom
 * resource whose function starts one ECS task (the given task definition with `command` in place of the container's
 * command) and succeeds only when it exits 0. Make the service depend on it
 * (`service.node.addDependency(migration)`), and CloudFormation updates the service only after the migration; a
 * failed migration fails the deploy, which rolls back before any task of the new version started.
 *
 * It runs when its properties change, i.e. when the task definition gets a new revision (a new image, new settings).
 * On a rollback CloudFormation sends the old properties again: the old image's migrations are all applied already,
 * so it is a no-op (node-pg-migrate only checks the order of the migrations both sides know). The function waits up
 * to 15 minutes (Lambda's limit); a longer migration fails the deploy while its task keeps running.
 */
export class DatabaseMigration extends Construct {
  /** The custom resource; depend on it to order after the migration. */
  public readonly resource: CustomResource;
  /** The function that runs the task and waits. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: DatabaseMigrationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(MIGRATION_HANDLER_SOURCE),
      timeout: Duration.minutes(15),
      memorySize: 256,
      logGroup,
      description: `Runs ${props.command.join(' ')} as a one-off ECS task before the service is updated`,
      // CloudFormation invokes the function asynchronously: a retry after a timeout would start a second migration.
      retryAttempts: 0,
    });
    const subnets = props.cluster.vpc.selectSubnets(
      props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    );
    const onCluster = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [props.taskDefinition.taskDefinitionArn],
        conditions: onCluster,
      }),
    );
    const taskArns = `arn:${Aws.PARTITION}:ecs:${stack.region}:${stack.account}:task/${props.cluster.clusterName}/*`;
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [taskArns], conditions: onCluster }),
    );
    const roles = [props.taskDefinition.obtainExecutionRole(), props.taskDefinition.taskRole];
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: roles.map((role) => role.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::SlipwayDatabaseMigration',
      properties: {
        Cluster: props.cluster.clusterArn,
        TaskDefinition: props.taskDefinition.taskDefinitionArn,
        ContainerName: props.containerName,
        Command: [...props.command],
        Subnets: subnets.subnetIds,
        SecurityGroups: props.securityGroups.map((group) => group.securityGroupId),
      },
    });
    this.resource.node.addDependency(this.function);

    acknowledgeInlinePolicy(this.function.role!, 'Database migration function');
    const reason = (why: string) => `Database migration function: ${why}`;
    acknowledgeFindings(
      this.function,
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: reason('the AWS managed basic execution policy only lets it write its own CloudWatch logs.'),
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${stack.region}:${stack.account}:task/${clusterReference(props.cluster)}/*]`,
        reason: reason('ecs:DescribeTasks on the tasks of this one cluster (task ids are not known in advance).'),
      },
      {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason: reason('it runs only when CloudFormation deploys a new task definition revision, once per release.'),
      },
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: reason('it always answers CloudFormation itself, and retries are off: there is nothing to queue.'),
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason: reason('it only calls the ECS API; the migration itself runs in the VPC as an ECS task.'),
      },
    );
  }
}

/** How cdk-nag writes the cluster's name in a finding id: the logical id of a cluster in this app, else the name. */
function clusterReference(cluster: ecs.ICluster): string {
  const resource = cluster.node.defaultChild;
  return resource instanceof CfnElement ? `<${Stack.of(resource).getLogicalId(resource)}>` : cluster.clusterName;
}
