import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { followLogEvents, LogEvent, LogQuery } from '../../src/service-logs/log-reader';
import { FakeClock, RecordedOutput } from '../fakes';

// The real SDK client against a loopback server that answers StartLiveTail with event-stream frames as CloudWatch
// Logs sends them (application/vnd.amazon.eventstream: `event` messages, then maybe an `exception` message). Unlike
// a mocked `send`, this shows what the SDK's iterator does with each: events are yielded, exceptions thrown.

const GROUP_ARN = 'arn:aws:logs:eu-west-1:111111111111:log-group:shop-dev-backendLogs';
const query: LogQuery = {
  source: {
    serviceName: 'shop-dev-BackendService',
    containerName: 'backend',
    taskDefinition: 'backend:3',
    logGroupName: 'shop-dev-backendLogs',
    logGroupArn: GROUP_ARN,
    region: 'eu-west-1',
    streamPrefix: 'backend/backend/',
  },
  startTime: 1_000,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec(
  (bytes) => decoder.decode(bytes),
  (text) => encoder.encode(text),
);
const header = (value: string) => ({ type: 'string' as const, value });

/** One event-stream message: an `event` of a type (`sessionUpdate`) or an `exception` of a type, with a JSON body. */
function frame(kind: 'event' | 'exception', type: string, body: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': header(kind),
      [kind === 'event' ? ':event-type' : ':exception-type']: header(type),
      ':content-type': header('application/json'),
    },
    body: encoder.encode(JSON.stringify(body)),
  });
}

const eventFrame = (eventType: string, body: unknown) => frame('event', eventType, body);
const exceptionFrame = (exceptionType: string, message: string) => frame('exception', exceptionType, { message });

function update(message: string, timestamp: number): Uint8Array {
  return eventFrame('sessionUpdate', {
    sessionMetadata: { sampled: false },
    sessionResults: [{ logStreamName: 'backend/backend/0123', logGroupIdentifier: GROUP_ARN, message, timestamp }],
  });
}

/** Serves each StartLiveTail request with the next session's frames; records the requests' targets. */
async function liveTailServer(
  sessions: Uint8Array[][],
): Promise<{ server: Server; endpoint: string; targets: string[] }> {
  const targets: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    request.resume();
    request.on('end', () => {
      targets.push(String(request.headers['x-amz-target']));
      const frames = sessions.shift() ?? [];
      response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      for (const message of frames) response.write(message);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, targets };
}

function client(endpoint: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
    // StartLiveTail's endpoint has a `streaming-` host prefix, which a loopback address cannot take.
    disableHostPrefix: true,
    maxAttempts: 1,
  });
}

describe('followLogEvents against StartLiveTail event-stream frames', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  test('a session that ends with a SessionTimeoutException exception frame is followed by a new session', async () => {
    const started = eventFrame('sessionStart', { sessionId: 's1', logGroupIdentifiers: [GROUP_ARN] });
    const live = await liveTailServer([
      [started, update('before', 2_000), exceptionFrame('SessionTimeoutException', 'Session timed out')],
      [started, update('after', 9_000)],
    ]);
    server = live.server;
    const events: LogEvent[] = [];
    await followLogEvents(client(live.endpoint), query, 1_000, (event) => events.push(event), {
      clock: new FakeClock(),
      output: new RecordedOutput(),
      pollIntervalMs: 2_000,
    });
    expect(events.map((event) => event.message)).toEqual(['before', 'after']);
    expect(live.targets).toEqual(['Logs_20140328.StartLiveTail', 'Logs_20140328.StartLiveTail']);
  });

  test('a SessionStreamingException exception frame is an error for the caller', async () => {
    const live = await liveTailServer([
      [update('before', 2_000), exceptionFrame('SessionStreamingException', 'internal failure')],
    ]);
    server = live.server;
    const events: LogEvent[] = [];
    await expect(
      followLogEvents(client(live.endpoint), query, 1_000, (event) => events.push(event), {
        clock: new FakeClock(),
        output: new RecordedOutput(),
        pollIntervalMs: 2_000,
      }),
    ).rejects.toMatchObject({ name: 'SessionStreamingException', message: 'internal failure' });
    expect(events.map((event) => event.message)).toEqual(['before']);
  });
});
