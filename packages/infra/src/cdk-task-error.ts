/** A deploy/diff/destroy task given an argument it cannot act on; the message says what to type instead. */
export class CdkTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CdkTaskError';
  }
}
