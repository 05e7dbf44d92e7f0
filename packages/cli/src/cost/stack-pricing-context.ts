import type { Assumptions, AssumptionId } from './assumptions';
import type { Price, RegionalPrices } from './prices';
import type { AtCapacity } from '../assembly/at-capacity';
import type { AssemblyStack, TemplateResource } from '../assembly/cloud-assembly';
import { resourceName } from '../assembly/template-values';

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

/** A price the estimate used, as listed under it. */
export interface UsedPrice extends Price {
  readonly id: string;
  readonly region: string;
}

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
