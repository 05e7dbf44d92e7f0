import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  paginateListTaskDefinitions,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { IMAGE_REVISION_LABEL } from '@slipway/constructs/lib/contract';
import { countOption, ENVIRONMENT_FLAGS, parseCommandLine } from '../args';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../command';
import { describeServices, environmentReadError, findEnvironmentServices, listServiceNames } from '../ecs/discovery';
import { createEcsClient } from '../ecs/ecs-client';

/** What the images command talks to; tests replace the output. */
export interface ImagesCommandDependencies {
  /** @default - a real ECS client for the region */
  readonly ecsClient?: (region: string | undefined) => ECSClient;
  /** @default - the process's stdout and stderr */
  readonly output?: CommandOutput;
}

const DEFAULT_LIMIT = 10;

const USAGE = `usage: slipway images --env <name> [--service <name>] [--commit <commit>] [--limit <count, default ${DEFAULT_LIMIT}>]
                      [--region <region>] [--cluster <name>]

Lists each service's latest task definition revisions, newest first: the commit its image was
built from (the container's ${IMAGE_REVISION_LABEL} label), the image, when it
was registered, and which revision the service runs (→). Slipway keeps replaced revisions
ACTIVE, so any of them can be put back on its service.

With --commit (at least 7 characters of a commit) it lists only that commit's revisions and
prints the one command that puts such a revision back on its service: the way to roll back
when the pipeline cannot run. Exits 1 when no revision within --limit has that commit.`;

/** One task definition revision of a service, as the command shows it. */
export interface ImageRevision {
  /** `backend:12` */
  readonly name: string;
  readonly revision: number;
  /** The image's commit, from the container's label; undefined when the revision has none. */
  readonly commit?: string;
  /** The container's image reference. */
  readonly image: string;
  readonly registeredAt?: Date;
}

/** `slipway images`: which release is which commit, and how to put one back. */
export function createImagesCommand(dependencies: ImagesCommandDependencies = {}): SlipwayCommand {
  const output = dependencies.output ?? processOutput;
  const ecsClient = dependencies.ecsClient ?? createEcsClient;
  return {
    name: 'images',
    summary:
      "List each service's task definition revisions with the commit of their image; find a commit's and put it back",
    run: async (argv) => {
      const values = parseCommandLine(
        argv,
        { ...ENVIRONMENT_FLAGS, service: { type: 'string' }, commit: { type: 'string' }, limit: { type: 'string' } },
        USAGE,
        output,
      );
      if (!values) return ExitCode.OK;
      if (!values.env) throw new UsageError(`--env is required.\n\n${USAGE}`);
      const limit = countOption(values.limit, '--limit', DEFAULT_LIMIT, 1);
      const commit = values.commit?.trim().toLowerCase();
      if (commit !== undefined && !/^[0-9a-f]{7,40}$/.test(commit)) {
        throw new UsageError(
          `--commit must be 7 to 40 hexadecimal characters of a commit id (git log --format=%h); got "${values.commit}".`,
        );
      }

      const ecs = ecsClient(values.region);
      try {
        const cluster = values.cluster ?? (await findEnvironmentServices(ecs, values.env)).clusterName;
        const all = await appServices(ecs, cluster, await listServiceNames(ecs, cluster));
        const apps =
          values.service === undefined
            ? all
            : all.filter((app) => app.service === values.service || app.container === values.service);
        if (apps.length === 0 && values.service !== undefined) {
          throw new UsageError(
            `No service ${values.service} in cluster ${cluster}; its services are ${all.map((app) => app.container).join(', ') || '(none)'}.`,
          );
        }
        const region = await ecs.config.region();
        output.info(`Environment ${values.env}: ECS cluster ${cluster} in ${region}`);
        let found = 0;
        for (const app of apps) {
          const revisions = await latestRevisions(ecs, app, limit);
          const shown = commit ? revisions.filter((revision) => revision.commit?.startsWith(commit)) : revisions;
          found += shown.length;
          output.info('');
          output.info(
            `${app.container} (service ${app.service}) runs ${app.running}${describeCommit(revisions, app.running)}`,
          );
          if (shown.length === 0) {
            output.info(
              commit
                ? `  no revision of commit ${commit} among its latest ${revisions.length}`
                : '  no ACTIVE revision found',
            );
            continue;
          }
          for (const line of formatRevisions(shown, app.running)) output.info(`  ${line}`);
          if (commit) {
            for (const line of rollbackAdvice(app, cluster, region, shown)) output.info(`  ${line}`);
          }
        }
        if (commit && found === 0) {
          output.error(
            `✖ No revision within the latest ${limit} of ${apps.map((app) => app.container).join(', ')} has commit ${commit}. ` +
              'A commit that did not change an image has no revision of its own (git log -- <the image folder> names the one before it); ' +
              'pass --limit to look further back.',
          );
          return ExitCode.FAILED;
        }
        return ExitCode.OK;
      } catch (error) {
        if (error instanceof UsageError) throw error;
        output.error(environmentReadError(values.env, error));
        return ExitCode.FAILED;
      }
    },
  };
}

/** One service of the environment, as the app names it and as ECS does. */
interface AppService {
  /** The ECS service's name (CloudFormation makes it up: `ProdApp-BackendService…`). */
  readonly service: string;
  /** The app's container, named as the app names the service (`backend`); `--service` takes either name. */
  readonly container: string;
  /** The task definition family (`ProdAppBackendTaskDefinition81E913F5`). */
  readonly family: string;
  /** The revision the service runs, `family:revision`. */
  readonly running: string;
  /** That revision, as DescribeTaskDefinition answered: the list of revisions does not ask for it again. */
  readonly runningDefinition?: TaskDefinition;
}

/**
 * The services and their app containers, read from the revision each runs. The constructs name the container after
 * the app's service and put it first; the ECS service and the family get names CloudFormation makes up.
 */
async function appServices(ecs: ECSClient, cluster: string, names: readonly string[]): Promise<AppService[]> {
  const apps: AppService[] = [];
  for (const service of await describeServices(ecs, cluster, names)) {
    if (!service.taskDefinition || !service.serviceName) continue;
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
    );
    const container = taskDefinition?.containerDefinitions?.[0]?.name ?? service.serviceName;
    const running = service.taskDefinition.split('/').pop()!;
    apps.push({
      service: service.serviceName,
      container,
      family: running.split(':')[0],
      running,
      runningDefinition: taskDefinition,
    });
  }
  return apps;
}

/**
 * The newest `limit` ACTIVE revisions of `family`, described. ECS documents `familyPrefix` as the full family name;
 * only that exact family is kept all the same, so a looser answer could not show another family's revisions.
 */
async function latestRevisions(ecs: ECSClient, app: AppService, limit: number): Promise<ImageRevision[]> {
  const { family, container } = app;
  const arns: string[] = [];
  for await (const page of paginateListTaskDefinitions(
    { client: ecs },
    { familyPrefix: family, status: 'ACTIVE', sort: 'DESC' },
  )) {
    arns.push(...(page.taskDefinitionArns ?? []).filter((arn) => arn.split('/').pop()?.split(':')[0] === family));
    if (arns.length >= limit) break;
  }
  const revisions: ImageRevision[] = [];
  for (const arn of arns.slice(0, limit)) {
    const taskDefinition =
      arn.endsWith(`/${app.running}`) && app.runningDefinition
        ? app.runningDefinition
        : (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition;
    const definitions = taskDefinition?.containerDefinitions ?? [];
    const appContainer = definitions.find((definition) => definition.name === container) ?? definitions[0];
    revisions.push({
      name: `${family}:${taskDefinition?.revision ?? arn.split(':').pop()}`,
      revision: taskDefinition?.revision ?? Number(arn.split(':').pop()),
      commit: appContainer?.dockerLabels?.[IMAGE_REVISION_LABEL]?.toLowerCase(),
      image: appContainer?.image ?? '?',
      registeredAt: taskDefinition?.registeredAt,
    });
  }
  return revisions;
}

function describeCommit(revisions: readonly ImageRevision[], running: string | undefined): string {
  const current = revisions.find((revision) => revision.name === running);
  if (!current) return '';
  return current.commit ? ` (commit ${shortCommit(current.commit)})` : ' (no commit recorded)';
}

/** One row per revision, columns padded; the revision the service runs is marked →. */
export function formatRevisions(revisions: readonly ImageRevision[], running: string | undefined): string[] {
  const header = ['', 'REVISION', 'COMMIT', 'REGISTERED', 'IMAGE'];
  const rows = revisions.map((revision) => [
    revision.name === running ? '→' : ' ',
    revision.name,
    revision.commit ? shortCommit(revision.commit) : '-',
    revision.registeredAt
      ? revision.registeredAt
          .toISOString()
          .replace(/:\d\d\.\d{3}Z$/, 'Z')
          .replace('T', ' ')
      : '?',
    shortImage(revision.image),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * How to put the newest revision of the commit back: one `aws ecs update-service`, and what follows from it. The
 * service's own deployment strategy and alarms apply. The stack still names the newer revision, and CloudFormation's
 * ECS handler sends every property on any update of the service, so any deploy that touches it (an image, a setting,
 * a tag) puts that revision back; and verify, which checks the service against the template, fails on it until then.
 */
function rollbackAdvice(app: AppService, cluster: string, region: string, matches: readonly ImageRevision[]): string[] {
  if (matches.some((revision) => revision.name === app.running)) {
    return [`✔ ${app.container} runs this commit already.`];
  }
  const target = matches[0];
  return [
    `To put ${target.name} back on ${app.container} (its deployment strategy, alarms and circuit breaker apply):`,
    `    aws ecs update-service --cluster ${cluster} --service ${app.service} --task-definition ${target.name} --region ${region}`,
    '  Then push the revert (git revert <the bad commit>) before any other change to this service: the stack still',
    '  names the newer revision, so any deploy that updates the service (its image, a setting, a tag) puts it back,',
    "  and the pipeline's verify fails on this service, which no longer runs what the template names, until then.",
  ];
}

function shortCommit(commit: string): string {
  return commit.replace(/^([0-9a-f]{12})[0-9a-f]*/, '$1');
}

/** An ECR image by tag: the repository's last path segment and the first 12 characters of a content-hash tag. */
function shortImage(image: string): string {
  const name = image.split('/').pop() ?? image;
  return name.replace(/([:@](?:sha256:)?[0-9a-f]{12})[0-9a-f]{20,}$/, '$1…');
}
