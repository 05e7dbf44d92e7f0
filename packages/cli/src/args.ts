import { parseArgs, ParseArgsConfig } from 'node:util';
import { CommandOutput, UsageError } from './command';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The parsed flag values: strings or booleans, arrays for `multiple` options. */
export type ParsedValues<T extends OptionsConfig> = {
  [K in keyof T]?: T[K] extends { multiple: true }
    ? T[K] extends { type: 'boolean' }
      ? boolean[]
      : string[]
    : T[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

/**
 * Parse `argv` strictly against `options`: an unknown flag or a missing
 * value is a {@link UsageError} naming the flag, never a stack trace.
 */
export function parseOptions<T extends OptionsConfig>(
  argv: readonly string[],
  options: T,
  usage: string,
): ParsedValues<T> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as ParsedValues<T>;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

/** The flags that pick a deployed environment: its name (the cluster's tag), region and, optionally, cluster. */
export const ENVIRONMENT_FLAGS = {
  env: { type: 'string' },
  region: { type: 'string' },
  cluster: { type: 'string' },
} as const satisfies OptionsConfig;

/** `--help` (`-h`), which every command takes. */
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies OptionsConfig;

/**
 * A command's flags, with `--help`: parsed as {@link parseOptions} does, or `undefined` when `--help` asked for the
 * usage, which this has printed (the command then exits 0).
 */
export function parseCommandLine<T extends OptionsConfig>(
  argv: readonly string[],
  options: T,
  usage: string,
  output: CommandOutput,
): ParsedValues<T & typeof HELP_OPTION> | undefined {
  const values = parseOptions(argv, { ...options, ...HELP_OPTION }, usage);
  // The help flag, typed on its own (the command's options are generic here).
  const help: ParsedValues<typeof HELP_OPTION> = values;
  if (help.help) {
    output.info(usage);
    return undefined;
  }
  return values;
}

/** A required string option, or a usage error that says how to pass it. */
export function requireOption(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`${flag} is required.\n\n${usage}`);
  }
  return value.trim();
}

/**
 * A positive number of seconds from a flag, in milliseconds.
 * @param fallbackSeconds used when the flag is absent
 */
export function secondsOption(value: string | undefined, flag: string, fallbackSeconds: number): number {
  if (value === undefined) return fallbackSeconds * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${flag} must be a positive number of seconds; got "${value}".`);
  }
  return seconds * 1000;
}

/**
 * A whole-number flag of at least `min`, or `fallback` when the flag is absent.
 * @throws UsageError naming the flag and the value otherwise
 */
export function countOption(value: string | undefined, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < min) {
    throw new UsageError(`${flag} must be a whole number ≥ ${min}; got "${value}".`);
  }
  return count;
}
