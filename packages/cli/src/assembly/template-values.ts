import type { AssemblyStack, TemplateResource } from './cloud-assembly';

/** The logical id a `Ref` or `Fn::GetAtt` points at, if `value` is one. */
export function referencedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every logical id referenced anywhere inside `value` (Ref, Fn::GetAtt, Fn::Sub `${Id}`). */
export function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (value !== null && typeof value === 'object') {
    const direct = referencedId(value);
    if (direct !== undefined) into.add(direct);
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === 'string') {
          for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9]+)?\}/g)) into.add(match[1]);
        }
      }
      referencedIds(inner, into);
    }
  }
  return into;
}

/** A number from a template value that is a literal number or numeric string; undefined for tokens. */
export function literalNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** A string from a template value that is a literal string; undefined for tokens. */
export function literalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * A short, stable name for a resource, for people: its construct path inside
 * the stack (`Backend/Service`) from the assembly's metadata or the template's
 * path metadata, otherwise its logical id without CDK's hash suffix.
 */
export function resourceName(stack: AssemblyStack, logicalId: string, resource: TemplateResource | undefined): string {
  const metadataPath = resource?.Metadata?.['aws:cdk:path'];
  const cdkPath = stack.constructPaths?.[logicalId] ?? (typeof metadataPath === 'string' ? metadataPath : undefined);
  if (cdkPath !== undefined) {
    const prefix = `${stack.displayName}/`;
    const relative = cdkPath.replace(/^\//, '');
    const parts = (relative.startsWith(prefix) ? relative.slice(prefix.length) : relative).split('/');
    while (parts.length > 1 && (parts[parts.length - 1] === 'Resource' || parts[parts.length - 1] === 'Default')) {
      parts.pop();
    }
    return parts.join('/');
  }
  return logicalId.replace(/[0-9A-F]{8}$/, '') || logicalId;
}

/** The value of tag `key` in a CloudFormation `Tags` list. */
export function tagValue(resource: TemplateResource | undefined, key: string): string | undefined {
  const tags = resource?.Properties?.Tags;
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find((entry) => entry?.Key === key);
  return literalString(tag?.Value);
}

/** The resources of one stack, sorted by logical id so every output is deterministic. */
export function sortedResources(stack: AssemblyStack): Array<[string, TemplateResource]> {
  return Object.entries(stack.template.Resources ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The service an interface VPC endpoint reaches (`ecr.api`), from its `ServiceName`: a literal
 * `com.amazonaws.<region>.ecr.api`, or the `Fn::Join` CDK writes around the region; `fallback` when neither.
 */
export function interfaceEndpointName(serviceName: unknown, fallback: string): string {
  const literal = literalString(serviceName);
  if (literal) return literal.replace(/^com\.amazonaws\.[a-z0-9-]+\./, '');
  const parts = (serviceName as any)?.['Fn::Join']?.[1];
  const last = Array.isArray(parts) ? literalString(parts[parts.length - 1]) : undefined;
  return last ? last.replace(/^\./, '') : fallback;
}
