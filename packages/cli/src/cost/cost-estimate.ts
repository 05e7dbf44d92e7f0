import { AssumptionId, Assumptions, DEFAULT_ASSUMPTIONS, describeAssumption } from './assumptions';
import { pricesForRegion, PRICES_READ_ON } from './prices';
import { FREE_RESOURCE_TYPES, RESOURCE_PRICERS } from './resource-pricers';
import {
  cents,
  CostLine,
  FreeResources,
  NotPricedResource,
  StackPricingContext,
  UsedPrice,
} from './stack-pricing-context';
import type { AtCapacity } from '../assembly/at-capacity';
import type { AssemblySection, CloudAssemblyView } from '../assembly/cloud-assembly';
import { sortedResources } from '../assembly/template-values';

/** The estimate for one section: a Stage (an environment) or the top-level stacks (the pipeline). */
export interface SectionEstimate {
  readonly name: string;
  readonly kind: AssemblySection['kind'];
  /** Regions priced, in stack order. */
  readonly regions: readonly string[];
  /** The stacks' construct paths. */
  readonly stacks: readonly string[];
  readonly lines: readonly CostLine[];
  readonly notPriced: readonly NotPricedResource[];
  readonly free: readonly FreeResources[];
  /** Sum of the priced lines, US dollars per month. */
  readonly totalMonthlyUsd: AtCapacity;
}

/** A whole cloud assembly, priced. */
export interface CostEstimate {
  readonly sections: readonly SectionEstimate[];
  /** Every assumption some line depends on, once, in a stable order. */
  readonly assumptions: ReadonlyArray<{ readonly id: AssumptionId; readonly value: number; readonly text: string }>;
  /** Every price some line used. */
  readonly prices: readonly UsedPrice[];
  /** The day the built-in prices were recorded. */
  readonly pricesReadOn: string;
  /** Caveats about the whole estimate (region fallbacks, environment-agnostic stacks). */
  readonly notes: readonly string[];
}

/** Options for {@link estimateCosts}. */
export interface EstimateOptions {
  /**
   * Price every stack in this region instead of the region it is synthesized for.
   * @default - each stack's own region; us-east-1 for environment-agnostic stacks
   */
  readonly region?: string;
  /**
   * Usage assumptions.
   * @default DEFAULT_ASSUMPTIONS
   */
  readonly assumptions?: Assumptions;
  /**
   * Prices by id that replace the table's (e.g. a team's negotiated rates).
   * @default - the table's list prices
   */
  readonly customPrices?: Readonly<Record<string, number>>;
}

/** The region stacks without one are priced in. */
export const DEFAULT_PRICING_REGION = 'us-east-1';

/**
 * Price every section of a cloud assembly: per Stage (environment) and for the
 * top-level stacks (the pipeline), at minimum capacity and at autoscaling maximum.
 */
export function estimateCosts(view: CloudAssemblyView, options: EstimateOptions = {}): CostEstimate {
  const assumptions = options.assumptions ?? DEFAULT_ASSUMPTIONS;
  const usedPrices = new Map<string, UsedPrice>();
  const notes = new Set<string>();
  const sections = view.sections.map((section) => {
    const lines: CostLine[] = [];
    const notPriced: NotPricedResource[] = [];
    const free = new Map<string, FreeResources>();
    const regions: string[] = [];
    for (const stack of section.stacks) {
      const region = options.region ?? stack.region ?? DEFAULT_PRICING_REGION;
      if (!options.region && !stack.region) {
        notes.add(`Stack ${stack.displayName} is environment-agnostic; priced in ${DEFAULT_PRICING_REGION}.`);
      }
      if (!regions.includes(region)) regions.push(region);
      const regional = pricesForRegion(region, options.customPrices);
      if (regional.fallbackIds.length > 0) {
        notes.add(
          `${region}: the table has no ${region} entry for ${regional.fallbackIds.length} prices; those use us-east-1 list prices (add them to REGION_OVERRIDES in prices.ts or pass --prices).`,
        );
      }
      const context = new StackPricingContext(stack, regional, assumptions, usedPrices);
      for (const [logicalId, resource] of sortedResources(stack)) {
        const pricer = RESOURCE_PRICERS[resource.Type];
        if (pricer) {
          pricer(context, logicalId, resource);
          continue;
        }
        const freeReason =
          FREE_RESOURCE_TYPES[resource.Type] ??
          (resource.Type.startsWith('Custom::')
            ? FREE_RESOURCE_TYPES['AWS::CloudFormation::CustomResource']
            : undefined);
        if (freeReason !== undefined) {
          context.addFree(resource, freeReason);
          continue;
        }
        context.addNotPriced(logicalId, resource, 'no price in the table for this resource type');
      }
      lines.push(...context.lines);
      notPriced.push(...context.notPriced);
      for (const entry of context.free.values()) {
        const existing = free.get(entry.resourceType);
        free.set(entry.resourceType, { ...entry, count: entry.count + (existing?.count ?? 0) });
      }
    }
    const total = lines.reduce(
      (sum, line) => ({ min: sum.min + line.monthlyUsd.min, max: sum.max + line.monthlyUsd.max }),
      { min: 0, max: 0 },
    );
    return {
      name: section.name,
      kind: section.kind,
      regions,
      stacks: section.stacks.map((stack) => stack.displayName),
      lines,
      notPriced,
      free: [...free.values()].sort((a, b) => compare(a.resourceType, b.resourceType)),
      totalMonthlyUsd: { min: cents(total.min), max: cents(total.max) },
    };
  });

  const usedAssumptionIds = new Set(sections.flatMap((section) => section.lines.flatMap((line) => line.assumptions)));
  return {
    sections,
    assumptions: (Object.keys(assumptions) as AssumptionId[])
      .filter((id) => usedAssumptionIds.has(id))
      .map((id) => ({ id, value: assumptions[id].value, text: describeAssumption(id, assumptions) })),
    prices: [...usedPrices.values()].sort((a, b) => compare(`${a.region}:${a.id}`, `${b.region}:${b.id}`)),
    pricesReadOn: PRICES_READ_ON,
    notes: [...notes].sort(compare),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
