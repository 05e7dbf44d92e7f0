import { MIGRATION_HANDLER_SOURCE } from '../../src/data/migration-handler';

/**
 * Runs the function's inline source with an ECS client and an https module that answer like the documented APIs:
 * RunTask returns `tasks[].taskArn`, DescribeTasks `tasks[].lastStatus` / `containers[].exitCode`; CloudFormation
 * reads the response that the function PUTs to the pre-signed ResponseURL.
 */
function handlerWith(describe: (call: number) => unknown) {
  const sent: any[] = [];
  const responses: any[] = [];
  let describeCalls = 0;
  class Command {
    constructor(public readonly input: any) {}
  }
  class RunTaskCommand extends Command {}
  class DescribeTasksCommand extends Command {}
  const ecs = {
    ECSClient: class {
      async send(command: Command) {
        sent.push(command);
        if (command instanceof RunTaskCommand) {
          return { tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:111111111111:task/c/abc' }], failures: [] };
        }
        describeCalls += 1;
        return describe(describeCalls);
      }
    },
    RunTaskCommand,
    DescribeTasksCommand,
  };
  const https = {
    request(url: string, options: any, callback: (response: any) => void) {
      return {
        on() {},
        end(body: string) {
          responses.push({ url, method: options.method, body: JSON.parse(body) });
          callback({ resume() {}, on: (_event: string, done: () => void) => done() });
        },
      };
    },
  };
  const module = { exports: {} as any };
  const fakeRequire = (name: string) => ({ '@aws-sdk/client-ecs': ecs, https })[name];
  const fakeProcess = { env: { POLL_MS: '1' } };
  const quiet = { log() {}, error() {} };
  new Function('require', 'exports', 'process', 'console', MIGRATION_HANDLER_SOURCE)(
    fakeRequire,
    module.exports,
    fakeProcess,
    quiet,
  );
  return { handler: module.exports.handler as (event: any, context: any) => Promise<void>, sent, responses };
}

const event = (requestType: string) => ({
  RequestType: requestType,
  ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/x',
  StackId: 'stack',
  RequestId: 'request',
  LogicalResourceId: 'BackendMigration',
  ResourceProperties: {
    Cluster: 'arn:aws:ecs:eu-west-1:111111111111:cluster/c',
    TaskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/backend:7',
    ContainerName: 'backend',
    Command: ['node', 'dist/migrate.js', 'up'],
    Subnets: ['subnet-1'],
    SecurityGroups: ['sg-1'],
  },
});
const context = { getRemainingTimeInMillis: () => 600_000 };
const stopped = (exitCode: number) => ({
  tasks: [
    {
      lastStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'backend', exitCode }],
    },
  ],
});

describe('the migration function', () => {
  test('GIVEN a migration that exits 0 WHEN CloudFormation creates or updates THEN it runs one task with the command and reports SUCCESS', async () => {
    const { handler, sent, responses } = handlerWith((call) =>
      call < 2 ? { tasks: [{ lastStatus: 'RUNNING' }] } : stopped(0),
    );
    await handler(event('Update'), context);
    expect(sent[0].input).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-1:111111111111:cluster/c',
      taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/backend:7',
      launchType: 'FARGATE',
      count: 1,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' },
      },
      overrides: { containerOverrides: [{ name: 'backend', command: ['node', 'dist/migrate.js', 'up'] }] },
    });
    expect(sent.filter((command) => command.constructor.name === 'RunTaskCommand')).toHaveLength(1);
    expect(responses).toEqual([
      expect.objectContaining({
        method: 'PUT',
        body: expect.objectContaining({
          Status: 'SUCCESS',
          PhysicalResourceId: 'database-migration',
          RequestId: 'request',
        }),
      }),
    ]);
  });

  test('GIVEN a migration that exits 1 WHEN run THEN it reports FAILED with the exit code, so the deploy stops before the service update', async () => {
    const { handler, responses } = handlerWith(() => stopped(1));
    await handler(event('Create'), context);
    expect(responses[0].body.Status).toBe('FAILED');
    expect(responses[0].body.Reason).toMatch(/exit code 1/);
  });

  test('GIVEN a migration still running when time is up WHEN run THEN it reports FAILED instead of letting CloudFormation wait an hour', async () => {
    const { handler, responses } = handlerWith(() => ({ tasks: [{ lastStatus: 'RUNNING' }] }));
    let remaining = 60_000;
    await handler(event('Create'), { getRemainingTimeInMillis: () => (remaining -= 10_000) });
    expect(responses[0].body.Status).toBe('FAILED');
    expect(responses[0].body.Reason).toMatch(/still running/);
  });

  test('GIVEN a delete WHEN run THEN it starts nothing and reports SUCCESS', async () => {
    const { handler, sent, responses } = handlerWith(() => stopped(0));
    await handler(event('Delete'), context);
    expect(sent).toHaveLength(0);
    expect(responses[0].body.Status).toBe('SUCCESS');
  });
});
