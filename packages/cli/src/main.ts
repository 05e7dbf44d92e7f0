import { CommandOutput, processOutput, SlipwayCommand } from './command';
import { dispatch } from './dispatch';
import { defaultCommands } from './registry';

/**
 * Dispatch `slipway <command> [options]` to a registered command.
 * @returns the process exit code
 */
export async function main(
  argv: readonly string[],
  commands: readonly SlipwayCommand[] = defaultCommands(),
  output: CommandOutput = processOutput,
): Promise<number> {
  return dispatch(argv, commands, output);
}
