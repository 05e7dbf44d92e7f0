import type { CostEstimate, SectionEstimate } from './cost-estimate';
import type { CostLine } from './stack-pricing-context';

/** US dollars with cents and thousands separators: `$1,234.50`. */
export function formatUsd(usd: number): string {
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price with the precision list prices are quoted in: `$0.04048`, `$3.00`. */
export function formatUnitPrice(usd: number): string {
  const precise = usd.toFixed(7).replace(/0+$/, '');
  const [whole, fraction = ''] = precise.split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}

function formatQuantity(quantity: number): string {
  return Number.isInteger(quantity)
    ? quantity.toLocaleString('en-US')
    : quantity.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function sectionTitle(section: SectionEstimate): string {
  const kind =
    section.kind === 'stage'
      ? 'environment'
      : section.kind === 'pipeline'
        ? 'pipeline and top-level stacks'
        : 'top-level stacks';
  return `${section.name} (${kind}, ${section.regions.join(', ')})`;
}

function itemText(line: CostLine): string {
  return line.detail ? `${line.item}: ${line.detail}` : line.item;
}

interface Row {
  readonly cells: readonly string[];
}

const HEADER = ['Resource', 'Item', 'Qty at min', 'Qty at max', 'Unit price', 'Min/month', 'Max/month'];
const RIGHT_ALIGNED = [false, false, true, true, true, true, true];

function lineRows(section: SectionEstimate): Row[] {
  return section.lines.map((line) => ({
    cells: [
      line.resource,
      itemText(line),
      `${formatQuantity(line.quantity.min)} ${line.unit}`,
      `${formatQuantity(line.quantity.max)} ${line.unit}`,
      `${formatUnitPrice(line.unitPriceUsd)}/${line.unit}`,
      formatUsd(line.monthlyUsd.min),
      formatUsd(line.monthlyUsd.max),
    ],
  }));
}

function footer(estimate: CostEstimate): { assumptions: string[]; prices: string; notes: readonly string[] } {
  const sources = [...new Set(estimate.prices.map((price) => price.source))].sort();
  const recorded = [...new Set(estimate.prices.map((price) => price.readOn))].sort();
  const recordedOn = recorded.length > 0 ? recorded.join(' and ') : estimate.pricesReadOn;
  return {
    assumptions: estimate.assumptions.map((assumption) => `${assumption.text} [${assumption.id}]`),
    prices:
      `AWS list prices as recorded on ${recordedOn} from the AWS pricing pages (${sources.join(', ')}); ` +
      'no discounts, free tier, Savings Plans, taxes or data transfer out. Update them in @slipway/cli src/cost/prices.ts.',
    notes: estimate.notes,
  };
}

/** The estimate as plain-text tables for a terminal. */
export function renderCostText(estimate: CostEstimate): string {
  const out: string[] = [];
  for (const section of estimate.sections) {
    out.push(`== ${sectionTitle(section)} ==`);
    out.push(`Stacks: ${section.stacks.join(', ')}`);
    const rows = [
      { cells: HEADER },
      ...lineRows(section),
      {
        cells: [
          'Total',
          'priced items only',
          '',
          '',
          '',
          formatUsd(section.totalMonthlyUsd.min),
          formatUsd(section.totalMonthlyUsd.max),
        ],
      },
    ];
    const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => row.cells[column].length)));
    for (const row of rows) {
      out.push(
        row.cells
          .map((cell, column) => (RIGHT_ALIGNED[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
          .join('  ')
          .trimEnd(),
      );
    }
    if (section.notPriced.length > 0) {
      out.push('Not priced (left out of the total, not counted as $0):');
      for (const item of section.notPriced) {
        out.push(`  ${item.resourceType} ${item.resource} (${item.stack}): ${item.reason}`);
      }
    }
    if (section.free.length > 0) {
      out.push(`Free by themselves: ${section.free.map((free) => `${free.count} × ${free.resourceType}`).join(', ')}`);
    }
    out.push('');
  }
  const { assumptions, prices, notes } = footer(estimate);
  out.push('Assumptions:');
  for (const assumption of assumptions) out.push(`  - ${assumption}`);
  out.push(`Prices: ${prices}`);
  for (const note of notes) out.push(`Note: ${note}`);
  return `${out.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The estimate as Markdown, for docs/cost.md. */
export function renderCostMarkdown(estimate: CostEstimate): string {
  const out: string[] = [];
  out.push('| Section | Monthly at minimum capacity | Monthly at autoscaling maximum |');
  out.push('|---|---:|---:|');
  for (const section of estimate.sections) {
    out.push(
      `| ${escapeCell(section.name)} | ${formatUsd(section.totalMonthlyUsd.min)} | ${formatUsd(section.totalMonthlyUsd.max)} |`,
    );
  }
  out.push('');
  for (const section of estimate.sections) {
    out.push(`### ${sectionTitle(section)}`);
    out.push('');
    out.push(`Stacks: ${section.stacks.map((stack) => `\`${stack}\``).join(', ')}`);
    out.push('');
    out.push(`| ${HEADER.join(' | ')} |`);
    out.push(`|${RIGHT_ALIGNED.map((right) => (right ? '---:' : '---')).join('|')}|`);
    for (const row of lineRows(section)) out.push(`| ${row.cells.map(escapeCell).join(' | ')} |`);
    out.push(
      `| **Total** | priced items only | | | | **${formatUsd(section.totalMonthlyUsd.min)}** | **${formatUsd(section.totalMonthlyUsd.max)}** |`,
    );
    out.push('');
    if (section.notPriced.length > 0) {
      out.push('Not priced (left out of the total, not counted as $0):');
      out.push('');
      for (const item of section.notPriced) {
        out.push(`- \`${item.resourceType}\` ${escapeCell(item.resource)}: ${item.reason}`);
      }
      out.push('');
    }
    if (section.free.length > 0) {
      out.push(
        `Free by themselves: ${section.free.map((free) => `${free.count} × \`${free.resourceType}\``).join(', ')}.`,
      );
      out.push('');
    }
  }
  const { assumptions, prices, notes } = footer(estimate);
  out.push('### Assumptions');
  out.push('');
  for (const assumption of assumptions) out.push(`- ${assumption}`);
  out.push('');
  out.push(`Prices: ${prices}`);
  for (const note of notes) {
    out.push('');
    out.push(`Note: ${note}`);
  }
  return `${out.join('\n')}\n`;
}

/** The estimate as JSON for machines: every line, total, assumption and price used. */
export function renderCostJson(estimate: CostEstimate): string {
  return `${JSON.stringify(estimate, null, 2)}\n`;
}
