import {
  awakeDays,
  awakeHoursPerWeek,
  formatLocal,
  isAwake,
  nextWake,
  parseScheduleTag,
  scheduleTagValue,
  sleepCron,
  wakeCron,
} from '../../src/schedule';

const dublin = { timezone: 'Europe/Dublin', awake: { days: 'MON-FRI', from: '08:00', to: '19:00' } } as const;

describe('awake hours', () => {
  test('GIVEN MON-FRI 08:00-19:00 THEN the cron expressions have six fields and list the days', () => {
    expect(wakeCron(dublin.awake)).toBe('cron(0 8 ? * MON,TUE,WED,THU,FRI *)');
    expect(sleepCron({ ...dublin.awake, to: '19:30' })).toBe('cron(30 19 ? * MON,TUE,WED,THU,FRI *)');
  });

  test('GIVEN a range that wraps after Sunday, or a list out of order THEN the days come back in week order', () => {
    expect(awakeDays({ days: 'SUN-THU' })).toEqual(['MON', 'TUE', 'WED', 'THU', 'SUN']);
    expect(awakeDays({ days: 'FRI-MON' })).toEqual(['MON', 'FRI', 'SAT', 'SUN']);
    expect(awakeDays({ days: ['FRI', 'MON'] })).toEqual(['MON', 'FRI']);
  });

  test('GIVEN working hours THEN the services run 55 of the 168 hours of a week', () => {
    expect(awakeHoursPerWeek(dublin.awake)).toBe(55);
  });

  test('GIVEN Dublin in summer (UTC+1) THEN 07:30 UTC on a Monday is 08:30 local: awake', () => {
    expect(isAwake(dublin, new Date('2024-07-01T07:30:00Z'))).toBe(true);
    expect(isAwake(dublin, new Date('2024-07-01T06:59:00Z'))).toBe(false);
    expect(isAwake(dublin, new Date('2024-07-01T18:00:00Z'))).toBe(false); // 19:00 local: asleep
  });

  test('GIVEN Dublin in winter (UTC+0) THEN 07:30 UTC on a Monday is 07:30 local: asleep', () => {
    expect(isAwake(dublin, new Date('2024-01-08T07:30:00Z'))).toBe(false);
  });

  test('GIVEN a Friday evening THEN the next wake is Monday 08:00 local, across the spring daylight saving change', () => {
    // Ireland moves to summer time on Sunday 31 March 2024.
    const wake = nextWake(dublin, new Date('2024-03-29T20:15:00Z'));
    expect(wake.toISOString()).toBe('2024-04-01T07:00:00.000Z');
    expect(formatLocal('Europe/Dublin', wake)).toBe('2024-04-01 08:00 Europe/Dublin (MON)');
  });

  test('GIVEN awake hours THEN the next wake is the moment itself', () => {
    const moment = new Date('2024-07-01T09:00:00Z');
    expect(nextWake(dublin, moment)).toEqual(moment);
  });

  test('GIVEN a schedule THEN its tag value has only characters ECS tags allow and reads back to the same hours', () => {
    const value = scheduleTagValue(dublin);
    expect(value).toBe('Europe/Dublin MON TUE WED THU FRI 08:00-19:00');
    expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
    const read = parseScheduleTag(value)!;
    expect(awakeDays(read.awake)).toEqual(awakeDays(dublin.awake));
    expect(read).toMatchObject({ timezone: 'Europe/Dublin', awake: { from: '08:00', to: '19:00' } });
    expect(parseScheduleTag('not a schedule')).toBeUndefined();
  });
});
