/**
 * Where a command writes: lines for people (stdout) and diagnostics (stderr).
 * Injected so tests read exactly what the person on call would see.
 */
export interface CommandOutput {
  /** Progress and results. */
  info(line: string): void;
  /** Failures and warnings. */
  error(line: string): void;
}

/** Process exit codes of the slipway CLI; the pipeline fails on any non-zero one. */
export const ExitCode = {
  /** Everything checked out. */
  OK: 0,
  /** The deployment or the smoke test failed: something to fix in the app or its config. */
  FAILED: 1,
  /** The command line was wrong; nothing was checked. */
  USAGE: 2,
  /** A bounded wait ran out before the deployment settled. */
  TIMED_OUT: 3,
} as const;

/** One sub-command of `slipway`, e.g. `verify` or `status`. */
export interface SlipwayCommand {
  /** The word after `slipway` on the command line. */
  readonly name: string;
  /** One line for `slipway --help`. */
  readonly summary: string;
  /**
   * Run the command.
   * @param argv the arguments after the command name
   * @returns the process exit code (see {@link ExitCode})
   */
  run(argv: readonly string[]): Promise<number>;
}

/** A wrong command line: the message says which option and what to pass instead. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Writes to the process's own stdout and stderr. */
export const processOutput: CommandOutput = {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
