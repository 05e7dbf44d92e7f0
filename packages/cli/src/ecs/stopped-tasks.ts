import { DescribeTasksCommand, ECSClient, ListTasksCommand, Task } from '@aws-sdk/client-ecs';

/**
 * Why the service's most recent tasks stopped, newest first, one line each:
 * the first thing to read when a rollout fails (image pull errors, failed
 * health checks, a container exiting on start). ECS keeps stopped tasks for
 * about an hour.
 */
export async function describeStoppedTasks(
  ecs: ECSClient,
  cluster: string,
  service: string,
  limit = 5,
): Promise<string[]> {
  const listed = await ecs.send(
    new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'STOPPED', maxResults: 100 }),
  );
  const taskArns = listed.taskArns ?? [];
  if (taskArns.length === 0) return [];
  const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }));
  return (described.tasks ?? [])
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .slice(0, limit)
    .map(formatStoppedTask);
}

/** `task 1a2b3c (backend:7) stopped 2024-05-01T10:00:00Z: Task failed ELB health checks; api: exit 1` */
export function formatStoppedTask(task: Task): string {
  const id = task.taskArn?.split('/').pop() ?? 'unknown';
  const definition = task.taskDefinitionArn?.split('/').pop() ?? 'unknown task definition';
  const when = task.stoppedAt ? ` ${task.stoppedAt.toISOString()}` : '';
  const containers = (task.containers ?? [])
    .filter(
      (container) => container.reason !== undefined || (container.exitCode !== undefined && container.exitCode !== 0),
    )
    .map((container) => {
      const exit = container.exitCode !== undefined ? `exit ${container.exitCode}` : '';
      const reason = container.reason ?? '';
      return `${container.name}: ${[exit, reason].filter(Boolean).join(', ')}`;
    });
  const reason = [task.stoppedReason ?? task.stopCode ?? 'no reason given', ...containers].join('; ');
  return `task ${id} (${definition}) stopped${when}: ${reason}`;
}
