import { ResourcePricer, ResourcePricers, same } from './pricer';
import { literalString } from '../../assembly/template-values';

const pricePipeline: ResourcePricer = (context, id, resource) => {
  const properties = resource.Properties ?? {};
  if (literalString(properties.PipelineType) !== 'V2') {
    context.addLine(id, resource, {
      item: 'CodePipeline V1 pipeline',
      detail: '1 active pipeline',
      priceId: 'codepipeline.v1.pipeline-month',
      quantity: same(1),
    });
    return;
  }
  const actions = (Array.isArray(properties.Stages) ? properties.Stages : [])
    .flatMap((stage: any) => (Array.isArray(stage?.Actions) ? stage.Actions : []))
    .filter((action: any) => action?.ActionTypeId?.Category !== 'Approval' && action?.ActionTypeId?.Owner !== 'Custom');
  const runs = context.assume('pipelineRunsPerMonth');
  const minutes = context.assume('pipelineMinutesPerAction');
  context.addLine(id, resource, {
    item: 'CodePipeline V2 action minutes',
    detail: `${actions.length} charged actions × ${minutes} min × ${runs} runs`,
    priceId: 'codepipeline.v2.action-minute',
    quantity: same(actions.length * minutes * runs),
    assumptions: ['pipelineRunsPerMonth', 'pipelineMinutesPerAction'],
  });
};

const CODEBUILD_SIZES: Readonly<Record<string, string>> = {
  BUILD_GENERAL1_SMALL: 'small',
  BUILD_GENERAL1_MEDIUM: 'medium',
  BUILD_GENERAL1_LARGE: 'large',
  BUILD_GENERAL1_2XLARGE: '2xlarge',
};

const priceCodeBuildProject: ResourcePricer = (context, id, resource) => {
  const environment = resource.Properties?.Environment ?? {};
  const size = CODEBUILD_SIZES[literalString(environment.ComputeType) ?? ''];
  const platform = ({ LINUX_CONTAINER: 'linux', ARM_CONTAINER: 'arm' } as Record<string, string>)[
    literalString(environment.Type) ?? ''
  ];
  const priceId = `codebuild.${platform}.${size}.minute`;
  if (!size || !platform || !context.hasPrice(priceId)) {
    context.addNotPriced(
      id,
      resource,
      `CodeBuild ${environment.Type ?? '?'} ${environment.ComputeType ?? '?'} is not in the price table`,
    );
    return;
  }
  const runs = context.assume('pipelineRunsPerMonth');
  const minutes = context.assume('codeBuildMinutesPerRun');
  context.addLine(id, resource, {
    item: `CodeBuild ${platform} ${size}`,
    detail: `${minutes} min × ${runs} runs`,
    priceId,
    quantity: same(minutes * runs),
    assumptions: ['pipelineRunsPerMonth', 'codeBuildMinutesPerRun'],
  });
};

/** CodePipeline and CodeBuild, at the assumed runs a month. */
export const DELIVERY_PRICERS: ResourcePricers = {
  'AWS::CodePipeline::Pipeline': pricePipeline,
  'AWS::CodeBuild::Project': priceCodeBuildProject,
};
