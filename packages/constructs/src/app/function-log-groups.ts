import { CfnResource, IAspect, RemovalPolicy, Stack, Tokenization } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/** Props of `FunctionLogGroups`. */
export interface FunctionLogGroupsProps {
  /** How long each function's logs are kept. */
  readonly retention: logs.RetentionDays;
  /**
   * Key that encrypts the log groups; its policy must let CloudWatch Logs use it in this account and region.
   * Only functions in the key's stack get a group.
   */
  readonly encryptionKey: kms.IKey;
  /**
   * What happens to the log groups when the stack is deleted or they are updated away.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An aspect that gives every Lambda function of a stack that names no log group of its own one the stack
 * creates, kept and encrypted like the stack's other logs, and points the function's `LoggingConfig` at it.
 * Add it with `AspectPriority.MUTATING`, so that read-only aspects (cdk-nag's checks) see the groups.
 *
 * The functions it finds are the ones CDK adds for its own custom resources (restricting the VPC's default
 * security group, `cloudwatchLogsRetention`, `AwsCustomResource`). Lambda would otherwise write their logs to
 * `/aws/lambda/<function name>`, a group it creates on first use that never expires, is not encrypted with
 * the environment's key and outlives the stack.
 *
 * The function refers to its group, so CloudFormation creates the group before the function and deletes it
 * after: what a provider logs while the stack is deleted still has somewhere to go.
 */
export class FunctionLogGroups implements IAspect {
  constructor(private readonly props: FunctionLogGroupsProps) {}

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    if (Stack.of(node) !== Stack.of(this.props.encryptionKey) || namesLogGroup(node)) return;
    const owner = node.node.scope!;
    const logGroup = new logs.LogGroup(owner, owner.node.tryFindChild('Logs') ? 'FunctionLogs' : 'Logs', {
      retention: this.props.retention,
      encryptionKey: this.props.encryptionKey,
      removalPolicy: this.props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    node.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
  }
}

/**
 * Whether the function names its log group already: `lambda.Function`'s `logGroup`, or a `loggingConfig` that is
 * a token. CDK's providers that are plain `CfnResource`s never set LoggingConfig.
 */
function namesLogGroup(resource: CfnResource): boolean {
  if (!(resource instanceof lambda.CfnFunction) || resource.loggingConfig === undefined) return false;
  return Tokenization.isResolvable(resource.loggingConfig) || resource.loggingConfig.logGroup !== undefined;
}
