import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { formatLogMessage } from './log-format';
import { followLogEvents, LogEvent, LogQuery, readLogEvents } from './log-reader';
import { findServiceLogSource, LogSourceError } from './log-source';
import { parseSince } from './since';
import { ENVIRONMENT_FLAGS, parseCommandLine } from '../args';
import { explainAwsError } from '../aws-error';
import { Clock, systemClock } from '../clock';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../command';
import { EnvironmentNotFoundError, findEnvironmentServices } from '../ecs/discovery';
import { createEcsClient } from '../ecs/ecs-client';

/** What the logs command talks to; tests replace the clock, the output and the stop signal. */
export interface LogsCommandDependencies {
  /** @default - a real ECS client for the region */
  readonly ecsClient?: (region: string | undefined) => ECSClient;
  /** @default - a real CloudWatch Logs client for the log group's region */
  readonly logsClient?: (region: string) => CloudWatchLogsClient;
  /** @default - the wall clock */
  readonly clock?: Clock;
  /** @default - the process's stdout and stderr */
  readonly output?: CommandOutput;
  /**
   * Ends `--follow` when aborted.
   * @default - follows until the process is interrupted
   */
  readonly signal?: AbortSignal;
}

const USAGE = `usage: slipway logs --env <name> --service <name> [--since <15m|2h|1d, default 15m>] [--follow]
                    [--filter <CloudWatch Logs filter pattern>] [--json] [--region <region>] [--cluster <name>]

Prints a service's container logs from CloudWatch Logs: the log group of the awslogs driver in the
task definition the service runs (its cluster is the one tagged slipway:environment=<name>). --service
is the service's name in environments/ (its container's name) or the ECS service's name. The API's
pino JSON lines are shown as "time LEVEL [request id] message", other lines as they are; --json prints
every line raw. --follow keeps printing new lines (CloudWatch Logs Live Tail, or polling where it is
not available) until Ctrl-C. --filter takes a filter pattern: ERROR, "request failed", { $.level = "error" }.
Exit codes: 0 done, 1 the service or its logs could not be read, 2 wrong usage.`;

/** Seconds between FilterLogEvents calls when following without live tail. */
const POLL_INTERVAL_MS = 2_000;

/** `slipway logs`: a service's container logs, for the person on call. */
export function createLogsCommand(dependencies: LogsCommandDependencies = {}): SlipwayCommand {
  const output = dependencies.output ?? processOutput;
  const clock = dependencies.clock ?? systemClock;
  const ecsClient = dependencies.ecsClient ?? createEcsClient;
  const logsClient =
    dependencies.logsClient ?? ((region: string) => new CloudWatchLogsClient({ region, maxAttempts: 5 }));
  return {
    name: 'logs',
    summary: "Print or follow a service's container logs from CloudWatch Logs, pino lines made readable",
    run: async (argv) => {
      const values = parseCommandLine(
        argv,
        {
          ...ENVIRONMENT_FLAGS,
          service: { type: 'string' },
          since: { type: 'string' },
          follow: { type: 'boolean', short: 'f' },
          filter: { type: 'string' },
          json: { type: 'boolean' },
        },
        USAGE,
        output,
      );
      if (!values) return ExitCode.OK;
      const environment = values.env?.trim();
      const service = values.service?.trim();
      if (!environment && !values.cluster) throw new UsageError(`--env is required.\n\n${USAGE}`);
      if (!service) throw new UsageError(`--service is required.\n\n${USAGE}`);
      const sinceMs = parseSince(values.since ?? '15m');
      const filterPattern = values.filter?.trim() || undefined;

      const ecs = ecsClient(values.region);
      let query: LogQuery;
      try {
        const cluster = values.cluster ?? (await findEnvironmentServices(ecs, environment!)).clusterName;
        const source = await findServiceLogSource(ecs, cluster, service);
        query = { source, startTime: clock.now() - sinceMs, filterPattern };
        // The header goes to stderr so `--json` output stays lines of the service's own log.
        output.error(
          `${source.serviceName} (${source.taskDefinition}, container ${source.containerName}): log group ${source.logGroupName} in ${source.region}`,
        );
      } catch (error) {
        const message =
          error instanceof EnvironmentNotFoundError || error instanceof LogSourceError
            ? error.message
            : explainAwsError(error, 'ecs:ListServices, ecs:DescribeServices and ecs:DescribeTaskDefinition');
        output.error(`✖ Could not find the logs of ${service}: ${message}`);
        return ExitCode.FAILED;
      }

      const print = (event: LogEvent): void =>
        output.info(values.json ? event.message : formatLogMessage(event.message));
      const logs = logsClient(query.source.region);
      try {
        const newest = await readLogEvents(logs, query, print);
        if (values.follow) {
          await followLogEvents(logs, query, newest ?? query.startTime, print, {
            clock,
            output,
            pollIntervalMs: POLL_INTERVAL_MS,
            signal: dependencies.signal,
          });
        }
      } catch (error) {
        output.error(
          `✖ Could not read log group ${query.source.logGroupName}: ${explainAwsError(error, 'logs:FilterLogEvents and logs:StartLiveTail')}`,
        );
        return ExitCode.FAILED;
      }
      return ExitCode.OK;
    },
  };
}
