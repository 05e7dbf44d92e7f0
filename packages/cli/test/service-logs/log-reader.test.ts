import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  StartLiveTailCommand,
  StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { followLogEvents, LogEvent, LogQuery, readLogEvents } from '../../src/service-logs/log-reader';
import { FakeClock, RecordedOutput } from '../fakes';

const logsMock = mockClient(CloudWatchLogsClient);
beforeEach(() => logsMock.reset());

const GROUP = 'shop-dev-backendLogs1A2B3C-XyZ';
const GROUP_ARN = `arn:aws:logs:eu-west-1:111111111111:log-group:${GROUP}`;
const query: LogQuery = {
  source: {
    serviceName: 'shop-dev-BackendService',
    containerName: 'backend',
    taskDefinition: 'backend:3',
    logGroupName: GROUP,
    logGroupArn: GROUP_ARN,
    region: 'eu-west-1',
    streamPrefix: 'backend/backend/',
  },
  startTime: 1_000,
  filterPattern: 'ERROR',
};

function client(): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region: 'eu-west-1' });
}

/**
 * What a live tail session streams: a start, then one update per second (sessionResults); then maybe an exception
 * event, which the SDK's iterator throws rather than yields (live-tail-wire.test.ts shows it on the wire).
 */
async function* liveTail(
  ...items: (StartLiveTailResponseStream | Error)[]
): AsyncGenerator<StartLiveTailResponseStream> {
  for (const item of items) {
    if (item instanceof Error) throw item;
    yield item;
  }
}

/** An exception event of the stream, as the SDK throws it. */
function streamException(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

function update(...messages: [number, string][]): StartLiveTailResponseStream {
  return {
    sessionUpdate: {
      sessionMetadata: { sampled: false },
      sessionResults: messages.map(([timestamp, message]) => ({
        logStreamName: 'backend/backend/0123456789abcdef',
        logGroupIdentifier: GROUP_ARN,
        message,
        timestamp,
        ingestionTime: timestamp + 50,
      })),
    },
  };
}

const START: StartLiveTailResponseStream = {
  sessionStart: { requestId: 'r1', sessionId: 's1', logGroupIdentifiers: [GROUP_ARN] },
};

describe('readLogEvents', () => {
  test('follows nextToken through every page (an empty page may still carry one) with the filter and stream prefix', async () => {
    logsMock
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: 'a', timestamp: 1_100, message: 'one' }], nextToken: 't1' })
      .resolvesOnce({ events: [], nextToken: 't2' })
      .resolvesOnce({ events: [{ eventId: 'b', timestamp: 1_300, message: 'two' }] });
    const events: LogEvent[] = [];
    const newest = await readLogEvents(client(), query, (event) => events.push(event));
    expect(events.map((event) => event.message)).toEqual(['one', 'two']);
    expect(newest).toBe(1_300);
    const calls = logsMock.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      {
        logGroupName: GROUP,
        logStreamNamePrefix: 'backend/backend/',
        startTime: 1_000,
        filterPattern: 'ERROR',
        nextToken: undefined,
      },
      {
        logGroupName: GROUP,
        logStreamNamePrefix: 'backend/backend/',
        startTime: 1_000,
        filterPattern: 'ERROR',
        nextToken: 't1',
      },
      {
        logGroupName: GROUP,
        logStreamNamePrefix: 'backend/backend/',
        startTime: 1_000,
        filterPattern: 'ERROR',
        nextToken: 't2',
      },
    ]);
  });
});

describe('followLogEvents', () => {
  test('prints what a live tail session streams, with the group ARN, stream prefix and filter it asked for', async () => {
    logsMock.on(StartLiveTailCommand).resolves({
      responseStream: liveTail(START, update([2_000, 'a'], [2_001, 'b']), update(), update([3_000, 'c'])),
    });
    const events: LogEvent[] = [];
    await followLogEvents(client(), query, 1_000, (event) => events.push(event), {
      clock: new FakeClock(),
      output: new RecordedOutput(),
      pollIntervalMs: 2_000,
    });
    expect(events.map((event) => [event.timestamp, event.message])).toEqual([
      [2_000, 'a'],
      [2_001, 'b'],
      [3_000, 'c'],
    ]);
    // StartLiveTail takes log groups by ARN, and a stream prefix only with a single group.
    expect(logsMock.commandCalls(StartLiveTailCommand)[0].args[0].input).toEqual({
      logGroupIdentifiers: [GROUP_ARN],
      logStreamNamePrefixes: ['backend/backend/'],
      logEventFilterPattern: 'ERROR',
    });
  });

  test('starts a new session when one reaches its time limit (SessionTimeoutException)', async () => {
    logsMock
      .on(StartLiveTailCommand)
      .resolvesOnce({
        responseStream: liveTail(
          START,
          update([2_000, 'before']),
          streamException('SessionTimeoutException', 'Session timed out'),
        ),
      })
      .resolvesOnce({ responseStream: liveTail(START, update([9_000, 'after'])) });
    const events: LogEvent[] = [];
    await followLogEvents(client(), query, 1_000, (event) => events.push(event), {
      clock: new FakeClock(),
      output: new RecordedOutput(),
      pollIntervalMs: 2_000,
    });
    expect(events.map((event) => event.message)).toEqual(['before', 'after']);
    expect(logsMock.commandCalls(StartLiveTailCommand)).toHaveLength(2);
  });

  test('a SessionStreamingException in the stream is an error for the caller', async () => {
    logsMock.on(StartLiveTailCommand).resolves({
      responseStream: liveTail(START, streamException('SessionStreamingException', 'internal failure')),
    });
    await expect(
      followLogEvents(client(), query, 1_000, () => undefined, {
        clock: new FakeClock(),
        output: new RecordedOutput(),
        pollIntervalMs: 2_000,
      }),
    ).rejects.toThrow('internal failure');
  });

  test('falls back to polling FilterLogEvents when live tail is refused, skipping events already printed', async () => {
    logsMock.on(StartLiveTailCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: logs:StartLiveTail'), {
        name: 'AccessDeniedException',
        $metadata: {},
      }),
    );
    logsMock
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: 'e1', timestamp: 5_000, message: 'first' }] })
      // startTime is inclusive: the next poll returns e1 again, with a newer event
      .resolvesOnce({
        events: [
          { eventId: 'e1', timestamp: 5_000, message: 'first' },
          { eventId: 'e2', timestamp: 6_000, message: 'second' },
        ],
      })
      .resolves({ events: [] });
    const controller = new AbortController();
    const clock = new FakeClock();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms: number) => {
      if (clock.sleeps.length === 3) controller.abort();
      await sleep(ms);
    };
    const output = new RecordedOutput();
    const events: LogEvent[] = [];
    await followLogEvents(client(), query, 4_000, (event) => events.push(event), {
      clock,
      output,
      pollIntervalMs: 2_000,
      signal: controller.signal,
    });
    expect(events.map((event) => event.message)).toEqual(['first', 'second']);
    expect(clock.sleeps).toEqual([2_000, 2_000, 2_000, 2_000]);
    expect(logsMock.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input.startTime)).toEqual([
      4_000, 5_000, 6_000,
    ]);
    expect(output.errors).toEqual([
      "Live tail is not available here (access denied to logs:StartLiveTail (User is not authorized to perform: logs:StartLiveTail). Use a role that allows it, e.g. the account's administrator or read-only role.); polling every 2s instead.",
    ]);
  });
});
