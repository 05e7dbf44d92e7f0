import type { AssemblySection } from '../assembly/cloud-assembly';
import { literalNumber, literalString, resourceName, sortedResources } from '../assembly/template-values';

/** A delivery pipeline, stage by stage. */
export interface PipelineView {
  /** The pipeline's construct path or name. */
  readonly name: string;
  readonly stages: readonly PipelineStageView[];
}

/** One pipeline stage; actions with the same run order run in parallel. */
export interface PipelineStageView {
  readonly name: string;
  /** Groups of actions in run order. */
  readonly steps: ReadonlyArray<readonly PipelineActionView[]>;
}

/** One pipeline action. */
export interface PipelineActionView {
  readonly name: string;
  /** What kind of action, for people: `manual approval`, `CodeBuild`, `CloudFormation deploy`. */
  readonly kind: string;
  readonly approval: boolean;
}

const KINDS: Readonly<Record<string, string>> = {
  'Approval/Manual': 'manual approval',
  'Build/CodeBuild': 'CodeBuild',
  'Test/CodeBuild': 'CodeBuild test',
  'Deploy/CloudFormation': 'CloudFormation deploy',
  'Deploy/ECS': 'ECS deploy',
  'Source/CodeStarSourceConnection': 'source connection',
  'Source/S3': 'S3 source',
  'Source/CodeCommit': 'CodeCommit source',
  'Invoke/Lambda': 'Lambda',
  'Invoke/StepFunctions': 'Step Functions',
};

/** Every CodePipeline of the top-level stacks, in logical-id order. */
export function readPipelines(section: AssemblySection): PipelineView[] {
  const pipelines: PipelineView[] = [];
  for (const stack of section.stacks) {
    for (const [id, resource] of sortedResources(stack)) {
      if (resource.Type !== 'AWS::CodePipeline::Pipeline') continue;
      const stages = (Array.isArray(resource.Properties?.Stages) ? resource.Properties!.Stages : []).map(
        (stage: any): PipelineStageView => {
          const actions: any[] = Array.isArray(stage?.Actions) ? stage.Actions : [];
          const orders = [...new Set(actions.map((action) => literalNumber(action?.RunOrder) ?? 1))].sort(
            (a, b) => a - b,
          );
          return {
            name: literalString(stage?.Name) ?? '?',
            steps: orders.map((order) =>
              actions
                .filter((action) => (literalNumber(action?.RunOrder) ?? 1) === order)
                .map((action) => {
                  const category = literalString(action?.ActionTypeId?.Category) ?? '?';
                  const provider = literalString(action?.ActionTypeId?.Provider) ?? '?';
                  return {
                    name: literalString(action?.Name) ?? '?',
                    kind: KINDS[`${category}/${provider}`] ?? `${category}: ${provider}`,
                    approval: category === 'Approval',
                  };
                }),
            ),
          };
        },
      );
      pipelines.push({ name: literalString(resource.Properties?.Name) ?? resourceName(stack, id, resource), stages });
    }
  }
  return pipelines;
}
