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

/** Acknowledgements that share a finding id and a reason, with every resource they sit on. */
export interface AcknowledgementGroup {
  /** Finding id, e.g. `AwsSolutions-IAM5[Action::s3:GetObject*]`. */
  readonly ruleId: string;
  /** Why the finding is safe on each of these resources. */
  readonly reason: string;
  /** Paths of the constructs the acknowledgement is attached to, in the records' order. */
  readonly paths: readonly string[];
}

/**
 * Group records with the same finding id and reason (CDK Pipelines gives many
 * roles the same generated grant), keeping the order in which each group
 * first appears. Nothing is dropped: the groups' paths are all the records.
 */
export function groupAcknowledgements(records: readonly AcknowledgementRecord[]): AcknowledgementGroup[] {
  const groups = new Map<string, { ruleId: string; reason: string; paths: string[] }>();
  for (const record of records) {
    const key = JSON.stringify([record.ruleId, record.reason]);
    const group = groups.get(key) ?? { ruleId: record.ruleId, reason: record.reason, paths: [] };
    group.paths.push(record.path);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Render docs/security.md: for each set, the totals per rule pack and a table
 * of rule, resource paths and reason. Totals count acknowledgements, one per
 * resource; a table row lists together the resources that share a rule and a reason.
 */
export function renderSecurityReport(sets: readonly AcknowledgementSet[], intro: string): string {
  const lines: string[] = [intro.trim(), ''];
  lines.push(
    '## Totals',
    '',
    'Each count is one acknowledgement on one resource. In the tables below, resources that share a rule and a reason are listed in one row.',
    '',
    '| app | ' + ['AwsSolutions', 'NIST 800-53 R5', 'other'].join(' | ') + ' | total |',
    '|---|---:|---:|---:|---:|',
  );
  for (const set of sets) {
    const counts = countByPack(set.acknowledgements);
    lines.push(
      `| ${set.title} | ${counts.AwsSolutions ?? 0} | ${counts['NIST 800-53 R5'] ?? 0} | ${countOther(counts)} | ${set.acknowledgements.length} |`,
    );
  }
  for (const set of sets) {
    lines.push('', `## ${set.title}`, '', set.description, '', '| rule | resource | reason |', '|---|---|---|');
    for (const group of groupAcknowledgements(set.acknowledgements)) {
      const paths = group.paths.map((path) => `\`${escapeCell(path)}\``).join('<br>');
      lines.push(`| \`${escapeCell(group.ruleId)}\` | ${paths} | ${escapeCell(group.reason)} |`);
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
  return Object.entries(counts)
    .filter(([pack]) => pack !== 'AwsSolutions' && pack !== 'NIST 800-53 R5')
    .reduce((sum, [, count]) => sum + count, 0);
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
