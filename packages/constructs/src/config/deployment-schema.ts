import { z } from 'zod';
import { rule } from './parse-settings';

/** ECS takes deployment minutes (step bake time, bake time) from 0 to 1440 (24 hours). */
const minutes = (fix: string) =>
  z
    .number()
    .int(rule('must be a whole number of minutes', fix))
    .min(0, rule('must be between 0 and 1440 minutes', fix))
    .max(1440, rule('must be between 0 and 1440 minutes', fix));

/** ECS takes traffic percentages in steps of 0.1. */
const percent = (min: number, fix: string) =>
  z
    .number()
    .min(min, rule(`must be between ${min} and 100`, fix))
    .max(100, rule(`must be between ${min} and 100`, fix))
    .refine((value) => Math.abs(value * 10 - Math.round(value * 10)) < 1e-9, rule('must be a multiple of 0.1', fix));

const bakeTimeMinutes = minutes('A common bake time is 10 minutes; 0 stops the old revision as soon as traffic moved.');

/**
 * The `deployment` setting's shape and the limits the ECS API puts on it (`DeploymentConfiguration`:
 * canaryPercent 0.1–100, linear stepPercent 3–100, both in steps of 0.1; every time 0–1440 minutes).
 */
export const deploymentSchema = z.discriminatedUnion(
  'strategy',
  [
    z.strictObject({ strategy: z.literal('rolling') }),
    z.strictObject({
      strategy: z.literal('canary'),
      percent: percent(0.1, 'Use a small slice such as 10.').optional(),
      minutes: minutes('Give the canary a few minutes, e.g. 5, for the alarms to see it.').optional(),
      bakeTimeMinutes: bakeTimeMinutes.optional(),
    }),
    z.strictObject({
      strategy: z.literal('linear'),
      stepPercent: percent(3, 'Use e.g. 10 (ten steps) or 25 (four steps).').optional(),
      minutes: minutes('Use a few minutes per step, e.g. 6.').optional(),
      bakeTimeMinutes: bakeTimeMinutes.optional(),
    }),
    z.strictObject({ strategy: z.literal('blue-green'), bakeTimeMinutes: bakeTimeMinutes.optional() }),
  ],
  rule(
    "must be 'rolling', 'canary', 'linear' or 'blue-green'",
    "Use { strategy: 'canary' } for prod behind the load balancer, { strategy: 'rolling' } (the default) otherwise.",
  ),
);
