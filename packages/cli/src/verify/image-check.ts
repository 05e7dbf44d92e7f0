import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  Task,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ExpectedContainer, imageReferences, StageTemplate } from './stage-template';

/** Whether one service runs, in every task, the images its task definition in the stage's template names. */
export interface ServiceImageCheck {
  readonly service: string;
  readonly ok: boolean;
  /** One line: what runs, or what is wrong. */
  readonly detail: string;
  /**
   * The containers of the template's task definition that the service's tasks run.
   * @default - the service's tasks could not be matched to the template
   */
  readonly containers?: readonly ExpectedContainer[];
  /**
   * The task definition as DescribeTaskDefinition answered, when the check read it (a service asleep by schedule):
   * the night start reuses it instead of asking again.
   * @default - not read
   */
  readonly taskDefinition?: TaskDefinition;
}

/** DescribeTasks takes at most 100 tasks per call. */
const DESCRIBE_TASKS_BATCH = 100;

/**
 * Prove a service runs what this pipeline run built: every RUNNING task of the
 * service belongs to a task definition family the stage's template defines, and
 * each of its containers runs the image that template names (for an image
 * asset, the tag is the asset's content hash) with the digest ECS resolved for
 * it, one digest per container across all tasks.
 *
 * The CDK bootstrap's asset repository makes tags immutable, so the tag pins
 * the digest: the digest printed is the image this run published.
 */
export async function checkServiceImages(
  ecs: ECSClient,
  cluster: string,
  service: string,
  stage: StageTemplate,
): Promise<ServiceImageCheck> {
  // ListTasks filters on the desired status: tasks ECS is still starting (PROVISIONING, PENDING, ACTIVATING: a
  // scale-out, a replacement) are listed too, and report no image digest until they run. Only running tasks are
  // judged; the others are counted.
  const listed = await tasksToRun(ecs, cluster, service);
  const tasks = listed.filter((task) => task.lastStatus === 'RUNNING');
  const starting = listed.length - tasks.length;
  if (tasks.length === 0) {
    return {
      service,
      ok: false,
      detail: `no RUNNING tasks to check${starting > 0 ? ` (${starting} still starting)` : ''}`,
    };
  }
  const definitions = [...new Set(tasks.map((task) => task.taskDefinitionArn ?? 'unknown'))];
  if (definitions.length > 1) {
    return {
      service,
      ok: false,
      detail: `tasks run ${definitions.length} task definitions (${definitions.map(shortDefinition).join(', ')}): an older deployment still runs`,
    };
  }
  const definition = shortDefinition(definitions[0]);
  const family = definition.split(':')[0];
  const expected = stage.families.get(family);
  if (!expected) {
    return {
      service,
      ok: false,
      detail: `runs task definition ${definition}, whose family ${stage.file} does not define: not what this pipeline run deployed`,
    };
  }
  const matched = checkTaskImages(tasks, expected);
  if (!matched.ok) return { service, ok: false, detail: matched.detail };
  return {
    service,
    ok: true,
    detail:
      `${tasks.length} task${tasks.length === 1 ? '' : 's'} of ${definition} run ${matched.detail}` +
      (starting > 0 ? `; ${starting} more starting, not checked` : ''),
    containers: expected,
  };
}

/** Whether tasks run a template's containers: `detail` says what runs, or what is wrong. */
export interface TaskImagesMatch {
  readonly ok: boolean;
  /** What runs (`backend 3f9a1c2b7d4e… (sha256:b00000000000…)`), or what is wrong. */
  readonly detail: string;
}

/**
 * Whether each RUNNING task runs, in each of the template's containers, the image the template names (by tag, or by
 * digest when pinned), with one digest per container across the tasks. An image asset must report its digest; a
 * registry image named by tag may not.
 */
export function checkTaskImages(tasks: readonly Task[], expected: readonly ExpectedContainer[]): TaskImagesMatch {
  const seen: string[] = [];
  for (const container of expected) {
    const digests = new Set<string>();
    for (const task of tasks) {
      const running = task.containers?.find((candidate) => candidate.name === container.name);
      if (!running) {
        return { ok: false, detail: `task ${taskId(task)} has no container ${container.name}` };
      }
      if (!running.image || !imageReferences(running.image).includes(container.reference)) {
        return {
          ok: false,
          detail: `container ${container.name} of task ${taskId(task)} runs ${running.image ?? 'an unknown image'}, not ${container.image}`,
        };
      }
      if (!running.imageDigest) {
        // A registry image named by tag is checked by its tag: ECS may report no digest for it.
        if (!container.asset) continue;
        return { ok: false, detail: `container ${container.name} of task ${taskId(task)} reports no image digest yet` };
      }
      digests.add(running.imageDigest);
    }
    if (digests.size > 1) {
      return {
        ok: false,
        detail: `container ${container.name} runs ${digests.size} different digests of ${short(container.reference)}: ${[...digests].join(', ')}`,
      };
    }
    if (container.asset) {
      seen.push(`${container.name} ${short(container.reference)} (${short([...digests][0])})`);
    } else {
      // Not built by this run: the template names it, and only a digest reference pins what a tag may point to.
      const digest = digests.size === 1 ? `, ${short([...digests][0])}` : '';
      seen.push(`${container.name} ${short(container.image)} (a registry image, as the template names it${digest})`);
    }
  }
  return { ok: true, detail: seen.join(', ') };
}

/**
 * Prove a service with no tasks (asleep by schedule) will start what this pipeline run built: the task definition its
 * primary deployment names belongs to a family the stage's template defines, and each of its containers names the
 * image the template names. For an image asset the tag is the asset's content hash in a repository whose tags are
 * immutable, so it pins the digest the tasks will pull when the service wakes; no task runs to report the digest.
 */
export async function checkTaskDefinitionImages(
  ecs: ECSClient,
  service: string,
  taskDefinitionArn: string | undefined,
  stage: StageTemplate,
): Promise<ServiceImageCheck> {
  if (taskDefinitionArn === undefined) {
    return { service, ok: false, detail: 'has no tasks and no primary deployment naming a task definition' };
  }
  const definition = shortDefinition(taskDefinitionArn);
  const family = definition.split(':')[0];
  const expected = stage.families.get(family);
  if (!expected) {
    return {
      service,
      ok: false,
      detail: `will start task definition ${definition}, whose family ${stage.file} does not define: not what this pipeline run deployed`,
    };
  }
  const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }));
  const containers = taskDefinition?.containerDefinitions ?? [];
  const named: string[] = [];
  for (const container of expected) {
    const defined = containers.find((candidate) => candidate.name === container.name);
    if (!defined?.image || !imageReferences(defined.image).includes(container.reference)) {
      return {
        service,
        ok: false,
        detail: `task definition ${definition} names ${defined?.image ?? 'no image'} for container ${container.name}, not ${container.image}`,
      };
    }
    named.push(`${container.name} ${short(container.asset ? container.reference : container.image)}`);
  }
  return {
    service,
    ok: true,
    detail: `task definition ${definition} names ${named.join(', ')}${expected.every((container) => container.asset) ? " (this run's builds)" : ''}`,
    containers: expected,
    taskDefinition,
  };
}

/** The service's tasks whose desired status is RUNNING, described. */
async function tasksToRun(ecs: ECSClient, cluster: string, service: string): Promise<Task[]> {
  const taskArns: string[] = [];
  let nextToken: string | undefined;
  do {
    const listed = await ecs.send(
      new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING', nextToken }),
    );
    taskArns.push(...(listed.taskArns ?? []));
    nextToken = listed.nextToken;
  } while (nextToken);
  const tasks: Task[] = [];
  for (let start = 0; start < taskArns.length; start += DESCRIBE_TASKS_BATCH) {
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: taskArns.slice(start, start + DESCRIBE_TASKS_BATCH) }),
    );
    tasks.push(...(described.tasks ?? []));
  }
  return tasks;
}

/** `arn:...:task-definition/backend:12` → `backend:12`. */
export function shortDefinition(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

function taskId(task: Task): string {
  return task.taskArn?.split('/').pop() ?? 'unknown';
}

/** A 64-hex tag or a `sha256:` digest, cut to what a person compares. */
function short(reference: string): string {
  return reference.replace(/^(sha256:)?([0-9a-f]{12})[0-9a-f]{52}$/, '$1$2…');
}
