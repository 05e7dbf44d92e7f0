/*
 * When an environment's services run: the days and hours of an out-of-hours schedule, the cron expressions of the
 * Application Auto Scaling scheduled actions that follow it, and the clock arithmetic `slipway verify`, `status` and
 * `cost` need to read it back. Free of runtime imports (like contract.ts): the CLI's single-file verify bundle takes
 * it in.
 */
import type { ConfigIssue } from '../config/slipway-config-error';

/** The days of the week, Monday first, as Application Auto Scaling's cron day-of-week names them. */
export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/** A day of the week: `MON` … `SUN`. */
export type Weekday = (typeof WEEKDAYS)[number];

/** A run of days from the first to the last, both included, going forward through the week: `MON-FRI`, `SUN-THU`. */
export type WeekdayRange = `${Weekday}-${Weekday}`;

/** The hours in which the services run; outside them every service of the environment is scaled to zero tasks. */
export interface AwakeHours {
  /**
   * The days the services wake up: a range (`'MON-FRI'`, `'SUN-THU'`) or a list (`['MON', 'WED', 'FRI']`).
   * A range goes forward through the week and wraps after Sunday; it cannot start and end on the same day.
   */
  readonly days: WeekdayRange | readonly Weekday[];
  /** Local time the services wake up on each of `days`, `HH:MM` on a 24-hour clock, e.g. `'08:00'`. */
  readonly from: string;
  /** Local time they go to sleep the same day, `HH:MM`, later than `from` (awake hours cannot cross midnight). */
  readonly to: string;
}

/**
 * An out-of-hours schedule: the services run in the awake hours, in the time zone's local time (daylight saving
 * included), and are scaled to zero tasks the rest of the week.
 */
export interface ScheduleConfig {
  /** IANA time zone the hours are in, e.g. `'Europe/Dublin'` or `'America/New_York'` (not an offset like `+01:00`). */
  readonly timezone: string;
  /** When the services run. */
  readonly awake: AwakeHours;
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** An IANA name as Application Auto Scaling takes it (`Area/Location`, `Etc/GMT+9`, `UTC`), never an offset or abbreviation. */
const IANA_NAME = /^(UTC|[A-Z][A-Za-z_-]+(\/[A-Za-z0-9_+-]+){1,2})$/;

/**
 * Every problem with a schedule, each `field` relative to it (`timezone`, `awake.days`, `awake.from`, `awake.to`):
 * the environment settings and the service construct check the same things with the same words.
 */
export function scheduleIssues(schedule: { readonly timezone?: unknown; readonly awake?: unknown }): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!isTimeZone(schedule.timezone)) {
    // A place name in the wrong case, or a link, has a canonical name to suggest; an abbreviation (CET) has none.
    const canonical =
      typeof schedule.timezone === 'string' && schedule.timezone.includes('/')
        ? resolvedTimeZone(schedule.timezone)
        : undefined;
    issues.push({
      field: 'timezone',
      value: schedule.timezone,
      problem: canonical
        ? 'must be a canonical IANA time zone name, spelled as IANA spells it'
        : 'must be an IANA time zone name',
      fix: canonical
        ? `Use '${canonical}': Application Auto Scaling takes the canonical names only, in their own case.`
        : "Use the name of the place whose office hours these are, e.g. 'Europe/Dublin', 'America/New_York' or 'UTC' (Application Auto Scaling takes IANA names, not offsets or abbreviations like CET).",
    });
  }
  const awake = (schedule.awake ?? {}) as { readonly days?: unknown; readonly from?: unknown; readonly to?: unknown };
  const daysProblem = awakeDaysProblem(awake.days);
  if (daysProblem) {
    issues.push({
      field: 'awake.days',
      value: awake.days,
      problem: daysProblem,
      fix: "Use a range such as 'MON-FRI' (or 'SUN-THU'), or a list such as ['MON', 'WED', 'FRI'], with MON TUE WED THU FRI SAT SUN.",
    });
  }
  for (const field of ['from', 'to'] as const) {
    if (!isClock(awake[field])) {
      issues.push({
        field: `awake.${field}`,
        value: awake[field],
        problem: 'must be a time of day as HH:MM on a 24-hour clock',
        fix: field === 'from' ? "Use e.g. '08:00'." : "Use e.g. '19:00'.",
      });
    }
  }
  if (isClock(awake.from) && isClock(awake.to) && clockMinutes(awake.to) <= clockMinutes(awake.from)) {
    issues.push({
      field: 'awake.to',
      value: awake.to,
      problem: `must be later than awake.from (${awake.from})`,
      fix: 'The awake hours start and end on the same day: set to after from (awake hours cannot cross midnight).',
    });
  }
  return issues;
}

/**
 * Areas of IANA's `backward` file: every name in them is a link to a canonical one (`US/Eastern` to
 * `America/New_York`), which Application Auto Scaling does not take.
 */
const LINK_AREAS = /^(US|Canada|Mexico|Brazil|Chile)\//;

/**
 * Whether a value is a time zone name Application Auto Scaling and this machine's Intl both know. Application Auto
 * Scaling takes "the canonical names of the IANA time zones", where Intl also takes other cases (`Europe/dublin`) and
 * links (`US/Eastern`): those are refused. Intl's own canonical name is not the test, since ICU still answers some
 * renamed zones with their old names (`Asia/Kolkata` as `Asia/Calcutta`).
 */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || !IANA_NAME.test(value) || LINK_AREAS.test(value)) return false;
  const resolved = resolvedTimeZone(value);
  return resolved !== undefined && !(resolved !== value && resolved.toLowerCase() === value.toLowerCase());
}

/** The name Intl resolves a time zone to, or undefined when it knows none by that name. */
function resolvedTimeZone(value: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The days a schedule wakes on, in week order, Monday first. */
export function awakeDays(hours: Pick<AwakeHours, 'days'>): Weekday[] {
  if (typeof hours.days !== 'string') return WEEKDAYS.filter((day) => hours.days.includes(day));
  const [first, last] = hours.days.split('-').map((day) => WEEKDAYS.indexOf(day as Weekday));
  const days = new Set<Weekday>();
  for (let index = first; ; index = (index + 1) % WEEKDAYS.length) {
    days.add(WEEKDAYS[index]);
    if (index === last) break;
  }
  return WEEKDAYS.filter((day) => days.has(day));
}

/** `cron(0 8 ? * MON,TUE,WED,THU,FRI *)`: Application Auto Scaling's six fields, at `from` on each awake day. */
export function wakeCron(hours: AwakeHours): string {
  return cronAt(hours.from, awakeDays(hours));
}

/** `cron(0 19 ? * MON,TUE,WED,THU,FRI *)`: at `to` on each awake day. */
export function sleepCron(hours: AwakeHours): string {
  return cronAt(hours.to, awakeDays(hours));
}

/** Hours the services run in a week (the cost estimate's running hours). */
export function awakeHoursPerWeek(hours: AwakeHours): number {
  return (awakeDays(hours).length * (clockMinutes(hours.to) - clockMinutes(hours.from))) / 60;
}

/** `MON-FRI 08:00–19:00 Europe/Dublin`, for messages. */
export function describeSchedule(schedule: ScheduleConfig): string {
  const days =
    typeof schedule.awake.days === 'string' ? schedule.awake.days : awakeDays(schedule.awake).join(',') || '-';
  return `${days} ${schedule.awake.from}–${schedule.awake.to} ${schedule.timezone}`;
}

/** Whether the schedule has the services awake at `moment`. */
export function isAwake(schedule: ScheduleConfig, moment: Date): boolean {
  const local = localTime(schedule.timezone, moment);
  return (
    awakeDays(schedule.awake).includes(local.day) &&
    local.minutes >= clockMinutes(schedule.awake.from) &&
    local.minutes < clockMinutes(schedule.awake.to)
  );
}

/**
 * The next minute at or after `moment` at which the schedule has the services awake (`moment` itself when they are
 * awake), found minute by minute so that daylight saving changes need no arithmetic of their own.
 */
export function nextWake(schedule: ScheduleConfig, moment: Date): Date {
  const start = Math.floor(moment.getTime() / 60_000) * 60_000;
  // A schedule with at least one awake day wakes within a week and a day of any moment.
  for (let minute = 0; minute <= 8 * 24 * 60; minute++) {
    const candidate = new Date(start + minute * 60_000);
    if (isAwake(schedule, candidate)) return candidate;
  }
  throw new Error(`The schedule ${describeSchedule(schedule)} never wakes.`);
}

/** `2024-03-04 08:00 Europe/Dublin (MON)`: a moment in the schedule's local time. */
export function formatLocal(timezone: string, moment: Date): string {
  const parts = dateParts(timezone, moment, { year: 'numeric', month: '2-digit', day: '2-digit' });
  const local = localTime(timezone, moment);
  const clock = `${String(Math.floor(local.minutes / 60)).padStart(2, '0')}:${String(local.minutes % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day} ${clock} ${timezone} (${local.day})`;
}

/**
 * The value of the `slipway:awake-hours` tag on a scheduled service: `Europe/Dublin MON TUE WED THU FRI 08:00-19:00`.
 * ECS tag values allow letters, digits, spaces and `+ - = . _ : / @`, so the days are separated by spaces.
 */
export function scheduleTagValue(schedule: ScheduleConfig): string {
  return [schedule.timezone, ...awakeDays(schedule.awake), `${schedule.awake.from}-${schedule.awake.to}`].join(' ');
}

/** The schedule a `slipway:awake-hours` tag value describes, or undefined when it is not one. */
export function parseScheduleTag(value: string): ScheduleConfig | undefined {
  const words = value.trim().split(/\s+/);
  if (words.length < 3) return undefined;
  const [timezone, ...rest] = words;
  const [from, to] = rest.pop()!.split('-');
  const schedule = { timezone, awake: { days: rest as Weekday[], from, to } };
  return scheduleIssues(schedule).length === 0 ? schedule : undefined;
}

function awakeDaysProblem(days: unknown): string | undefined {
  if (typeof days === 'string') {
    const match = /^([A-Z]{3})-([A-Z]{3})$/.exec(days);
    if (!match || !isWeekday(match[1]) || !isWeekday(match[2])) {
      return 'must be a range of two days such as MON-FRI, or a list of days';
    }
    if (match[1] === match[2]) return 'must be a range of two different days';
    return undefined;
  }
  if (!Array.isArray(days)) return 'must be a range such as MON-FRI or a list of days';
  if (days.length === 0) return 'must name at least one day';
  const unknown = days.filter((day) => !isWeekday(day));
  if (unknown.length > 0) {
    return `must name days as MON … SUN (not ${unknown.map((day) => JSON.stringify(day)).join(', ')})`;
  }
  if (new Set(days).size !== days.length) return 'must name each day once';
  return undefined;
}

function isWeekday(value: unknown): value is Weekday {
  return typeof value === 'string' && (WEEKDAYS as readonly string[]).includes(value);
}

function isClock(value: unknown): value is string {
  return typeof value === 'string' && CLOCK.test(value);
}

/** `'08:30'` → 510. */
function clockMinutes(clock: string): number {
  const [, hours, minutes] = CLOCK.exec(clock)!;
  return Number(hours) * 60 + Number(minutes);
}

function cronAt(clock: string, days: readonly Weekday[]): string {
  const [hours, minutes] = clock.split(':').map(Number);
  return `cron(${minutes} ${hours} ? * ${days.join(',')} *)`;
}

function localTime(timezone: string, moment: Date): { readonly day: Weekday; readonly minutes: number } {
  const parts = dateParts(timezone, moment, { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return {
    day: parts.weekday.toUpperCase() as Weekday,
    minutes: (Number(parts.hour) % 24) * 60 + Number(parts.minute),
  };
}

const formats = new Map<string, Intl.DateTimeFormat>();

function dateParts(timezone: string, moment: Date, options: Intl.DateTimeFormatOptions): Record<string, string> {
  const key = `${timezone} ${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, ...options });
    formats.set(key, format);
  }
  return Object.fromEntries(format.formatToParts(moment).map((part) => [part.type, part.value]));
}
