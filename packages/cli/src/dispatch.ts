import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from './command';

/**
 * Dispatch `slipway <command> [options]` to one of `commands`. Kept apart from
 * the registry so a single-command bundle (the pipeline's verify step) carries
 * only that command's code.
 * @returns the process exit code
 */
export async function dispatch(
  argv: readonly string[],
  commands: readonly SlipwayCommand[],
  output: CommandOutput = processOutput,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    output.info(overview(commands));
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    output.error(`slipway: unknown command "${name}".\n\n${overview(commands)}`);
    return ExitCode.USAGE;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      output.error(`slipway ${name}: ${error.message}`);
      return ExitCode.USAGE;
    }
    output.error(`slipway ${name}: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return ExitCode.FAILED;
  }
}

function overview(commands: readonly SlipwayCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'usage: slipway <command> [options]   (slipway <command> --help for its options)',
    '',
    'commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
  ].join('\n');
}
