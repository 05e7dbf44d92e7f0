/**
 * The one error type of the Slipway project type.
 *
 * Every message names the option, the value received and how to fix it, so
 * that a failed `npx projen` tells the user what to change in `.projenrc.ts`.
 */
export class SlipwayOptionsError extends Error {
  /** The option that failed validation, e.g. `constructsDependency`. */
  public readonly option: string;

  constructor(option: string, value: unknown, fix: string) {
    super(`.projenrc.ts: option "${option}" is invalid; got ${JSON.stringify(value)}. ${fix}`);
    this.name = 'SlipwayOptionsError';
    this.option = option;
  }
}
