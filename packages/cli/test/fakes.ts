import { Deployment, Service } from '@aws-sdk/client-ecs';
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
