import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  StartLiveTailCommand,
  StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { ServiceLogSource } from './log-source';
import { explainAwsError } from '../aws-error';
import { Clock, formatDuration } from '../clock';
import { CommandOutput } from '../command';

/** One log event, from FilterLogEvents or a live tail session. */
export interface LogEvent {
  /** Milliseconds since the epoch, when the container wrote it. */
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName?: string;
}

/** Which events to read. */
export interface LogQuery {
  readonly source: ServiceLogSource;
  /** Milliseconds since the epoch of the oldest event to read. */
  readonly startTime: number;
  /**
   * A CloudWatch Logs filter pattern (`ERROR`, `"request failed"`, `{ $.level = "error" }`).
   * @default - every event
   */
  readonly filterPattern?: string;
}

/** How `followLogEvents` waits and stops. */
export interface FollowOptions {
  readonly clock: Clock;
  readonly output: CommandOutput;
  /** Milliseconds between FilterLogEvents calls when live tail is not available. */
  readonly pollIntervalMs: number;
  /**
   * Stops following when aborted.
   * @default - follows until the process ends
   */
  readonly signal?: AbortSignal;
}

/**
 * Every event since `startTime`, oldest first within each page, following
 * FilterLogEvents' `nextToken` to the end (a page may be empty and still carry
 * a token while CloudWatch searches further).
 * @returns the newest timestamp seen
 * @default - returns `undefined` when there was no event
 */
export async function readLogEvents(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  onEvent: (event: LogEvent) => void,
  seen?: Set<string>,
): Promise<number | undefined> {
  let nextToken: string | undefined;
  let newest: number | undefined;
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: query.source.logGroupName,
        logStreamNamePrefix: query.source.streamPrefix,
        startTime: query.startTime,
        filterPattern: query.filterPattern,
        nextToken,
      }),
    );
    for (const event of page.events ?? []) {
      if (event.eventId !== undefined && seen) {
        if (seen.has(event.eventId)) continue;
        seen.add(event.eventId);
      }
      const timestamp = event.timestamp ?? 0;
      newest = Math.max(newest ?? timestamp, timestamp);
      onEvent({ timestamp, message: event.message ?? '', logStreamName: event.logStreamName });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return newest;
}

/**
 * Follow new events: a CloudWatch Logs Live Tail session (StartLiveTail, an
 * event stream that pushes each second's new events), started again when
 * its three-hour limit ends it. Where live tail cannot be used (a region or
 * a role without it), poll FilterLogEvents instead.
 *
 * @param from milliseconds since the epoch to poll from when falling back
 */
export async function followLogEvents(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  from: number,
  onEvent: (event: LogEvent) => void,
  options: FollowOptions,
): Promise<void> {
  for (;;) {
    let stream: AsyncIterable<StartLiveTailResponseStream> | undefined;
    try {
      const response = await logs.send(
        new StartLiveTailCommand({
          logGroupIdentifiers: [query.source.logGroupArn],
          logStreamNamePrefixes: query.source.streamPrefix ? [query.source.streamPrefix] : undefined,
          logEventFilterPattern: query.filterPattern,
        }),
        { abortSignal: options.signal },
      );
      stream = response.responseStream;
    } catch (error) {
      if (options.signal?.aborted) return;
      options.output.error(
        `Live tail is not available here (${explainAwsError(error, 'logs:StartLiveTail')}); polling every ${formatDuration(options.pollIntervalMs)} instead.`,
      );
      return pollLogEvents(logs, query, from, onEvent, options);
    }
    if (!stream) return;
    const ended = await consumeLiveTail(stream, onEvent, options.signal);
    if (ended !== 'timed-out' || options.signal?.aborted) return;
  }
}

async function consumeLiveTail(
  stream: AsyncIterable<StartLiveTailResponseStream>,
  onEvent: (event: LogEvent) => void,
  signal: AbortSignal | undefined,
): Promise<'ended' | 'timed-out'> {
  try {
    for await (const item of stream) {
      if (signal?.aborted) return 'ended';
      for (const event of item.sessionUpdate?.sessionResults ?? []) {
        onEvent({ timestamp: event.timestamp ?? 0, message: event.message ?? '', logStreamName: event.logStreamName });
      }
    }
  } catch (error) {
    // The stream's exception events (SessionTimeoutException, SessionStreamingException) are thrown by the SDK's
    // iterator, not yielded. A session lasts at most three hours; on its timeout the caller starts another.
    if ((error as Error).name === 'SessionTimeoutException') return 'timed-out';
    throw error;
  }
  return 'ended';
}

async function pollLogEvents(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  from: number,
  onEvent: (event: LogEvent) => void,
  options: FollowOptions,
): Promise<void> {
  // FilterLogEvents' startTime is inclusive: the last second's events come again and are skipped by id.
  const seen = new Set<string>();
  let startTime = from;
  while (!options.signal?.aborted) {
    await options.clock.sleep(options.pollIntervalMs);
    if (options.signal?.aborted) return;
    const newest = await readLogEvents(logs, { ...query, startTime }, onEvent, seen);
    if (newest !== undefined && newest > startTime) {
      startTime = newest;
      if (seen.size > 10_000) seen.clear();
    }
  }
}
