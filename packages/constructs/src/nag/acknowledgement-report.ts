import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One acknowledged finding, as recorded on the construct tree. */
export interface AcknowledgementRecord {
  /** Finding id, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly ruleId: string;
  /** Path of the construct the acknowledgement is attached to. */
  readonly path: string;
  /** Why the finding is safe there. */
  readonly reason: string;
}

/** A named set of acknowledgements, e.g. those of a dev-like app. */
export interface AcknowledgementSet {
  /** Heading for the set. */
  readonly title: string;
  /** One line saying what was synthesized. */
  readonly description: string;
  /** The acknowledgements. */
  readonly acknowledgements: readonly AcknowledgementRecord[];
}

/** Every acknowledgement recorded with `Validations.of(...).acknowledge` under `scope`, sorted by path then rule. */
export function collectAcknowledgements(scope: IConstruct): AcknowledgementRecord[] {
  const records: AcknowledgementRecord[] = [];
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
        records.push({ ruleId: qualifiedId.replace(/^annotation::/i, ''), path: construct.node.path, reason });
      }
    }
  }
  return records.sort((a, b) => a.path.localeCompare(b.path) || a.ruleId.localeCompare(b.ruleId));
}

/** Which rule pack an acknowledgement belongs to, for the totals. */
export function rulePack(ruleId: string): string {
  if (ruleId.startsWith('AwsSolutions-')) return 'AwsSolutions';
  if (ruleId.startsWith('NIST.800.53.R5-')) return 'NIST 800-53 R5';
  return ruleId.split('::')[0] || 'other';
}

/**
 * Render docs/security.md: for each set, the totals per rule pack and a table
 * of rule, resource path and reason.
 */
export function renderSecurityReport(sets: readonly AcknowledgementSet[], intro: string): string {
  const lines: string[] = [intro.trim(), ''];
  lines.push('## Totals', '', '| app | ' + ['AwsSolutions', 'NIST 800-53 R5', 'other'].join(' | ') + ' | total |', '|---|---:|---:|---:|---:|');
  for (const set of sets) {
    const counts = countByPack(set.acknowledgements);
    lines.push(`| ${set.title} | ${counts.AwsSolutions ?? 0} | ${counts['NIST 800-53 R5'] ?? 0} | ${countOther(counts)} | ${set.acknowledgements.length} |`);
  }
  for (const set of sets) {
    lines.push('', `## ${set.title}`, '', set.description, '', '| rule | resource | reason |', '|---|---|---|');
    for (const record of set.acknowledgements) {
      lines.push(`| \`${escapeCell(record.ruleId)}\` | \`${escapeCell(record.path)}\` | ${escapeCell(record.reason)} |`);
    }
  }
  return lines.join('\n') + '\n';
}

function countByPack(records: readonly AcknowledgementRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    const pack = rulePack(record.ruleId);
    counts[pack] = (counts[pack] ?? 0) + 1;
  }
  return counts;
}

function countOther(counts: Record<string, number>): number {
  return Object.entries(counts).filter(([pack]) => pack !== 'AwsSolutions' && pack !== 'NIST 800-53 R5').reduce((sum, [, count]) => sum + count, 0);
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
