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
    // Asynchronous writes: under load, the lines logged while a write is in flight go out in the
    // next single write instead of one system call each. pino writes whatever is pending when the
    // process exits (process.exit included), so shutdown and fatal lines are kept; only a SIGKILL
    // can lose the last few milliseconds.
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
