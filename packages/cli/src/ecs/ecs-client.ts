import { ECSClient } from '@aws-sdk/client-ecs';
import { isAccessDenied } from '../aws-error';

/**
 * An ECS client for the CLI. The region comes from `--region`, else from the
 * usual AWS_REGION / profile chain; credentials from the default chain (in the
 * pipeline: the verification step's role, or the profile it assumes).
 */
export function createEcsClient(region: string | undefined): ECSClient {
  // Extra SDK-level attempts absorb short bursts of throttling; the polling
  // loops add their own, longer, bounded retries on top.
  return new ECSClient({ region, maxAttempts: 5 });
}

/** A message for AWS errors that the person can act on. */
export function describeAwsError(error: unknown): string {
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as Error)?.message ?? String(error);
  if (/region is missing/i.test(message)) {
    return 'No AWS region configured. Pass --region <region> or set AWS_REGION.';
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return `No AWS credentials found (${message}). Log in (aws sso login, or set AWS_PROFILE) and try again.`;
  }
  if (isAccessDenied(error)) {
    return `Access denied: ${message}. The role needs ecs:ListClusters, ecs:DescribeClusters, ecs:ListServices, ecs:DescribeServices, ecs:ListTasks and ecs:DescribeTasks, for blue/green, canary and linear services ecs:ListServiceDeployments and ecs:DescribeServiceDeployments, and for slipway images ecs:ListTaskDefinitions and ecs:DescribeTaskDefinition.`;
  }
  return `${name}: ${message}`;
}
