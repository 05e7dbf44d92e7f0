import type { AtCapacity } from '../../assembly/at-capacity';
import type { TemplateResource } from '../../assembly/cloud-assembly';
import type { AssumptionId } from '../assumptions';
import type { StackPricingContext } from '../stack-pricing-context';

/** Prices one resource: adds lines, or reports it (or part of it) as not priced. */
export type ResourcePricer = (context: StackPricingContext, logicalId: string, resource: TemplateResource) => void;

/** Pricers by CloudFormation resource type. */
export type ResourcePricers = Readonly<Record<string, ResourcePricer>>;

/** The assumptions of a line priced by the hour. */
export const HOURLY: readonly AssumptionId[] = ['hoursPerMonth'];

/** The same quantity at minimum capacity and at autoscaling maximum. */
export function same(value: number): AtCapacity {
  return { min: value, max: value };
}

/** Add a line for `count` resources (1 unless given) that run, and are billed, every hour of the month. */
export function addHourlyLine(
  context: StackPricingContext,
  logicalId: string,
  resource: TemplateResource,
  line: { readonly item: string; readonly detail: string; readonly priceId: string; readonly count?: number },
): void {
  context.addLine(logicalId, resource, {
    item: line.item,
    detail: line.detail,
    priceId: line.priceId,
    quantity: same((line.count ?? 1) * context.assume('hoursPerMonth')),
    assumptions: HOURLY,
  });
}

/** `1 task`, `2 tasks`. */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** A count without trailing zeros: `2`, `0.5`, `1.25`. */
export function formatCount(count: number): string {
  return Number.isInteger(count) ? String(count) : count.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

/** `2 tasks`, or `2–6 tasks` when the bounds differ. */
export function range(counts: AtCapacity, noun: string): string {
  return counts.min === counts.max
    ? plural(counts.min, noun)
    : `${formatCount(counts.min)}–${formatCount(counts.max)} ${noun}s`;
}

/** A flat monthly price per resource; a stack's resources of one kind are summed into one line. */
export function flat(item: string, priceId: string, noun: string, quantity = 1): ResourcePricer {
  return (context, id, resource) =>
    context.addLine(id, resource, {
      item,
      detail: '',
      priceId,
      quantity: same(quantity),
      group: { key: priceId, noun },
    });
}

/** `${value} GB`: the detail of a line priced per GB. */
export function gigabytes(value: number): string {
  return `${value} GB`;
}

/**
 * Add a line whose quantity is an assumption (GB a month, metrics), the same at every capacity;
 * the line lists the assumption it depends on.
 */
export function addAssumedLine(
  context: StackPricingContext,
  logicalId: string,
  resource: TemplateResource,
  line: {
    readonly item: string;
    readonly priceId: string;
    readonly assumption: AssumptionId;
    /** The line's detail for the assumed quantity. */
    readonly detail: (quantity: number) => string;
  },
): void {
  const quantity = context.assume(line.assumption);
  context.addLine(logicalId, resource, {
    item: line.item,
    detail: line.detail(quantity),
    priceId: line.priceId,
    quantity: same(quantity),
    assumptions: [line.assumption],
  });
}
