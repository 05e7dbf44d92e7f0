import { collectAcknowledgements } from '@slipway/constructs';
import { Stack, Stage } from 'aws-cdk-lib';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { DeliveryStack } from './delivery-stack';

/** What one part of the app synthesized to. */
export interface SynthSummaryRow {
  /** The environment's name, or `pipeline`. */
  readonly environment: string;
  /** Construct path of the Stage or the pipeline stack. */
  readonly path: string;
  /** CloudFormation stack names. */
  readonly stacks: readonly string[];
  /** Resources across those stacks. */
  readonly resources: number;
  /** Findings acknowledged (with a reason) on constructs of this part. */
  readonly acknowledged: number;
}

/**
 * Per environment, and for the pipeline: stacks, resource count and the
 * number of acknowledged cdk-nag findings. Called after a synth that
 * succeeded, so every other finding of both packs passed.
 */
export function summarizeSynth(assembly: CloudAssembly, delivery: DeliveryStack): SynthSummaryRow[] {
  const rows = delivery.stages.map((stage): SynthSummaryRow => {
    const stacks = assembly.getNestedAssembly(stage.artifactId).stacks;
    return {
      environment: stage.config.name,
      path: stage.node.path,
      stacks: stacks.map((stack) => stack.stackName),
      resources: countResources(stacks),
      acknowledged: collectAcknowledgements(stage).length,
    };
  });
  // The pipeline's stack, and the support stacks CodePipeline adds beside it for environments in other regions
  // (each holds the artifact replication bucket of its region and deploys with the pipeline stack).
  const supportStacks = delivery.node.scope!.node.children.filter(
    (child): child is Stack => Stack.isStack(child) && child !== delivery,
  );
  const pipelineArtifacts = [delivery, ...supportStacks].map((stack) => assembly.getStackArtifact(stack.artifactId));
  const ownAcknowledgements = [
    ...collectAcknowledgements(delivery).filter(
      (record) => !delivery.stages.some((stage) => record.path.startsWith(`${stage.node.path}/`)),
    ),
    ...supportStacks.flatMap((stack) => collectAcknowledgements(stack)),
  ];
  rows.push({
    environment: 'pipeline',
    path: delivery.node.path,
    stacks: pipelineArtifacts.map((artifact) => artifact.stackName),
    resources: countResources(pipelineArtifacts),
    acknowledged: ownAcknowledgements.length,
  });
  return rows;
}

/** The summary as an aligned table with a heading line. */
export function formatSynthSummary(rows: readonly SynthSummaryRow[], outdir: string, seconds: number): string[] {
  const header = ['ENVIRONMENT', 'STAGE', 'STACKS', 'RESOURCES', 'NAG (AwsSolutions, NIST 800-53 R5)'];
  const cells = rows.map((row) => [
    row.environment,
    row.path,
    row.stacks.join(', '),
    String(row.resources),
    `passed, ${row.acknowledged} acknowledged`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column].length)));
  return [
    `Synthesized ${outdir} in ${seconds.toFixed(1)}s: ${rows.length - 1} environment${rows.length === 2 ? '' : 's'} and the pipeline, no unacknowledged findings.`,
    ...[header, ...cells].map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    ),
  ];
}

function countResources(stacks: readonly CloudFormationStackArtifact[]): number {
  return stacks.reduce((sum, stack) => sum + Object.keys(stack.template.Resources ?? {}).length, 0);
}

/** Find the delivery stack among the App's children. */
export function findDeliveryStack(app: Stage): DeliveryStack {
  const delivery = app.node.children.find((child): child is DeliveryStack => child instanceof DeliveryStack);
  if (!delivery) {
    throw new Error(
      `No DeliveryStack in ${app.node.path || 'the App'}; found ${
        app.node.children
          .filter(Stack.isStack)
          .map((s) => s.node.id)
          .join(', ') || 'no stacks'
      }.`,
    );
  }
  return delivery;
}
