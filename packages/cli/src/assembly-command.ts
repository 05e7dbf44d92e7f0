import { ParseArgsConfig } from 'node:util';
import { parseOptions, ParsedValues } from './args';
import { CommandOutput, ExitCode, UsageError } from './command';
import { resolveAssemblyDir } from './cost/assembly-option';
import { CloudAssemblyError } from './cost/cloud-assembly';
import { GeneratedFileError } from './cost/generated-block';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Flags of every command that reads the synthesized app and may write generated Markdown. */
const ASSEMBLY_COMMAND_OPTIONS = {
  assembly: { type: 'string' },
  'app-dir': { type: 'string' },
  write: { type: 'string', multiple: true },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionsConfig;

/** What the body of an assembly command gets. */
export interface AssemblyCommandContext<T extends OptionsConfig> {
  /** The parsed flags: the shared ones and the command's own. */
  readonly options: ParsedValues<typeof ASSEMBLY_COMMAND_OPTIONS & T>;
  /** The cloud assembly to read: `--assembly` (or `--app-dir`), else the default (see `resolveAssemblyDir`). */
  readonly assemblyDir: string;
}

/**
 * Run a `slipway` command that reads the synthesized app (`cost`, `diagram`).
 *
 * Parses `argv` with the shared flags (`--assembly`/`--app-dir`, `--write`, `--check`, `--help`) and the
 * command's own `options`, prints `usage` for `--help`, and otherwise runs `body`. The person at the
 * terminal gets a message, never a stack trace: a wrong command line exits 2 (USAGE), an unreadable
 * assembly or generated file exits 1 (FAILED); any other error is a bug and is thrown.
 */
export async function runAssemblyCommand<T extends OptionsConfig>(
  argv: readonly string[],
  options: T,
  usage: string,
  output: CommandOutput,
  cwd: string,
  body: (context: AssemblyCommandContext<T>) => number | Promise<number>,
): Promise<number> {
  try {
    const values = parseOptions(argv, { ...ASSEMBLY_COMMAND_OPTIONS, ...options }, usage);
    // The shared flags, typed on their own (the command's options are generic here).
    const shared: ParsedValues<typeof ASSEMBLY_COMMAND_OPTIONS> = values;
    if (shared.help) {
      output.info(usage);
      return ExitCode.OK;
    }
    return await body({ options: values, assemblyDir: resolveAssemblyDir(cwd, shared.assembly ?? shared['app-dir']) });
  } catch (error) {
    if (error instanceof UsageError) {
      output.error(error.message);
      return ExitCode.USAGE;
    }
    if (error instanceof CloudAssemblyError || error instanceof GeneratedFileError) {
      output.error(error.message);
      return ExitCode.FAILED;
    }
    throw error;
  }
}
