import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { findServiceLogSource, LogSourceError } from '../../src/service-logs/log-source';
import { deployment, service } from '../fakes';

const ecsMock = mockClient(ECSClient);
beforeEach(() => ecsMock.reset());

const BACKEND_SERVICE = 'shop-dev-BackendService10C26BD4-a1B2c3D4e5F6';
const FRONTEND_SERVICE = 'shop-dev-FrontendServiceE3ABA99B-f6E5d4C3b2A1';
const DEFINITION_ARN = 'arn:aws:ecs:eu-west-1:111111111111:task-definition';

/** A task definition as DescribeTaskDefinition returns what Slipway's services synthesize (awslogs, stream prefix = service name). */
function taskDefinition(family: string, container: string, logOptions?: Record<string, string>): TaskDefinition {
  return {
    taskDefinitionArn: `${DEFINITION_ARN}/${family}:3`,
    family,
    revision: 3,
    containerDefinitions: [
      {
        name: container,
        image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/cdk-hnb659fds-container-assets:abc',
        logConfiguration: logOptions
          ? { logDriver: 'awslogs', options: logOptions }
          : { logDriver: 'splunk', options: { 'splunk-url': 'https://splunk' } },
      },
    ],
  };
}

/** @param backendLogs the backend's awslogs options; null: it logs with another driver */
function givenTwoServices(backendLogs: Record<string, string> | null = defaultLogs('backend')) {
  ecsMock.on(ListServicesCommand).resolves({
    serviceArns: [
      `arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/${BACKEND_SERVICE}`,
      `arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/${FRONTEND_SERVICE}`,
    ],
  });
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [
      service(BACKEND_SERVICE, [deployment({ family: 'shopdevBackendTaskDefinition', revision: 3 })]),
      service(FRONTEND_SERVICE, [deployment({ family: 'shopdevFrontendTaskDefinition', revision: 3 })]),
    ],
  });
  ecsMock
    .on(DescribeTaskDefinitionCommand, { taskDefinition: `${DEFINITION_ARN}/shopdevBackendTaskDefinition:3` })
    .resolves({ taskDefinition: taskDefinition('shopdevBackendTaskDefinition', 'backend', backendLogs ?? undefined) });
  ecsMock
    .on(DescribeTaskDefinitionCommand, { taskDefinition: `${DEFINITION_ARN}/shopdevFrontendTaskDefinition:3` })
    .resolves({ taskDefinition: taskDefinition('shopdevFrontendTaskDefinition', 'frontend', defaultLogs('frontend')) });
}

function defaultLogs(prefix: string): Record<string, string> {
  return {
    'awslogs-group': `shop-dev-${prefix}Logs1A2B3C-XyZ`,
    'awslogs-region': 'eu-west-1',
    'awslogs-stream-prefix': prefix,
    mode: 'non-blocking',
  };
}

describe('findServiceLogSource', () => {
  test("finds the service by its container's name (the settings' service name) and reads the awslogs options", async () => {
    givenTwoServices();
    const source = await findServiceLogSource(new ECSClient({ region: 'eu-west-1' }), 'dev-cluster', 'frontend');
    expect(source).toEqual({
      serviceName: FRONTEND_SERVICE,
      containerName: 'frontend',
      taskDefinition: 'shopdevFrontendTaskDefinition:3',
      logGroupName: 'shop-dev-frontendLogs1A2B3C-XyZ',
      logGroupArn: 'arn:aws:logs:eu-west-1:111111111111:log-group:shop-dev-frontendLogs1A2B3C-XyZ',
      region: 'eu-west-1',
      // awslogs names streams prefix/container/task-id
      streamPrefix: 'frontend/frontend/',
    });
  });

  test('finds the service by its ECS name too', async () => {
    givenTwoServices();
    const source = await findServiceLogSource(new ECSClient({ region: 'eu-west-1' }), 'dev-cluster', BACKEND_SERVICE);
    expect(source.containerName).toBe('backend');
    expect(source.logGroupName).toBe('shop-dev-backendLogs1A2B3C-XyZ');
  });

  test('without a stream prefix every stream of the group is read', async () => {
    givenTwoServices({ 'awslogs-group': '/ecs/backend', 'awslogs-region': 'eu-west-1' });
    const source = await findServiceLogSource(new ECSClient({ region: 'eu-west-1' }), 'dev-cluster', 'backend');
    expect(source.streamPrefix).toBeUndefined();
  });

  test('says which services there are when none matches', async () => {
    givenTwoServices();
    await expect(findServiceLogSource(new ECSClient({ region: 'eu-west-1' }), 'dev-cluster', 'worker')).rejects.toThrow(
      `No service worker in cluster dev-cluster: no ECS service of that name and no container named so in the services' task definitions (services: ${BACKEND_SERVICE}, ${FRONTEND_SERVICE}).`,
    );
  });

  test('fails clearly when the container does not log to CloudWatch', async () => {
    givenTwoServices(null);
    await expect(
      findServiceLogSource(new ECSClient({ region: 'eu-west-1' }), 'dev-cluster', 'backend'),
    ).rejects.toThrow(
      new LogSourceError(
        'Container backend of shopdevBackendTaskDefinition:3 does not log with the awslogs driver (splunk): there is no CloudWatch log group to read.',
      ),
    );
  });
});
