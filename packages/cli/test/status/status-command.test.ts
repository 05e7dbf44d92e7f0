import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ExitCode, UsageError } from '../../src/command';
import { createStatusCommand } from '../../src/status/status-command';
import { deployment, RecordedOutput, service } from '../fakes';

const ecsMock = mockClient(ECSClient);
beforeEach(() => ecsMock.reset());

function setup() {
  const output = new RecordedOutput();
  const regions: (string | undefined)[] = [];
  const command = createStatusCommand({
    output,
    ecsClient: (region) => {
      regions.push(region);
      return new ECSClient({ region: region ?? 'eu-west-1' });
    },
  });
  return { output, command, regions };
}

function givenProdCluster() {
  ecsMock
    .on(ListClustersCommand)
    .resolves({ clusterArns: ['arn:aws:ecs:eu-west-1:222222222222:cluster/prod-cluster'] });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: [
      {
        clusterArn: 'arn:aws:ecs:eu-west-1:222222222222:cluster/prod-cluster',
        clusterName: 'prod-cluster',
        tags: [{ key: 'slipway:environment', value: 'prod' }],
      },
    ],
  });
  ecsMock.on(ListServicesCommand).resolves({
    serviceArns: [
      'arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/frontend',
      'arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/backend',
    ],
  });
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      service('backend', [deployment({ revision: 14, desiredCount: 2, runningCount: 2 })], {
        events: [
          {
            id: '2',
            createdAt: new Date('2024-05-01T10:05:00Z'),
            message: '(service backend) has reached a steady state.',
          },
          {
            id: '1',
            createdAt: new Date('2024-05-01T10:00:00Z'),
            message: '(service backend) has started 1 tasks: (task abc).',
          },
        ],
      }),
      service(
        'frontend',
        [
          deployment({
            family: 'frontend',
            revision: 9,
            rolloutState: 'IN_PROGRESS',
            desiredCount: 2,
            runningCount: 1,
          }),
          deployment({ family: 'frontend', revision: 8, status: 'ACTIVE', desiredCount: 2, runningCount: 2 }),
        ],
        { pendingCount: 1 },
      ),
    ],
  });
}

test('shows every service of the tagged cluster with counts, rollout state and latest events', async () => {
  // GIVEN
  givenProdCluster();
  const { command, output, regions } = setup();
  // WHEN
  const code = await command.run(['--env', 'prod', '--region', 'eu-west-1', '--events', '1']);
  // THEN
  expect(code).toBe(ExitCode.OK);
  expect(regions).toEqual(['eu-west-1']);
  expect(output.lines).toEqual([
    'Environment prod: ECS cluster prod-cluster in eu-west-1',
    'SERVICE   RUNNING/DESIRED  PENDING  ROLLOUT      TASK DEFINITION  DEPLOYMENTS',
    'backend   2/2              0        COMPLETED    backend:14       1',
    'frontend  3/2              1        IN_PROGRESS  frontend:9       2',
    '',
    'Latest events of backend:',
    '  2024-05-01T10:05:00.000Z  (service backend) has reached a steady state.',
    '',
    'Latest events of frontend:',
    '  (none)',
  ]);
  expect(ecsMock.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({
    cluster: 'prod-cluster',
    services: ['backend', 'frontend'],
  });
});

test('--cluster skips the tag lookup', async () => {
  givenProdCluster();
  const { command } = setup();
  expect(await command.run(['--env', 'prod', '--cluster', 'prod-cluster', '--events', '0'])).toBe(ExitCode.OK);
  expect(ecsMock.commandCalls(ListClustersCommand)).toHaveLength(0);
});

test('two clusters with the same tag are ambiguous', async () => {
  ecsMock
    .on(ListClustersCommand)
    .resolves({ clusterArns: ['arn:aws:ecs:eu-west-1:1:cluster/a', 'arn:aws:ecs:eu-west-1:1:cluster/b'] });
  ecsMock.on(DescribeClustersCommand).resolves({
    clusters: ['a', 'b'].map((name) => ({
      clusterArn: `arn:aws:ecs:eu-west-1:1:cluster/${name}`,
      clusterName: name,
      tags: [{ key: 'slipway:environment', value: 'prod' }],
    })),
  });
  const { command, output } = setup();
  expect(await command.run(['--env', 'prod'])).toBe(ExitCode.FAILED);
  expect(output.errors[0]).toBe(
    '✖ Could not read environment prod: 2 ECS clusters in eu-west-1 are tagged slipway:environment=prod: a, b. Pass --cluster to choose one.',
  );
});

test('--env is required', async () => {
  const { command } = setup();
  await expect(command.run([])).rejects.toThrow(UsageError);
  await expect(command.run(['--env', 'prod', '--events', 'many'])).rejects.toThrow(
    /--events must be a whole number ≥ 0; got "many"/,
  );
});
