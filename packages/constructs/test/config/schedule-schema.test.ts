import { parseEnvironmentConfig } from '../../src/config';
import { devLike, prodLike, variant } from '../fixtures/environments';

const FILE = 'environments/dev.ts';
const workingHours = { timezone: 'Europe/Dublin', awake: { days: 'MON-FRI', from: '08:00', to: '19:00' } };

describe('schedule', () => {
  test('GIVEN working hours on dev WHEN parsed THEN they come back unchanged', () => {
    const config = variant(devLike, (c) => {
      c.schedule = workingHours;
    });
    expect(parseEnvironmentConfig(config, FILE).schedule).toEqual(workingHours);
  });

  test("GIVEN canonical zones, some of which ICU still names by their old names WHEN parsed THEN they're accepted", () => {
    // ICU resolves Asia/Kolkata to Asia/Calcutta: the canonical IANA name must not be refused for it.
    for (const timezone of ['UTC', 'America/New_York', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires']) {
      const config = variant(devLike, (c) => {
        c.schedule = { ...workingHours, timezone };
      });
      expect(() => parseEnvironmentConfig(config, FILE)).not.toThrow();
    }
  });

  test('GIVEN a schedule with an explicit rolling deployment WHEN parsed THEN it is accepted', () => {
    const config = variant(devLike, (c) => {
      c.schedule = workingHours;
      c.deployment = { strategy: 'rolling' };
    });
    expect(() => parseEnvironmentConfig(config, FILE)).not.toThrow();
  });

  test('GIVEN a list of days and a wrapping range WHEN parsed THEN both are accepted', () => {
    for (const days of [['MON', 'WED', 'FRI'], 'SUN-THU', ['SAT']]) {
      const config = variant(devLike, (c) => {
        c.schedule = { ...workingHours, awake: { ...workingHours.awake, days } };
      });
      expect(() => parseEnvironmentConfig(config, FILE)).not.toThrow();
    }
  });

  const awake = (change: Record<string, unknown>) =>
    variant(devLike, (c) => {
      c.schedule = { ...workingHours, awake: { ...workingHours.awake, ...change } };
    });

  const invalid: Array<[string, unknown, RegExp]> = [
    [
      'an offset for a time zone',
      variant(devLike, (c) => {
        c.schedule = { ...workingHours, timezone: '+01:00' };
      }),
      /environments\/dev\.ts: schedule\.timezone must be an IANA time zone name; got "\+01:00"\. Use the name of the place/,
    ],
    [
      'an unknown time zone',
      variant(devLike, (c) => {
        c.schedule = { ...workingHours, timezone: 'Europe/Dubln' };
      }),
      /schedule\.timezone must be an IANA time zone name; got "Europe\/Dubln"/,
    ],
    [
      'a time zone in another case, which Intl takes and Application Auto Scaling does not',
      variant(devLike, (c) => {
        c.schedule = { ...workingHours, timezone: 'Europe/dublin' };
      }),
      /schedule\.timezone must be a canonical IANA time zone name, spelled as IANA spells it; got "Europe\/dublin"\. Use 'Europe\/Dublin'/,
    ],
    [
      "a link of IANA's backward file",
      variant(devLike, (c) => {
        c.schedule = { ...workingHours, timezone: 'US/Eastern' };
      }),
      /schedule\.timezone must be a canonical IANA time zone name, spelled as IANA spells it; got "US\/Eastern"\. Use 'America\/New_York'/,
    ],
    [
      'an abbreviation for a time zone',
      variant(devLike, (c) => {
        c.schedule = { ...workingHours, timezone: 'CET' };
      }),
      /schedule\.timezone must be an IANA time zone name; got "CET"/,
    ],
    [
      'lowercase days',
      awake({ days: 'mon-fri' }),
      /schedule\.awake\.days must be a range of two days such as MON-FRI, or a list of days; got "mon-fri"\. Use a range such as 'MON-FRI'/,
    ],
    ['a one-day range', awake({ days: 'MON-MON' }), /schedule\.awake\.days must be a range of two different days/],
    ['an empty list of days', awake({ days: [] }), /schedule\.awake\.days must name at least one day; got \[\]/],
    ['a day twice', awake({ days: ['MON', 'MON'] }), /schedule\.awake\.days must name each day once/],
    [
      'an unknown day',
      awake({ days: ['MON', 'Tuesday'] }),
      /schedule\.awake\.days must name days as MON … SUN \(not "Tuesday"\)/,
    ],
    [
      'a 12-hour time',
      awake({ from: '8am' }),
      /schedule\.awake\.from must be a time of day as HH:MM on a 24-hour clock; got "8am"\. Use e\.g\. '08:00'/,
    ],
    ['hour 24', awake({ to: '24:00' }), /schedule\.awake\.to must be a time of day as HH:MM/],
    [
      'hours that cross midnight',
      awake({ from: '22:00', to: '06:00' }),
      /schedule\.awake\.to must be later than awake\.from \(22:00\); got "06:00"\. The awake hours start and end on the same day/,
    ],
    [
      'a missing time',
      awake({ to: undefined }),
      /schedule\.awake\.to must be a time of day as HH:MM on a 24-hour clock; got nothing/,
    ],
    ['a misspelt field', awake({ form: '08:00' }), /schedule\.awake\.form is not a known setting/],
    [
      'highAvailability',
      variant(prodLike, (c) => {
        c.schedule = workingHours;
      }),
      /environments\/dev\.ts: schedule must be absent when highAvailability is on; got .*A schedule scales every service to zero tasks out of hours/,
    ],
    [
      'a canary release, whose smoke test would find no task at night',
      variant(devLike, (c) => {
        c.schedule = workingHours;
        c.deployment = { strategy: 'canary', percent: 10, minutes: 5 };
      }),
      /environments\/dev\.ts: deployment\.strategy must be rolling in an environment with a schedule; got "canary"\. A traffic-shifting release tests the new tasks/,
    ],
  ];

  test.each(invalid)('GIVEN %s WHEN parsed THEN it fails with the expected message', (_name, config, message) => {
    expect(() => parseEnvironmentConfig(config, FILE)).toThrow(message);
  });
});
