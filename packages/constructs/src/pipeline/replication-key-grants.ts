import { ArnFormat, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
// cdk-nag's own rendering of CloudFormation references in finding ids (see pipeline-acknowledgements.ts).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';
import { GrantStatement, normalize } from './pipeline-acknowledgements';
import { acknowledgeFindings } from '../nag/acknowledge';

/** The key of another region's artifact replication bucket, by the alias CodePipeline gives it. */
interface ReplicationKey {
  readonly region: string;
  readonly account: string;
  readonly aliasName: string;
}

/**
 * With an environment in another account and another region, CodePipeline encrypts that region's artifact
 * replication bucket with a customer-managed key in that region. A key in another region has no ARN the pipeline
 * stack can name, so CDK grants the pipeline's roles the key actions on every key (`"Resource": "*"`): with the
 * default key policy, which delegates to IAM, that would reach every such key in the pipeline's account.
 *
 * This narrows each such statement to keys in the replication regions of the pipeline's account that carry a
 * replication key's alias (`kms:ResourceAliases`, as CDK itself grants on imported aliases), rewriting the policy
 * when it is rendered, after every grant is in, and acknowledges the remaining `key/*` wildcard with that reason.
 */
export function narrowReplicationKeyGrants(scope: IConstruct, buckets: readonly s3.IBucket[]): void {
  const keys = buckets.flatMap((bucket) => replicationKeyOf(bucket));
  if (keys.length === 0) return;
  for (const policy of scope.node.findAll().filter((node): node is iam.Policy => node instanceof iam.Policy)) {
    const stack = Stack.of(policy);
    const document = policy.document;
    const current = stack.resolve(document) as { Statement?: GrantStatement[] };
    if (!(current.Statement ?? []).some(isKeyGrantOnEveryKey)) continue;
    const keyArns = keys.map((key) =>
      stack.formatArn({
        service: 'kms',
        region: key.region,
        account: key.account,
        resource: 'key',
        resourceName: '*',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    const aliases = keys.map((key) => stack.resolve(key.aliasName) as string);
    // The property itself, not a raw override: cdk-nag reads the resource's properties.
    const cfnPolicy = policy.node.defaultChild as iam.CfnPolicy;
    cfnPolicy.policyDocument = Lazy.any({
      produce: () => {
        const rendered = stack.resolve(document) as { Statement?: GrantStatement[] };
        return {
          ...rendered,
          Statement: (rendered.Statement ?? []).map((statement) =>
            isKeyGrantOnEveryKey(statement)
              ? {
                  ...statement,
                  Resource: keyArns.length === 1 ? keyArns[0] : keyArns,
                  Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } },
                }
              : statement,
          ),
        };
      },
    });
    acknowledgeFindings(
      policy,
      ...keyArns.map((arn, index) => ({
        id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
        reason: `CodePipeline's grant on its artifact replication key in ${keys[index].region}: the key actions are limited to the keys of that region in the pipeline's account that carry the replication key's alias (kms:ResourceAliases); a key in another region has no ARN the pipeline stack can name.`,
      })),
    );
  }
}

/** The alias-named key of a replication bucket made for a cross-account pipeline; none for S3-managed keys. */
function replicationKeyOf(bucket: s3.IBucket): ReplicationKey[] {
  const key = bucket.encryptionKey;
  if (!(key instanceof kms.Alias)) return [];
  const stack = Stack.of(key);
  // Unresolved: in its own stack the name is a Ref; in the pipeline's (another region) it is the generated name.
  return [{ region: stack.region, account: stack.account, aliasName: key.aliasName }];
}

/** A grant of key actions only, on every resource, without conditions: what CDK writes for a cross-region key. */
function isKeyGrantOnEveryKey(statement: GrantStatement): boolean {
  const actions = normalize(statement.Action);
  return (
    statement.Effect === 'Allow' &&
    statement.Resource === '*' &&
    statement.Condition === undefined &&
    actions.length > 0 &&
    actions.every((action) => action.startsWith('kms:'))
  );
}
