import { CfnResource, Stack } from 'aws-cdk-lib';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

/** A resource CloudFormation leaves behind, or keeps a snapshot of, when its stack is deleted. */
export interface KeptResource {
  /** Construct path in the stack (`Database/Cluster`), or the logical id when the template has none. */
  readonly path: string;
  /** CloudFormation type. */
  readonly type: string;
  /** Its DeletionPolicy: Retain, RetainExceptOnCreate or Snapshot. */
  readonly policy: string;
}

/** What deleting one stack does. */
export interface DestroySummary {
  readonly stackName: string;
  /** Whether CloudFormation refuses to delete the stack until its termination protection is turned off. */
  readonly terminationProtection: boolean;
  /** Resources CloudFormation deletes. */
  readonly deleted: number;
  /** Resources it keeps (or snapshots before deleting). */
  readonly kept: readonly KeptResource[];
}

/** DeletionPolicy values that leave something behind after a stack is deleted. */
const KEEPS = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

/**
 * Read from a synthesized stack what deleting it removes and what it keeps.
 *
 * @param paths construct path by logical id (`constructPaths`); a resource without one is named by its logical id
 */
export function summarizeDestroy(
  stack: CloudFormationStackArtifact,
  paths: ReadonlyMap<string, string> = new Map(),
): DestroySummary {
  type Resource = { Type: string; DeletionPolicy?: string };
  const resources = Object.entries((stack.template.Resources ?? {}) as Record<string, Resource>).filter(
    ([, resource]) => resource.Type !== 'AWS::CDK::Metadata',
  );
  const kept = resources
    .filter(([, resource]) => KEEPS.has(resource.DeletionPolicy ?? ''))
    .map(([id, resource]) => ({ path: paths.get(id) ?? id, type: resource.Type, policy: resource.DeletionPolicy! }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const snapshotted = kept.filter((resource) => resource.policy === 'Snapshot').length;
  return {
    stackName: stack.stackName,
    terminationProtection: stack.terminationProtection ?? false,
    deleted: resources.length - kept.length + snapshotted,
    kept,
  };
}

/** Each resource's construct path in its stack (`Database/Cluster`), by logical id. */
export function constructPaths(stack: Stack): Map<string, string> {
  const paths = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(construct) || Stack.of(construct) !== stack) continue;
    const path = construct.node.path.slice(stack.node.path.length + 1).replace(/\/(Resource|Default)$/, '');
    paths.set(stack.resolve(construct.logicalId) as string, path);
  }
  return paths;
}

/** What the person running `destroy:<environment>` reads before the CDK CLI asks to confirm. */
export function formatDestroySummary(summaries: readonly DestroySummary[]): string[] {
  const lines: string[] = [];
  for (const summary of summaries) {
    const keeps = summary.kept.filter((resource) => resource.policy !== 'Snapshot');
    const snapshots = summary.kept.filter((resource) => resource.policy === 'Snapshot');
    lines.push(
      `Deleting ${summary.stackName} removes ${summary.deleted} resource${summary.deleted === 1 ? '' : 's'}` +
        (summary.kept.length === 0 ? ' and keeps nothing.' : '. It leaves behind:'),
    );
    const width = Math.max(0, ...summary.kept.map((resource) => resource.type.length));
    for (const resource of keeps) lines.push(`  kept      ${resource.type.padEnd(width)}  ${resource.path}`);
    for (const resource of snapshots) {
      lines.push(
        `  snapshot  ${resource.type.padEnd(width)}  ${resource.path} (deleted after a final snapshot, which is kept)`,
      );
    }
  }
  for (const summary of summaries.filter((candidate) => candidate.terminationProtection)) {
    lines.push(
      `${summary.stackName} has termination protection, so CloudFormation refuses to delete it: set deletionProtection`,
      "to false in the environment's settings and deploy once, which turns it off, then destroy.",
    );
  }
  if (summaries.some((summary) => summary.kept.length > 0)) {
    lines.push(
      'What is kept goes on costing (storage, a KMS key, snapshots): delete it by hand once nobody needs it',
      '(docs/slipway/releases.md, "Tearing an environment down").',
    );
  }
  return lines;
}
