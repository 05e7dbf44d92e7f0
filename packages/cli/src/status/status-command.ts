import { ECSClient, Service } from '@aws-sdk/client-ecs';
import { countOption, ENVIRONMENT_FLAGS, parseCommandLine } from '../args';
import { Clock, formatDuration, systemClock } from '../clock';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../command';
import { describeServices, environmentReadError, findEnvironmentServices, listServiceNames } from '../ecs/discovery';
import { createEcsClient, describeAwsError } from '../ecs/ecs-client';
import { assessService, readServiceDeployment, taskDefinitionName } from '../ecs/rollout';
import { describeSleep, NIGHT_START_SKIP_TAG, sleepingBySchedule, SleepingService } from '../ecs/schedule';
import { describeSettings, ServiceDeploymentProgress } from '../ecs/service-deployment';
import { describeStoppedTasks } from '../ecs/stopped-tasks';

/** What the status command talks to; tests replace the output. */
export interface StatusCommandDependencies {
  /** @default - a real ECS client for the region */
  readonly ecsClient?: (region: string | undefined) => ECSClient;
  /** @default - the process's stdout and stderr */
  readonly output?: CommandOutput;
  /** @default - the wall clock (for the bake time left) */
  readonly clock?: Clock;
}

const USAGE = `usage: slipway status --env <name> [--region <region>] [--cluster <name>] [--events <count, default 5>]
                      [--stopped <count, default 3>]

Shows every ECS service of the environment: running/desired tasks, the primary deployment's
rollout state and task definition, the deployment strategy and, for a blue/green, canary or
linear service, its newest service deployment's lifecycle stage, production traffic split
(new / old revision) and bake time left; then the latest service events, and why its most
recently stopped tasks stopped (ECS keeps stopped tasks about an hour: a crash loop, a failed
health check or an image that cannot be pulled shows here). A service with no tasks because its
environment's schedule has it asleep shows 0/0 asleep, and until when. The cluster is the one tagged
slipway:environment=<name> unless --cluster names it.`;

/** `slipway status`: what is running in an environment, for the person on call. */
export function createStatusCommand(dependencies: StatusCommandDependencies = {}): SlipwayCommand {
  const output = dependencies.output ?? processOutput;
  const ecsClient = dependencies.ecsClient ?? createEcsClient;
  const clock = dependencies.clock ?? systemClock;
  return {
    name: 'status',
    summary:
      "Show an environment's services: running/desired tasks, rollout state, deployment strategy, stage and traffic split, latest events",
    run: async (argv) => {
      const values = parseCommandLine(
        argv,
        { ...ENVIRONMENT_FLAGS, events: { type: 'string' }, stopped: { type: 'string' } },
        USAGE,
        output,
      );
      if (!values) return ExitCode.OK;
      if (!values.env) throw new UsageError(`--env is required.\n\n${USAGE}`);
      const eventCount = countOption(values.events, '--events', 5, 0);
      const stoppedCount = countOption(values.stopped, '--stopped', 3, 0);

      const ecs = ecsClient(values.region);
      try {
        const cluster = values.cluster ?? (await findEnvironmentServices(ecs, values.env)).clusterName;
        const names = await listServiceNames(ecs, cluster);
        const region = await ecs.config.region();
        output.info(`Environment ${values.env}: ECS cluster ${cluster} in ${region}`);
        if (names.length === 0) {
          output.info('  no services');
          return ExitCode.OK;
        }
        const services = await describeServices(ecs, cluster, names);
        const deployments = new Map<string, ServiceDeploymentProgress>();
        const unreadable: string[] = [];
        for (const service of services) {
          try {
            const progress = await readServiceDeployment(ecs, cluster, service, clock.now());
            if (progress) deployments.set(service.serviceName!, progress);
          } catch (error) {
            unreadable.push(
              `  ${service.serviceName}: could not read its service deployments (${describeAwsError(error)})`,
            );
          }
        }
        const sleeping = new Map<string, SleepingService>();
        for (const service of services) {
          const asleep = sleepingBySchedule(service, clock.now());
          if (asleep) sleeping.set(asleep.service, asleep);
        }
        for (const line of formatTable(services, deployments, sleeping)) output.info(line);
        for (const asleep of sleeping.values()) {
          output.info(
            `  ☾ ${asleep.service}: ${describeSleep(asleep)}; the URL answers 503 until then.${asleep.startWhenAsleep ? '' : ` A push out of hours starts no task of it (tagged ${NIGHT_START_SKIP_TAG}): verify checks its task definition only.`}`,
          );
        }
        for (const [name, progress] of deployments) {
          if (progress.reason) output.info(`  ✖ ${name}: ${progress.strategy} deployment ${progress.reason}`);
        }
        for (const line of unreadable) output.error(line);
        if (eventCount > 0) {
          for (const service of services) {
            output.info('');
            output.info(`Latest events of ${service.serviceName}:`);
            const events = (service.events ?? []).slice(0, eventCount);
            if (events.length === 0) output.info('  (none)');
            for (const event of events) {
              output.info(`  ${event.createdAt?.toISOString() ?? '?'}  ${event.message ?? ''}`);
            }
          }
        }
        if (stoppedCount > 0) {
          for (const service of services) {
            let stopped: string[];
            try {
              stopped = await describeStoppedTasks(ecs, cluster, service.serviceName!, stoppedCount);
            } catch (error) {
              output.error(`  ${service.serviceName}: could not read its stopped tasks (${describeAwsError(error)})`);
              continue;
            }
            if (stopped.length === 0) continue;
            output.info('');
            output.info(`Recently stopped tasks of ${service.serviceName}:`);
            for (const line of stopped) output.info(`  ${line}`);
          }
        }
        return ExitCode.OK;
      } catch (error) {
        output.error(environmentReadError(values.env, error));
        return ExitCode.FAILED;
      }
    },
  };
}

/**
 * One row per service, columns padded to the widest value. A traffic-shifting
 * service's newest service deployment fills STAGE, TRAFFIC and BAKE LEFT; a
 * rolling service has none of them.
 */
export function formatTable(
  services: readonly Service[],
  deployments: ReadonlyMap<string, ServiceDeploymentProgress> = new Map(),
  sleeping: ReadonlyMap<string, SleepingService> = new Map(),
): string[] {
  const header = [
    'SERVICE',
    'RUNNING/DESIRED',
    'PENDING',
    'ROLLOUT',
    'TASK DEFINITION',
    'DEPLOYMENTS',
    'STRATEGY',
    'STAGE',
    'TRAFFIC (NEW / OLD)',
    'BAKE LEFT',
  ];
  const rows = services.map((service) => {
    const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
    const state = assessService(service.serviceName ?? '?', service).state;
    const progress = deployments.get(service.serviceName ?? '');
    return [
      service.serviceName ?? '?',
      `${service.runningCount ?? 0}/${service.desiredCount ?? 0}${sleeping.has(service.serviceName ?? '') ? ' asleep' : ''}`,
      String(service.pendingCount ?? 0),
      primary?.rolloutState ?? (state === 'completed' ? 'STEADY' : 'ROLLING'),
      primary ? taskDefinitionName(primary) : '-',
      String(service.deployments?.length ?? 0),
      progress
        ? progress.settings
        : service.deploymentConfiguration?.strategy === undefined
          ? 'rolling'
          : describeSettings(service.deploymentConfiguration),
      progress ? stageCell(progress) : '-',
      progress ? progress.traffic : '-',
      progress ? bakeCell(progress) : '-',
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}

/** The stage while in progress; the status, and where it stopped, otherwise. */
function stageCell(progress: ServiceDeploymentProgress): string {
  if (progress.status === 'IN_PROGRESS') return progress.stage;
  if (progress.outcome === 'successful' || progress.stage === '-') return progress.status;
  return `${progress.status} at ${progress.stage}`;
}

function bakeCell(progress: ServiceDeploymentProgress): string {
  if (progress.bakeRemainingMs !== undefined) return formatDuration(progress.bakeRemainingMs);
  if (progress.outcome === 'in-progress') return 'not started';
  return '-';
}
