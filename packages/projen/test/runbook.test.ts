import { connectionName } from '../src/runbook';

describe('the connection name in the first-deploy page', () => {
  test.each([
    ['shop', 'shop'],
    ['a'.repeat(40), 'a'.repeat(32)],
    // A cut that ends on a hyphen drops it: the name stays one the console shows cleanly.
    [`${'b'.repeat(31)}-checkout`, 'b'.repeat(31)],
  ])('%s becomes %s: CodeConnections allows at most 32 characters (app names allow 40)', (appName, expected) => {
    expect(connectionName(appName)).toBe(expected);
    expect(connectionName(appName).length).toBeLessThanOrEqual(32);
  });
});
