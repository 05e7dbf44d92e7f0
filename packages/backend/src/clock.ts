/** Where the API reads the wall-clock time from; tests inject a fixed one. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => new Date(),
};
