import type { AssumptionId } from '../assumptions';
import { formatCount, ResourcePricers, ResourcePricer, same } from './pricer';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import { taskLogGroups } from '../../assembly/ecs-service';
import { literalNumber } from '../../assembly/template-values';
import type { StackPricingContext } from '../stack-pricing-context';

const DAYS_PER_MONTH = 365 / 12;

/** How long a log group keeps what it ingests, in months; assumed when it keeps it forever. */
export function retentionMonths(
  context: StackPricingContext,
  logGroup: TemplateResource | undefined,
): { months: number; assumed: boolean } {
  const days = literalNumber(logGroup?.Properties?.RetentionInDays);
  if (days === undefined) return { months: context.assume('logRetentionMonthsWhenUnset'), assumed: true };
  return { months: days / DAYS_PER_MONTH, assumed: false };
}

const priceLogGroup: ResourcePricer = (context, id, resource) => {
  const writtenByTasks = Object.values(context.resources).some(
    (candidate) => candidate.Type === 'AWS::ECS::TaskDefinition' && taskLogGroups(candidate).includes(id),
  );
  if (writtenByTasks) {
    context.addFree(resource, 'container logs are priced per task of the services that write them');
    return;
  }
  const volume: AssumptionId = writtenByFunction(context.resources, id)
    ? 'functionLogGroupMbPerMonth'
    : 'otherLogGroupGbPerMonth';
  const gb = volume === 'functionLogGroupMbPerMonth' ? context.assume(volume) / 1000 : context.assume(volume);
  const retention = retentionMonths(context, resource);
  const assumptions: AssumptionId[] = retention.assumed ? [volume, 'logRetentionMonthsWhenUnset'] : [volume];
  context.addLine(id, resource, {
    item: 'CloudWatch Logs ingestion',
    detail: volume === 'functionLogGroupMbPerMonth' ? `${formatCount(gb * 1000)} MB` : `${gb} GB`,
    priceId: 'cloudwatch.logs.ingested-gb',
    quantity: same(gb),
    assumptions,
  });
  context.addLine(id, resource, {
    item: 'CloudWatch Logs storage',
    detail: `${formatCount(Math.round(retention.months * 100) / 100)} months retained`,
    priceId: 'cloudwatch.logs.stored-gb-month',
    quantity: same(gb * retention.months),
    assumptions,
  });
};

/** Whether a Lambda function of the template names the log group in its LoggingConfig. */
function writtenByFunction(resources: Readonly<Record<string, TemplateResource>>, id: string): boolean {
  return Object.values(resources).some(
    (candidate) =>
      candidate.Type === 'AWS::Lambda::Function' && candidate.Properties?.LoggingConfig?.LogGroup?.Ref === id,
  );
}

/**
 * CloudWatch Logs: log groups no task writes to (container logs are priced per task, in ecs.ts); a Lambda function's
 * group by the smaller volume of a function that runs while deploying.
 */
export const LOGS_PRICERS: ResourcePricers = {
  'AWS::Logs::LogGroup': priceLogGroup,
};
