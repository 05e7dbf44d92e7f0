import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger } from 'pino';

/**
 * The API's pino logger: one JSON object per line on stdout, which the ECS
 * awslogs driver ships to CloudWatch as is. Every line carries the
 * environment, version and commit, so a CloudWatch Logs Insights query can
 * tell deployments apart.
 *
 * @param destination where lines go; stdout unless a test passes its own stream.
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'environment' | 'version' | 'gitSha'>,
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { pid: process.pid, environment: config.environment, version: config.version, gitSha: config.gitSha },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes: a line logged just before process.exit() is never lost.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
