import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
// cdk-nag's own rendering of CloudFormation references in finding ids, so the
// ids acknowledged here are exactly the ones its IAM5 rule reports.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';

/** The resources of one pipeline that its generated grants may name with wildcards. */
export interface PipelineResources {
  /** The artifact bucket. */
  readonly artifactBucket: s3.IBucket;
  /** The artifact replication buckets of the regions other than the pipeline's, in support stacks of their own. */
  readonly replicationBuckets?: readonly s3.IBucket[];
  /** The bucket CodeBuild keeps the npm cache in. */
  readonly cacheBucket: s3.IBucket;
  /** KMS keys the pipeline owns: the artifact key (cross-account) and the approval topics' keys. */
  readonly keys: readonly kms.IKey[];
}

/** One statement of a generated policy, as `Stack.resolve` renders it. */
export interface GrantStatement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Why a kind of generated grant is safe, given its statement's resources and actions. */
interface GrantKind {
  readonly matches: (statement: GrantStatement, resources: readonly string[], owned: OwnedIds) => boolean;
  readonly reason: string;
}

interface OwnedIds {
  readonly bucket: string;
  /** The replication buckets' ARNs as this stack's policies name them (literal names: they are in other stacks). */
  readonly replicationBuckets: readonly string[];
  readonly cacheBucket: string;
  readonly keys: readonly string[];
}

const GRANT_KINDS: readonly GrantKind[] = [
  {
    matches: (_, resources, owned) =>
      resources.every((resource) => resource === `<${owned.bucket}.Arn>` || resource === `<${owned.bucket}.Arn>/*`),
    reason:
      "CDK Pipelines' grant on this pipeline's own artifact bucket: the wildcard S3 actions are limited to that one bucket and its objects, which are only build artifacts.",
  },
  {
    matches: (_, resources, owned) =>
      resources.every((resource) =>
        owned.replicationBuckets.some((bucket) => resource === bucket || resource === `${bucket}/*`),
      ),
    reason:
      "CDK Pipelines' grant on this pipeline's own artifact replication bucket in another region: the wildcard S3 actions are limited to that one bucket and its objects, which are only copies of build artifacts.",
  },
  {
    matches: (_, resources, owned) =>
      resources.every(
        (resource) => resource === `<${owned.cacheBucket}.Arn>` || resource === `<${owned.cacheBucket}.Arn>/*`,
      ),
    reason:
      "CodeBuild's grant on this pipeline's own build cache bucket: the wildcard S3 actions are limited to that one bucket, which holds only the npm download cache.",
  },
  {
    matches: (_, resources, owned) =>
      resources.every((resource) => owned.keys.some((key) => resource === `<${key}.Arn>`)),
    reason:
      'Grant on a KMS key this pipeline owns (artifact or approval-topic key): the wildcard actions are the encrypt/re-encrypt/data-key family on that key only.',
  },
  {
    matches: (_, resources) =>
      resources.every((resource) =>
        /:log-group:\/aws\/codebuild\/<[^>]+>(:\*)?$|:report-group\/<[^>]+>-\*$/.test(resource),
      ),
    reason:
      "CodeBuild writes its own build's log streams and test reports, whose names are made per build; the grant is limited to this project's log group and report groups.",
  },
  {
    matches: (_, resources) =>
      resources.every((resource) => /:log-group:\/aws\/codebuild\/\*$|:report-group\/\*$/.test(resource)),
    reason:
      "The asset-publishing role is shared by one CodeBuild project per Docker image or file asset, all named by CDK Pipelines; the grant covers CodeBuild's own log groups and report groups in the pipeline's account and region only.",
  },
  {
    matches: (statement, resources) =>
      resources.every((resource) => resource === '*') &&
      normalize(statement.Action).every((action) =>
        ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'].includes(action),
      ),
    reason:
      "CDK Pipelines lets the shared asset-publishing role run and watch its asset builds; it can start, stop and read builds of existing projects in the pipeline's account but cannot create or change any project.",
  },
  {
    matches: (statement, resources) =>
      normalize(statement.Action).every((action) => action === 'sts:AssumeRole') &&
      resources.every((resource) => /^arn:\*:iam::\d{12}:role\/\*$/.test(resource)) &&
      JSON.stringify(statement.Condition ?? {}).includes('aws-cdk:bootstrap-role'),
    reason:
      'Self-mutation may assume only the CDK bootstrap roles (the iam:ResourceTag/aws-cdk:bootstrap-role condition) to deploy the pipeline stack itself.',
  },
  {
    matches: (statement, resources) =>
      resources.every((resource) => resource === '*') &&
      normalize(statement.Action).every(
        (action) => action === 'cloudformation:DescribeStacks' || action === 's3:ListBucket',
      ),
    reason:
      "Read-only lookups `cdk deploy` makes during self-mutation (the pipeline stack's status, the bootstrap bucket); neither exposes data and their targets have no fixed ARN at synth.",
  },
];

/**
 * Acknowledge, policy by policy, the wildcard grants that CDK Pipelines
 * generates for the pipeline's own roles, each with the reason it is safe.
 *
 * Every statement is matched against known kinds of generated grant (artifact
 * bucket, owned keys, CodeBuild's own logs, self-mutation); a wildcard that
 * fits none stays unacknowledged, so anything new fails synth for a person
 * to judge. Each role's single CDK-made policy is also acknowledged for NIST's
 * no-inline-policy rule.
 */
export function acknowledgePipelineGrants(scope: IConstruct, resources: PipelineResources): void {
  const stack = Stack.of(scope);
  const owned: OwnedIds = {
    bucket: logicalIdOf(resources.artifactBucket),
    replicationBuckets: (resources.replicationBuckets ?? []).map((bucket) =>
      flattenCfnReference(stack.resolve(bucket.bucketArn)),
    ),
    cacheBucket: logicalIdOf(resources.cacheBucket),
    keys: resources.keys.map(logicalIdOf),
  };
  for (const policy of scope.node.findAll().filter((node): node is iam.Policy => node instanceof iam.Policy)) {
    const document = stack.resolve((policy.node.defaultChild as iam.CfnPolicy).policyDocument) as {
      Statement?: GrantStatement[];
    };
    const acknowledgements = new Map<string, string>();
    for (const statement of document.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      const flattened = normalize(statement.Resource).map(flattenCfnReference);
      const findings = [
        ...normalize(statement.Action)
          .filter((action) => action.includes('*'))
          .map((action) => `Action::${action}`),
        ...flattened.filter((resource) => resource.includes('*')).map((resource) => `Resource::${resource}`),
      ];
      if (findings.length === 0) continue;
      const kind = GRANT_KINDS.find((candidate) => candidate.matches(statement, flattened, owned));
      if (!kind) continue;
      for (const finding of findings) {
        if (!acknowledgements.has(finding)) acknowledgements.set(finding, kind.reason);
      }
    }
    if (acknowledgements.size > 0) {
      acknowledgeFindings(
        policy,
        ...[...acknowledgements].map(([finding, reason]) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason })),
      );
    }
    acknowledgeInlinePolicy(policy, `CDK Pipelines' role ${policy.node.scope?.node.path ?? policy.node.path}`);
  }
}

function logicalIdOf(resource: IConstruct): string {
  const child = resource.node.defaultChild as { logicalId?: string } | undefined;
  return child?.logicalId ? Stack.of(resource).resolve(child.logicalId) : '';
}

/** A statement's `Action` or `Resource` as a list. */
export function normalize<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
