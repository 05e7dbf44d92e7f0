import { Aspects, Aws, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';

/**
 * Turns on CloudFormation termination protection of the stack it is in, from inside the stack, as the last
 * resource the stack creates.
 *
 * Why not only `Stack.terminationProtection`: `cdk deploy` applies that flag, but CDK Pipelines deploys with
 * CloudFormation change-set actions, which ignore it (aws/aws-cdk#17871), so a pipeline-deployed stack would
 * stay unprotected. This resource works on both paths.
 *
 * Why last: CloudFormation refuses `DeleteStack` on a protected stack (a create rollback is not a delete,
 * it still completes), so a create that failed after protection was on would leave a `ROLLBACK_COMPLETE`
 * stack that must be unprotected by hand before the retry. Depending on every other construct of the stack
 * puts it after everything that can fail.
 *
 * Removed from the template (the setting turned off), it turns protection off again. CloudFormation
 * accepts the change in any stack status except `DELETE_IN_PROGRESS`/`DELETE_COMPLETE`; when the whole stack
 * is being deleted (so protection is already off) that refusal is ignored.
 */
export class StackTerminationProtection extends Construct {
  /** The custom resource calling `UpdateTerminationProtection`. */
  public readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    const updateTerminationProtection = (enable: boolean): cr.AwsSdkCall => ({
      service: 'CloudFormation',
      action: 'updateTerminationProtection',
      parameters: { StackName: Aws.STACK_ID, EnableTerminationProtection: enable },
      physicalResourceId: cr.PhysicalResourceId.of('stack-termination-protection'),
    });
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::AWS',
      onCreate: updateTerminationProtection(true),
      onUpdate: updateTerminationProtection(true),
      onDelete: { ...updateTerminationProtection(false), ignoreErrorCodesMatching: '.*' },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['cloudformation:UpdateTerminationProtection'], resources: [Aws.STACK_ID] }),
      ]),
      installLatestAwsSdk: false,
    });
    acknowledgeInlinePolicy(this.resource, 'Stack termination protection custom resource');

    // The provider function is a singleton at stack level: it must exist before the resource, so it is the
    // one top-level construct the resource does not wait for.
    const provider = (this.resource.grantPrincipal as iam.IRole).node.scope!;
    acknowledgeProvider(provider);
    Aspects.of(stack).add(new CreateLast(this, provider));
  }
}

/** Makes the protection depend on every other top-level construct of its stack, whenever it was added. */
class CreateLast implements IAspect {
  constructor(
    private readonly protection: StackTerminationProtection,
    private readonly provider: IConstruct,
  ) {}

  public visit(node: IConstruct): void {
    const stack = Stack.of(this.protection);
    if (node.node.scope !== stack || node === this.protection || node === this.provider) return;
    // CDK's own metadata resource is added after aspects run, so it is never a dependency.
    this.protection.node.addDependency(node);
  }
}

function acknowledgeProvider(provider: IConstruct): void {
  const reason = (why: string) => `Provider of the stack termination protection custom resource: ${why}`;
  acknowledgeFindings(
    provider,
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: reason('the AWS managed basic execution policy only lets it write its own CloudWatch logs.'),
    },
    {
      id: 'NIST.800.53.R5-LambdaConcurrency',
      reason: reason('it runs only when CloudFormation creates, updates or deletes the resource, once per deploy.'),
    },
    {
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason: reason(
        'CloudFormation invokes it synchronously and fails the deploy on an error; there is nothing to queue.',
      ),
    },
    {
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason: reason('it only calls the CloudFormation API and reaches no resource inside the VPC.'),
    },
  );
}
