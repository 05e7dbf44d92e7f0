import { UsageError } from '../command';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `15m`, `2h`, `1d` (or `30s`) in milliseconds.
 * @throws UsageError naming the flag and the accepted forms
 */
export function parseSince(value: string, flag = '--since'): number {
  const match = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) {
    throw new UsageError(
      `${flag} must be a positive number followed by s, m, h or d (e.g. 15m, 2h, 1d); got "${value}".`,
    );
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
