import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  StartLiveTailCommand,
  StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ExitCode, UsageError } from '../../src/command';
import { createLogsCommand } from '../../src/service-logs/logs-command';
import { deployment, FakeClock, RecordedOutput, service } from '../fakes';

const ecsMock = mockClient(ECSClient);
const logsMock = mockClient(CloudWatchLogsClient);
beforeEach(() => {
  ecsMock.reset();
  logsMock.reset();
});

const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111111111111:cluster/dev-cluster';
const BACKEND = 'shop-dev-BackendService10C26BD4-a1B2c3D4e5F6';
const GROUP = 'shop-dev-BackendLogs1A2B3C-XyZ';

function givenDevBackend(): void {
  ecsMock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER_ARN] });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [
      { clusterArn: CLUSTER_ARN, clusterName: 'dev-cluster', tags: [{ key: 'slipway:environment', value: 'dev' }] },
    ],
  });
  ecsMock
    .on(ListServicesCommand)
    .resolves({ serviceArns: [`${CLUSTER_ARN.replace(':cluster/', ':service/')}/${BACKEND}`] });
  ecsMock
    .on(DescribeServicesCommand)
    .resolves({ services: [service(BACKEND, [deployment({ family: 'backend', revision: 7 })])] });
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/backend:7',
      containerDefinitions: [
        {
          name: 'backend',
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': GROUP, 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'backend' },
          },
        },
      ],
    },
  });
}

const PINO_LINE = '{"level":"info","time":"2024-05-01T11:59:00.000Z","requestId":"r-1","msg":"request completed"}';

function setup() {
  const output = new RecordedOutput();
  const clock = new FakeClock();
  const regions: string[] = [];
  const command = createLogsCommand({
    output,
    clock,
    ecsClient: (region) => new ECSClient({ region: region ?? 'eu-west-1' }),
    logsClient: (region) => {
      regions.push(region);
      return new CloudWatchLogsClient({ region });
    },
  });
  return { output, clock, command, regions };
}

describe('slipway logs', () => {
  test("prints the service's log lines readable, from --since ago, with the filter pattern", async () => {
    givenDevBackend();
    logsMock.on(FilterLogEventsCommand).resolves({
      events: [
        { eventId: '1', timestamp: 1, message: PINO_LINE, logStreamName: 'backend/backend/abc' },
        {
          eventId: '2',
          timestamp: 2,
          message: 'node:internal/modules/cjs/loader:1210',
          logStreamName: 'backend/backend/abc',
        },
      ],
    });
    const { output, clock, command, regions } = setup();
    const code = await command.run(['--env', 'dev', '--service', 'backend', '--since', '2h', '--filter', 'request']);
    expect(code).toBe(ExitCode.OK);
    expect(output.errors).toEqual([`${BACKEND} (backend:7, container backend): log group ${GROUP} in eu-west-1`]);
    expect(output.lines.filter((line) => !output.errors.includes(line))).toEqual([
      '2024-05-01T11:59:00.000Z INFO  [r-1] request completed',
      'node:internal/modules/cjs/loader:1210',
    ]);
    expect(logsMock.commandCalls(FilterLogEventsCommand)[0].args[0].input).toMatchObject({
      logGroupName: GROUP,
      logStreamNamePrefix: 'backend/backend/',
      startTime: clock.time - 2 * 3_600_000,
      filterPattern: 'request',
    });
    expect(regions).toEqual(['eu-west-1']);
  });

  test('--json prints the lines raw', async () => {
    givenDevBackend();
    logsMock.on(FilterLogEventsCommand).resolves({ events: [{ eventId: '1', timestamp: 1, message: PINO_LINE }] });
    const { output, command } = setup();
    expect(await command.run(['--env', 'dev', '--service', 'backend', '--json'])).toBe(ExitCode.OK);
    expect(output.lines.filter((line) => !output.errors.includes(line))).toEqual([PINO_LINE]);
  });

  test('--follow prints the history, then the live tail stream', async () => {
    givenDevBackend();
    logsMock.on(FilterLogEventsCommand).resolves({ events: [{ eventId: '1', timestamp: 1, message: 'old' }] });
    async function* stream(): AsyncGenerator<StartLiveTailResponseStream> {
      yield { sessionStart: { sessionId: 's' } };
      yield { sessionUpdate: { sessionResults: [{ timestamp: 2, message: 'new' }] } };
    }
    logsMock.on(StartLiveTailCommand).resolves({ responseStream: stream() });
    const { output, command } = setup();
    expect(await command.run(['--env', 'dev', '--service', 'backend', '--follow'])).toBe(ExitCode.OK);
    expect(output.lines.filter((line) => !output.errors.includes(line))).toEqual(['old', 'new']);
  });

  test('an environment without a cluster is one line and exit 1', async () => {
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [] });
    const { output, command } = setup();
    expect(await command.run(['--env', 'staging', '--service', 'backend'])).toBe(ExitCode.FAILED);
    expect(output.errors).toHaveLength(1);
    expect(output.errors[0]).toMatch(
      /^✖ Could not find the logs of backend: No ECS cluster tagged slipway:environment=staging/,
    );
  });

  test('AccessDenied on the log group is one line naming the permission, no stack trace', async () => {
    givenDevBackend();
    logsMock.on(FilterLogEventsCommand).rejects(
      Object.assign(
        new Error(
          'User: arn:aws:sts::111111111111:assumed-role/ReadOnly/me is not authorized to perform: logs:FilterLogEvents',
        ),
        {
          name: 'AccessDeniedException',
          $metadata: {},
        },
      ),
    );
    const { output, command } = setup();
    expect(await command.run(['--env', 'dev', '--service', 'backend'])).toBe(ExitCode.FAILED);
    expect(output.errors.at(-1)).toMatch(
      new RegExp(
        `^✖ Could not read log group ${GROUP}: access denied to logs:FilterLogEvents and logs:StartLiveTail \\(User: .*\\)\\. Use a role that allows it`,
      ),
    );
    expect(output.text).not.toMatch(/\n\s+at /);
  });

  test.each([
    [['--env', 'dev'], /--service is required/],
    [['--service', 'backend'], /--env is required/],
    [['--env', 'dev', '--service', 'backend', '--since', '1w'], /--since must be a positive number/],
  ])('wrong usage %j', async (argv, message) => {
    const { command } = setup();
    await expect(command.run(argv)).rejects.toThrow(UsageError);
    await expect(command.run(argv)).rejects.toThrow(message);
  });
});
