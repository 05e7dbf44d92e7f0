import { DescribeTaskDefinitionCommand, ECSClient, paginateListTaskDefinitions, Service } from '@aws-sdk/client-ecs';
import { IMAGE_REVISION_LABEL } from '@slipway/constructs/lib/contract';
import { countOption, parseCommandLine } from '../args';
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
        {
          env: { type: 'string' },
          service: { type: 'string' },
          commit: { type: 'string' },
          limit: { type: 'string' },
          region: { type: 'string' },
          cluster: { type: 'string' },
        },
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
        const names = await listServiceNames(ecs, cluster);
        if (values.service !== undefined && !names.includes(values.service)) {
          throw new UsageError(
            `No service ${values.service} in cluster ${cluster}; its services are ${names.join(', ') || '(none)'}.`,
          );
        }
        const region = await ecs.config.region();
        output.info(`Environment ${values.env}: ECS cluster ${cluster} in ${region}`);
        const services = await describeServices(ecs, cluster, values.service ? [values.service] : names);
        let found = 0;
        for (const service of services) {
          const running = service.taskDefinition?.split('/').pop();
          const family = running?.split(':')[0];
          if (!family) continue;
          const revisions = await latestRevisions(ecs, family, service.serviceName!, limit);
          const shown = commit ? revisions.filter((revision) => revision.commit?.startsWith(commit)) : revisions;
          found += shown.length;
          output.info('');
          output.info(`${service.serviceName} runs ${running}${describeCommit(revisions, running)}`);
          if (shown.length === 0) {
            output.info(
              commit
                ? `  no revision of commit ${commit} among its latest ${revisions.length}`
                : '  no ACTIVE revision found',
            );
            continue;
          }
          for (const line of formatRevisions(shown, running)) output.info(`  ${line}`);
          if (commit) {
            for (const line of rollbackAdvice(service, cluster, region, shown, running)) output.info(`  ${line}`);
          }
        }
        if (commit && found === 0) {
          output.error(
            `✖ No revision within the latest ${limit} of ${services.map((service) => service.serviceName).join(', ')} has commit ${commit}. ` +
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

/**
 * The newest `limit` ACTIVE revisions of `family`, described. ListTaskDefinitions matches a family by prefix, so
 * `backend` would also list `backend-worker`: only the exact family is kept.
 */
async function latestRevisions(
  ecs: ECSClient,
  family: string,
  container: string,
  limit: number,
): Promise<ImageRevision[]> {
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
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    const definitions = taskDefinition?.containerDefinitions ?? [];
    const app = definitions.find((definition) => definition.name === container) ?? definitions[0];
    revisions.push({
      name: `${family}:${taskDefinition?.revision ?? arn.split(':').pop()}`,
      revision: taskDefinition?.revision ?? Number(arn.split(':').pop()),
      commit: app?.dockerLabels?.[IMAGE_REVISION_LABEL]?.toLowerCase(),
      image: app?.image ?? '?',
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
 * How to put the newest revision of the commit back: one `aws ecs update-service`, and what follows from it (the
 * service's own deployment strategy and alarms apply; the stack still names the newer revision, so the next deploy
 * that changes this service replaces it, and a revert in git keeps the repository the truth of what runs).
 */
function rollbackAdvice(
  service: Service,
  cluster: string,
  region: string,
  matches: readonly ImageRevision[],
  running: string | undefined,
): string[] {
  if (matches.some((revision) => revision.name === running)) {
    return [`✔ ${service.serviceName} runs this commit already.`];
  }
  const target = matches[0];
  return [
    `To put ${target.name} back on ${service.serviceName} (its deployment strategy, alarms and circuit breaker apply):`,
    `    aws ecs update-service --cluster ${cluster} --service ${service.serviceName} --task-definition ${target.name} --region ${region}`,
    '  Then push the revert (git revert <the bad commit>): the stack still names the newer revision, and the next',
    '  deploy that changes this service puts its own revision on it.',
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
