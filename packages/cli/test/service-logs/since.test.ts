import { UsageError } from '../../src/command';
import { parseSince } from '../../src/service-logs/since';

describe('parseSince', () => {
  test.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s is %d ms', (value, ms) => {
    expect(parseSince(value)).toBe(ms);
  });

  test.each(['15', '0m', '1w', '-5m', 'soon', ''])('rejects "%s" with the forms it accepts', (value) => {
    expect(() => parseSince(value)).toThrow(UsageError);
    expect(() => parseSince(value)).toThrow(
      /--since must be a positive number followed by s, m, h or d \(e\.g\. 15m, 2h, 1d\)/,
    );
  });
});
