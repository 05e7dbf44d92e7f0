import { z } from 'zod';
import { ConfigIssue, SlipwayConfigError } from './slipway-config-error';

const FIX_SEPARATOR = '\u001f';

/**
 * A zod error message that carries both what the field must be and what to do about it; `parseSettings`
 * splits it again. Use it as the `error` of a zod check: `z.number().min(1, rule('must be ≥ 1', 'Use 1 for dev.'))`.
 */
export function rule(problem: string, fix: string): { error: string } {
  return { error: `${problem}${FIX_SEPARATOR}${fix}` };
}

/**
 * The error of a zod type check that tells a missing value ("is required") from one of the wrong type
 * ("must be a string"), with the same fix for both: `z.string(typeRule('string', 'Use e.g. main.'))`.
 */
export function typeRule(expected: string, fix: string): { error: (issue: { readonly input?: unknown }) => string } {
  return {
    error: (issue) => rule(issue.input === undefined ? 'is required' : `must be a ${expected}`, fix).error,
  };
}

type DeepReadonly<T> =
  T extends ReadonlyArray<infer Item>
    ? ReadonlyArray<DeepReadonly<Item>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;
type SameShape<A, B> = [DeepReadonly<A>] extends [DeepReadonly<B>]
  ? [DeepReadonly<B>] extends [DeepReadonly<A>]
    ? true
    : false
  : false;

/**
 * `Type` when the schema's output describes exactly the same settings (ignoring `readonly`), `never` otherwise:
 * assigning a parse result to it stops compiling as soon as the documented type and the schema drift apart.
 */
export type CheckedAgainst<Type, Schema extends z.ZodType> =
  SameShape<Type, z.output<Schema>> extends true ? Type : never;

/** What `parseSettings` needs to word its messages. */
export interface SettingsSource {
  /** The file named at the start of every message, e.g. `environments/prod.ts`. */
  readonly file: string;
  /** The type whose documentation lists the settings, e.g. `EnvironmentConfig`. */
  readonly typeName: string;
  /**
   * Prefix of every field name, e.g. `pipeline` for `pipeline.branch`.
   * @default - none: fields are named from the root
   */
  readonly fieldPrefix?: string;
}

/**
 * Parse settings with a zod schema and return the schema's output, or throw one `SlipwayConfigError` with every
 * problem as "file: field must …; got …. Fix." — the one place zod issues become Slipway messages, for
 * environments and pipeline settings alike.
 *
 * @throws SlipwayConfigError listing every problem the schema found
 */
export function parseSettings<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  source: SettingsSource,
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SlipwayConfigError(source.file, issuesFromZod(parsed.error.issues, value, source));
}

function issuesFromZod(zodIssues: readonly z.core.$ZodIssue[], input: unknown, source: SettingsSource): ConfigIssue[] {
  const fieldName = (path: readonly PropertyKey[]): string =>
    [...(source.fieldPrefix ? [source.fieldPrefix] : []), ...path.map(String)].join('.') || '(root)';
  const seeType = `see ${source.typeName} in @slipway/constructs`;
  return zodIssues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldName([...issue.path, key]),
        value: valueAt(input, [...issue.path, key]),
        problem: 'is not a known setting',
        fix: `Remove it or correct its spelling (${seeType}).`,
      }));
    }
    const field = fieldName(issue.path);
    const value = valueAt(input, issue.path);
    // A bad record key (a service name) carries the key's own issue inside.
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    if (message.includes(FIX_SEPARATOR)) {
      const [problem, fix] = message.split(FIX_SEPARATOR);
      return [{ field, value: issue.code === 'invalid_key' ? issue.path.at(-1) : value, problem, fix }];
    }
    if (issue.code === 'invalid_type') {
      const expected = TYPE_NAMES[issue.expected] ?? `a ${issue.expected}`;
      return [
        value === undefined
          ? { field, value, problem: `is required (${expected})`, fix: `Add it (${seeType}).` }
          : { field, value, problem: `must be ${expected}`, fix: `Set it to ${expected}.` },
      ];
    }
    return [
      {
        field,
        value,
        problem: `is invalid (${issue.message})`,
        fix: `See ${source.typeName} in @slipway/constructs for the allowed values.`,
      },
    ];
  });
}

/** How zod's expected types read in a message ("must be a whole number"). */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: 'a whole number',
  array: 'a list',
  object: 'an object',
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
