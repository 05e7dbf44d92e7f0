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
    if (isMissingStack(error)) return undefined;
    throw error;
  }
}

/** Whether CloudFormation answered that the stack does not exist (a ValidationError "Stack with id X does not exist"). */
export function isMissingStack(error: unknown): boolean {
  return isNamed(error, 'ValidationError') && /does not exist/i.test((error as Error).message);
}
