import { SlipwayConfigError } from '@slipway/constructs';
import { CdkTaskError } from './cdk-task-error';

// Imported first by every entry point (main, synth, cdk-run), before environments/ (#environments) is loaded (so this module imports nothing that imports it): a bad setting
// is found while the settings files are imported, long before any try block of the entry point could see it.

/**
 * Whether an error is the user's to fix from its message alone: a bad setting
 * or a bad task argument. Anything else is a crash inside Slipway.
 */
export function isUserError(error: unknown): error is Error {
  return error instanceof SlipwayConfigError || error instanceof CdkTaskError;
}

/**
 * What an entry point prints for an error that ends it: a user's mistake as
 * its sentences (one line per problem) after a ✖; a crash inside Slipway as
 * Node prints it, stack trace included, so it can be reported.
 */
export function describeFatalError(error: unknown): string {
  if (isUserError(error)) {
    return `✖ ${error.message}`;
  }
  return error instanceof Error ? (error.stack ?? String(error)) : String(error);
}

process.on('uncaughtException', (error) => {
  process.stderr.write(`${describeFatalError(error)}\n`);
  process.exit(1);
});
