import * as path from 'node:path';
import { ParseArgsConfig } from 'node:util';
import { parseCommandLine, ParsedValues } from './args';
import { CloudAssemblyError } from './assembly/cloud-assembly';
import { resolveAssemblyDir } from './assembly-option';
import { CommandOutput, ExitCode, UsageError } from './command';
import { endMarker, GeneratedFileError, startMarker, updateGeneratedFile } from './generated-block';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Flags of every command that reads the synthesized app and may write generated Markdown. */
const ASSEMBLY_COMMAND_OPTIONS = {
  assembly: { type: 'string' },
  'app-dir': { type: 'string' },
  write: { type: 'string', multiple: true },
  check: { type: 'boolean' },
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
 * Parses `argv` with the shared flags (`--assembly`/`--app-dir`, `--write`, `--check`; `--help`) and the
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
    const values = parseCommandLine(argv, { ...ASSEMBLY_COMMAND_OPTIONS, ...options }, usage, output);
    if (!values) return ExitCode.OK;
    // The shared flags, typed on their own (the command's options are generic here).
    const shared: ParsedValues<typeof ASSEMBLY_COMMAND_OPTIONS> = values;
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

/** A generated Markdown document that does not exist yet: what it starts with, around its block. */
export interface NewDocument {
  /** Its `#` title. */
  readonly title: string;
  /** The paragraph under the title, one element a line. */
  readonly introduction: readonly string[];
  /** The name of the generated block it holds. */
  readonly block: string;
}

/** How {@link writeGeneratedDocuments} writes one command's blocks. */
export interface GeneratedDocumentsOptions {
  /** The blocks by name; each file gets those it has markers for. */
  readonly blocks: Readonly<Record<string, string>>;
  /** The command named in each block's header, e.g. `npx projen cost`. */
  readonly generator: string;
  /** Change nothing; report the files that are not current. */
  readonly check: boolean;
  /** Where relative file names start. */
  readonly cwd: string;
  readonly output: CommandOutput;
  /**
   * What a missing file is created as.
   * @default - a missing file is an error
   */
  readonly newDocument?: NewDocument;
  /**
   * Name the blocks filled in each file's line (`docs/architecture.md: updated (architecture, diagram:prod)`).
   * @default false
   */
  readonly listBlocks?: boolean;
}

/**
 * Fill the generated blocks of each file (`--write`, `--embed`), or with
 * `check` only say which files are stale, one line per file.
 * @returns whether a checked file was stale (the command then exits 1)
 */
export function writeGeneratedDocuments(files: readonly string[], options: GeneratedDocumentsOptions): boolean {
  const document = options.newDocument;
  const initialContent = document
    ? () =>
        [
          `# ${document.title}`,
          '',
          ...document.introduction,
          '',
          startMarker(document.block),
          endMarker(document.block),
          '',
        ].join('\n')
    : undefined;
  let stale = false;
  for (const file of files) {
    const result = updateGeneratedFile(path.resolve(options.cwd, file), options.blocks, {
      generator: options.generator,
      check: options.check,
      initialContent,
    });
    if (options.check && result.stale) {
      stale = true;
      options.output.error(
        `${file} is out of date with the synthesized app. Run \`npx projen docs\` and commit the result.`,
      );
    } else {
      const blocks = options.listBlocks ? ` (${result.blocks.join(', ')})` : '';
      options.output.info(`${file}: ${result.stale ? 'updated' : 'up to date'}${blocks}`);
    }
  }
  return stale;
}
