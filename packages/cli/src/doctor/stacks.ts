import { CloudFormationClient, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { isNamed } from '../aws-error';

/**
 * The stack, or `undefined` where there is none: CloudFormation answers a missing stack with a ValidationError
 * "Stack with id X does not exist". Any other error is thrown.
 */
export async function describeStackIfAny(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<Stack | undefined> {
  try {
    return (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if (isNamed(error, 'ValidationError') && /does not exist/i.test((error as Error).message)) return undefined;
    throw error;
  }
}
