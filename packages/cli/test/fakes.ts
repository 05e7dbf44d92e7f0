import { Deployment, DeploymentConfiguration, Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import { Clock } from '../src/clock';
import { CommandOutput } from '../src/command';

/** A clock whose sleeps advance time instantly, so bounded waits run in microseconds. */
export class FakeClock implements Clock {
  public time = Date.UTC(2024, 4, 1, 12, 0, 0);
  public readonly sleeps: number[] = [];
  public now(): number {
    return this.time;
  }
  public async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** Output that remembers every line, for asserting what a person would read. */
export class RecordedOutput implements CommandOutput {
  public readonly lines: string[] = [];
  public readonly errors: string[] = [];
  public readonly info = (line: string): void => {
    this.lines.push(line);
  };
  public readonly error = (line: string): void => {
    this.lines.push(line);
    this.errors.push(line);
  };
  public get text(): string {
    return this.lines.join('\n');
  }
}

const TASK_DEFINITION_ARN = 'arn:aws:ecs:eu-west-1:111111111111:task-definition';

/** A deployment as DescribeServices returns it. */
export function deployment(overrides: Partial<Deployment> & { revision?: number; family?: string } = {}): Deployment {
  const { revision = 2, family = 'backend', ...rest } = overrides;
  return {
    id: `ecs-svc/${family}${revision}`,
    status: 'PRIMARY',
    taskDefinition: `${TASK_DEFINITION_ARN}/${family}:${revision}`,
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    rolloutStateReason: 'ECS deployment completed.',
    ...rest,
  };
}

/** A service as DescribeServices returns it. */
export function service(name: string, deployments: Deployment[], overrides: Partial<Service> = {}): Service {
  return {
    serviceName: name,
    serviceArn: `arn:aws:ecs:eu-west-1:111111111111:service/dev-cluster/${name}`,
    status: 'ACTIVE',
    desiredCount: deployments.find((d) => d.status === 'PRIMARY')?.desiredCount ?? 0,
    runningCount: deployments.reduce((sum, d) => sum + (d.runningCount ?? 0), 0),
    pendingCount: 0,
    deployments,
    events: [],
    ...overrides,
  };
}

/** The error the SDK throws when ECS throttles a call. */
export function throttlingError(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true } });
}

const SERVICE_DEPLOYMENT_ARN = 'arn:aws:ecs:eu-west-1:222222222222:service-deployment/prod-cluster';

/** A canary configuration as the ECS API returns it in DescribeServices and DescribeServiceDeployments. */
export function canaryConfiguration(overrides: Partial<DeploymentConfiguration> = {}): DeploymentConfiguration {
  return {
    strategy: 'CANARY',
    bakeTimeInMinutes: 10,
    canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    alarms: { alarmNames: ['prod-backend-5xx'], enable: true, rollback: true },
    ...overrides,
  };
}

/** A service deployment as DescribeServiceDeployments returns it (shape of the ECS API reference). */
export function serviceDeployment(
  overrides: Partial<ServiceDeployment> & { service?: string; id?: string } = {},
): ServiceDeployment {
  const { service: name = 'backend', id = 'r9x8w7', ...rest } = overrides;
  return {
    serviceDeploymentArn: `${SERVICE_DEPLOYMENT_ARN}/${name}/${id}`,
    serviceArn: `arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/${name}`,
    clusterArn: 'arn:aws:ecs:eu-west-1:222222222222:cluster/prod-cluster',
    createdAt: new Date('2024-05-01T11:50:00Z'),
    startedAt: new Date('2024-05-01T11:50:01Z'),
    updatedAt: new Date('2024-05-01T11:55:00Z'),
    sourceServiceRevisions: [
      {
        arn: `arn:aws:ecs:eu-west-1:222222222222:service-revision/prod-cluster/${name}/1`,
        requestedTaskCount: 2,
        runningTaskCount: 2,
        pendingTaskCount: 0,
      },
    ],
    targetServiceRevision: {
      arn: `arn:aws:ecs:eu-west-1:222222222222:service-revision/prod-cluster/${name}/2`,
      requestedTaskCount: 2,
      runningTaskCount: 2,
      pendingTaskCount: 0,
    },
    status: 'IN_PROGRESS',
    lifecycleStage: 'SCALE_UP',
    deploymentConfiguration: canaryConfiguration(),
    alarms: { status: 'MONITORING', alarmNames: ['prod-backend-5xx'], triggeredAlarmNames: [] },
    deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
    ...rest,
  };
}
