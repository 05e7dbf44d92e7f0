import { AssumptionId, Assumptions, DEFAULT_ASSUMPTIONS, describeAssumption } from './assumptions';
import type { AssemblySection, AssemblyStack, CloudAssemblyView, TemplateResource } from './cloud-assembly';
import { pricesForRegion, Price, PRICES_READ_ON, RegionalPrices } from './prices';
import { FREE_RESOURCE_TYPES, RESOURCE_PRICERS } from './resource-pricers';
import { resourceName, sortedResources } from './template-values';

/** A quantity or an amount at the service's minimum capacity and at its autoscaling maximum. */
export interface AtCapacity {
  /** With every service at its fewest tasks (autoscaling minimum, or desired count without autoscaling). */
  readonly min: number;
  /** With every service at its autoscaling maximum. */
  readonly max: number;
}

/** One priced line of an estimate. */
export interface CostLine {
  /** The stack's construct path, e.g. `Dev/App`. */
  readonly stack: string;
  /** The resource, by construct path or logical id; `3 alarms` when lines of one kind are summed. */
  readonly resource: string;
  /** The CloudFormation type, e.g. `AWS::ECS::Service`. */
  readonly resourceType: string;
  /** What is charged, e.g. `Fargate Spot vCPU`. */
  readonly item: string;
  /** How the quantity comes about, e.g. `1–4 tasks × 0.25 vCPU`. */
  readonly detail: string;
  /** Id of the price in the price table. */
  readonly priceId: string;
  /** The unit of `quantity`. */
  readonly unit: string;
  /** US dollars per unit, after any assumption such as the Spot discount. */
  readonly unitPriceUsd: number;
  /** Units per month. */
  readonly quantity: AtCapacity;
  /** US dollars per month, rounded to cents. */
  readonly monthlyUsd: AtCapacity;
  /** Ids of the assumptions the line depends on. */
  readonly assumptions: readonly AssumptionId[];
}

/** A resource the estimate cannot price: left out of the total, never counted as $0. */
export interface NotPricedResource {
  readonly stack: string;
  readonly resource: string;
  readonly resourceType: string;
  /** Why, and what to do about it. */
  readonly reason: string;
}

/** Resources of one type that cost nothing by themselves. */
export interface FreeResources {
  readonly resourceType: string;
  readonly count: number;
  /** Why they are free, or where their usage is priced instead. */
  readonly reason: string;
}

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

/** A price the estimate used, as listed under it. */
export interface UsedPrice extends Price {
  readonly id: string;
  readonly region: string;
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

/** What a resource pricer sees of its stack, and how it reports. */
export class StackPricingContext {
  public readonly lines: CostLine[] = [];
  public readonly notPriced: NotPricedResource[] = [];
  /** Free resources by type. */
  public readonly free = new Map<string, FreeResources>();
  private readonly groups = new Map<string, { line: CostLine; count: number; noun: string }>();

  constructor(
    public readonly stack: AssemblyStack,
    public readonly regional: RegionalPrices,
    public readonly assumptions: Assumptions,
    private readonly usedPrices: Map<string, UsedPrice>,
  ) {}

  /** The stack's resources by logical id. */
  public get resources(): Record<string, TemplateResource> {
    return this.stack.template.Resources ?? {};
  }

  /** The resource with `logicalId` in this stack. */
  public resource(logicalId: string | undefined): TemplateResource | undefined {
    return logicalId === undefined ? undefined : this.resources[logicalId];
  }

  /** The value of an assumption; a line that depends on it lists its id in `assumptions`. */
  public assume(id: AssumptionId): number {
    return this.assumptions[id].value;
  }

  /** A price by id; throws on an id the table lacks (a bug in a pricer, not in the user's app). */
  public price(id: string): Price {
    const found = this.regional.prices[id];
    if (!found) throw new Error(`The price table has no entry "${id}".`);
    return found;
  }

  /** Whether the price table has `id` (for open-ended keys such as EC2 instance types). */
  public hasPrice(id: string): boolean {
    return this.regional.prices[id] !== undefined;
  }

  /**
   * Add a priced line.
   * @param options.factor multiplies the table price, e.g. 0.3 for Spot
   * @param options.group lines with the same group, price and unit price are summed into one line, e.g. all alarms of a stack
   */
  public addLine(
    logicalId: string,
    resource: TemplateResource,
    line: {
      readonly item: string;
      readonly detail: string;
      readonly priceId: string;
      readonly quantity: AtCapacity;
      readonly assumptions?: readonly AssumptionId[];
      readonly factor?: number;
      readonly group?: { readonly key: string; readonly noun: string };
    },
  ): void {
    const price = this.price(line.priceId);
    this.usedPrices.set(`${this.regional.region}:${line.priceId}`, {
      ...price,
      id: line.priceId,
      region: this.regional.region,
    });
    const unitPriceUsd = price.usd * (line.factor ?? 1);
    const built: CostLine = {
      stack: this.stack.displayName,
      resource: resourceName(this.stack, logicalId, resource),
      resourceType: resource.Type,
      item: line.item,
      detail: line.detail,
      priceId: line.priceId,
      unit: price.unit,
      unitPriceUsd,
      quantity: line.quantity,
      monthlyUsd: { min: cents(line.quantity.min * unitPriceUsd), max: cents(line.quantity.max * unitPriceUsd) },
      assumptions: [...new Set(line.assumptions ?? [])],
    };
    if (!line.group) {
      this.lines.push(built);
      return;
    }
    const key = `${line.group.key}|${line.priceId}|${unitPriceUsd}`;
    const existing = this.groups.get(key);
    if (!existing) {
      this.groups.set(key, { line: built, count: 1, noun: line.group.noun });
      this.lines.push(built);
      return;
    }
    existing.count += 1;
    const quantity = {
      min: existing.line.quantity.min + built.quantity.min,
      max: existing.line.quantity.max + built.quantity.max,
    };
    const merged: CostLine = {
      ...existing.line,
      resource: `${existing.count} ${existing.noun}s`,
      detail: built.detail === existing.line.detail ? built.detail : '',
      quantity,
      monthlyUsd: { min: cents(quantity.min * unitPriceUsd), max: cents(quantity.max * unitPriceUsd) },
    };
    this.lines[this.lines.indexOf(existing.line)] = merged;
    existing.line = merged;
  }

  /** Count a resource that costs nothing by itself, or whose usage another line prices. */
  public addFree(resource: TemplateResource, reason: string): void {
    const entry = this.free.get(resource.Type);
    this.free.set(resource.Type, {
      resourceType: resource.Type,
      count: (entry?.count ?? 0) + 1,
      reason: entry?.reason ?? reason,
    });
  }

  /** Report a resource (or one aspect of it) that cannot be priced. */
  public addNotPriced(logicalId: string, resource: TemplateResource, reason: string): void {
    this.notPriced.push({
      stack: this.stack.displayName,
      resource: resourceName(this.stack, logicalId, resource),
      resourceType: resource.Type,
      reason,
    });
  }
}

/** US dollars rounded to cents. */
export function cents(usd: number): number {
  // Through a fixed-point string, so that 16.425 rounds to 16.43 as on a bill, not down through binary error.
  return Math.round(Number((usd * 100).toFixed(6))) / 100;
}

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
