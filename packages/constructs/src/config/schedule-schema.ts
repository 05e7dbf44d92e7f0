import { z } from 'zod';
import { rule } from './parse-settings';
import { AwakeHours, ScheduleConfig, scheduleIssues } from '../schedule/awake-hours';

/**
 * `schedule`: the shape is strict (no unknown keys), the values are checked by `scheduleIssues`, which the service
 * construct runs too, so the settings and the construct refuse the same schedules with the same words.
 */
export const scheduleSchema = z
  .strictObject({
    timezone: z.custom<ScheduleConfig['timezone']>(() => true),
    awake: z.strictObject({
      days: z.custom<AwakeHours['days']>(() => true),
      from: z.custom<AwakeHours['from']>(() => true),
      to: z.custom<AwakeHours['to']>(() => true),
    }),
  })
  .superRefine((schedule, context) => {
    for (const issue of scheduleIssues(schedule)) {
      context.issues.push({
        code: 'custom',
        path: issue.field.split('.'),
        message: rule(issue.problem, issue.fix).error,
        input: issue.value,
      });
    }
  });
