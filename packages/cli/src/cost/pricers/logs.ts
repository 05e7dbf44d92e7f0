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
  const gb = context.assume('otherLogGroupGbPerMonth');
  const retention = retentionMonths(context, resource);
  const assumptions: AssumptionId[] = retention.assumed
    ? ['otherLogGroupGbPerMonth', 'logRetentionMonthsWhenUnset']
    : ['otherLogGroupGbPerMonth'];
  context.addLine(id, resource, {
    item: 'CloudWatch Logs ingestion',
    detail: `${gb} GB`,
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

/** CloudWatch Logs: log groups no task writes to (container logs are priced per task, in ecs.ts). */
export const LOGS_PRICERS: ResourcePricers = {
  'AWS::Logs::LogGroup': priceLogGroup,
};
