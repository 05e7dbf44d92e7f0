import { writeFileSync } from 'node:fs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { formatLocal } from '@slipway/constructs/lib/schedule/awake-hours';
import { parseOptions, secondsOption } from '../args';
import { Clock, formatDuration, systemClock } from '../clock';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../command';
import { checkServiceImages, checkTaskDefinitionImages, ServiceImageCheck } from './image-check';
import { NightStartOutcome, NightStartResult, startSleepingServices } from './night-start';
import { runSmokeTest, SmokeTestResult } from './smoke-test';
import { readStageTemplate, StageTemplate } from './stage-template';
import { findEnvironmentServices } from '../ecs/discovery';
import { createEcsClient, describeAwsError } from '../ecs/ecs-client';
import { RolloutResult, waitForRollout } from '../ecs/rollout';
import { describeSleep, findSleepingServices, NIGHT_START_SKIP_TAG, SleepingService } from '../ecs/schedule';
import { describeStoppedTasks } from '../ecs/stopped-tasks';

/** What the verify command talks to; tests replace the clock and the output. */
export interface VerifyCommandDependencies {
  /** @default - a real ECS client for the region */
  readonly ecsClient?: (region: string | undefined) => ECSClient;
  /** @default - the wall clock */
  readonly clock?: Clock;
  /** @default - the process's stdout and stderr */
  readonly output?: CommandOutput;
}

const USAGE = `usage: slipway verify (--cluster <name> --service <name> [--service <name>...] | --env <name>)
                      [--url <stage URL>] [--commit <sha> | --template <file> --version-service <name>]
                      [--template <stage stack template in the cloud assembly>] [--region <region>]
                      [--timeout <seconds, default 900>] [--poll-interval <seconds, default 15>]
                      [--smoke-timeout <seconds, default 180>] [--summary-file <path>]
                      [--skip-start <service>...]

Waits until every service's primary deployment is COMPLETED with running == desired, fails fast
when a deployment FAILED or the circuit breaker rolled it back (listing why tasks stopped). A
blue/green, canary or linear service is followed through its ECS service deployment, stage by
stage, until SUCCESSFUL (bake time included), and fails as soon as it rolls back or stops, naming
the alarm, lifecycle hook or circuit breaker. --timeout is the wait for the rollout itself: the
strategy's canary or linear steps and bake time, read from the service, are added to it. With
--template, every running task must run the image (tag and one digest) that the template's task
definition of its family names. A service with no tasks because its environment's schedule has it
asleep (desired count 0, slipway:awake-hours tag) is checked by the images its task definition names, and
then by one task of that task definition that verify starts (the service's own network and capacity
settings), waits for until RUNNING and, with container health checks, HEALTHY, and stops again, within
--timeout; --skip-start <service>, or the service's slipway:night-start=skip tag (its spec's
startWhenAsleep: false), leaves a service's task unstarted. The smoke test is then skipped, and
the output says until when it sleeps. Then smoke-tests the URL: /api/health is 200, /api/version reports
--commit (or, with --version-service, the GIT_SHA that service's image was built with), / serves HTML.
Exit codes: 0 verified, 1 deployment or smoke test failed, 2 wrong usage, 3 timed out.`;

/** `slipway verify`: the pipeline's post-deployment check of one stage. */
export function createVerifyCommand(dependencies: VerifyCommandDependencies = {}): SlipwayCommand {
  const output = dependencies.output ?? processOutput;
  const clock = dependencies.clock ?? systemClock;
  const ecsClient = dependencies.ecsClient ?? createEcsClient;
  return {
    name: 'verify',
    summary: "Wait for a stage's ECS rollout to complete, then smoke-test its URL (used by the pipeline)",
    run: async (argv) => {
      const options = parseVerifyOptions(argv);
      if (options === 'help') {
        output.info(USAGE);
        return ExitCode.OK;
      }
      const ecs = ecsClient(options.region);
      const started = clock.now();

      let cluster = options.cluster;
      let services = options.services;
      let rollout: RolloutResult;
      try {
        if (options.environment !== undefined) {
          const found = await findEnvironmentServices(ecs, options.environment);
          cluster = found.clusterName;
          services = found.services;
          if (services.length === 0) {
            output.error(
              `✖ Cluster ${cluster} of environment ${options.environment} has no services; nothing was deployed to verify.`,
            );
            return ExitCode.FAILED;
          }
          const unknown = options.skipStart.filter((service) => !services.includes(service));
          if (unknown.length > 0) {
            output.error(
              `✖ --skip-start ${unknown.join(', ')}: no such service in cluster ${cluster} of environment ${options.environment} (it has ${services.join(', ')}).`,
            );
            return ExitCode.USAGE;
          }
        }
        output.info(
          `Verifying ${services.join(', ')} in ECS cluster ${cluster} (waiting up to ${formatDuration(options.timeoutMs)})`,
        );
        rollout = await waitForRollout(ecs, {
          cluster: cluster!,
          services,
          timeoutMs: options.timeoutMs,
          pollIntervalMs: options.pollIntervalMs,
          clock,
          output,
        });
      } catch (error) {
        output.error(
          `✖ Could not read the ECS services${cluster ? ` of cluster ${cluster}` : ''}: ${describeAwsError(error)}`,
        );
        return ExitCode.FAILED;
      }

      if (rollout.outcome !== 'completed') {
        const unsettled = rollout.services.filter((service) => service.state !== 'completed');
        output.error(
          rollout.outcome === 'timed-out'
            ? `✖ Timed out after ${formatDuration(rollout.allowedMs)} waiting for ${unsettled.map((s) => s.service).join(', ')} to settle.`
            : `✖ Deployment failed: ${unsettled
                .filter((s) => s.state !== 'in-progress')
                .map((s) => `${s.service} ${s.state}${s.reason ? ` (${s.reason})` : ''}`)
                .join(', ')}.`,
        );
        for (const service of unsettled) output.error(`  ${service.service}: ${service.detail}`);
        await reportStoppedTasks(
          ecs,
          cluster!,
          unsettled.map((service) => service.service),
          output,
        );
        output.error("  Look next: the service's Events tab in the ECS console, and its CloudWatch log group.");
        writeSummary(
          options.summaryFile,
          `${rollout.outcome === 'timed-out' ? 'TIMED OUT' : 'FAILED'}: ${unsettled.map((s) => `${s.service} ${s.detail}`).join('; ')}`,
        );
        return rollout.outcome === 'timed-out' ? ExitCode.TIMED_OUT : ExitCode.FAILED;
      }
      output.info(
        `✔ Rollout complete for ${services.length} service${services.length === 1 ? '' : 's'} after ${formatDuration(clock.now() - started)}`,
      );

      // A service of an environment with a schedule has no tasks out of hours: the deploy changed its task
      // definition, and the morning's wake action starts it. Its task definition is checked, and one task of it is
      // started and stopped below; none is in a target group, so the URL cannot be smoke-tested tonight.
      let sleeping: Map<string, SleepingService>;
      try {
        sleeping = await findSleepingServices(ecs, cluster!, services, clock.now());
      } catch (error) {
        output.error(`✖ Could not read the ECS services of cluster ${cluster}: ${describeAwsError(error)}`);
        return ExitCode.FAILED;
      }
      for (const asleep of sleeping.values()) {
        output.info(
          `  ☾ ${asleep.service}: ${describeSleep(asleep)}${asleep.startWhenAsleep ? '' : ` (tagged ${NIGHT_START_SKIP_TAG}: not started at night)`}`,
        );
      }

      let images: ServiceImageCheck[] | undefined;
      let expectedCommit = options.commit;
      if (options.stage !== undefined) {
        output.info(`Checking that the services run the images of ${options.stage.file}`);
        try {
          images = [];
          for (const service of services) {
            const asleep = sleeping.get(service);
            images.push(
              asleep
                ? await checkTaskDefinitionImages(ecs, service, asleep.taskDefinitionArn, options.stage)
                : await checkServiceImages(ecs, cluster!, service, options.stage),
            );
          }
        } catch (error) {
          output.error(`✖ Could not read the running tasks of cluster ${cluster}: ${describeAwsError(error)}`);
          return ExitCode.FAILED;
        }
        for (const check of images) {
          (check.ok ? output.info : output.error)(`  ${check.ok ? '✔' : '✖'} ${check.service}: ${check.detail}`);
        }
        const wrong = images.filter((check) => !check.ok);
        if (wrong.length > 0) {
          output.error(`✖ ${wrong.map((check) => check.service).join(', ')} not running what this pipeline run built.`);
          writeSummary(
            options.summaryFile,
            `FAILED image check: ${wrong.map((check) => `${check.service} ${check.detail}`).join('; ')}`,
          );
          return ExitCode.FAILED;
        }
        if (options.versionService !== undefined) {
          const reporter = images.find((check) => check.service === options.versionService);
          const commits = [...new Set(reporter?.containers?.map((container) => container.gitSha) ?? [])];
          if (commits.length !== 1 || commits[0] === undefined) {
            output.error(
              `✖ Cannot tell which commit ${options.versionService} must report: its images carry ${commits.length === 0 ? 'no' : commits.map(String).join(', ')} GIT_SHA build argument in ${options.stage.assetManifests.join(', ') || `the asset manifest of ${options.stage.file} (the stack has none)`}.`,
            );
            return ExitCode.FAILED;
          }
          expectedCommit = commits[0];
        }
      }

      // A night deploy starts no task: ECS's deployment is steady at once, and the circuit breaker has nothing to roll
      // back. One task of each sleeping service's new task definition, started and stopped here, proves it starts.
      // Not started: a service named by --skip-start, or tagged slipway:night-start=skip by its spec.
      const skipReason = (asleep: SleepingService): string | undefined =>
        options.skipStart.includes(asleep.service)
          ? '--skip-start'
          : asleep.startWhenAsleep
            ? undefined
            : `tagged ${NIGHT_START_SKIP_TAG}`;
      const toStart = [...sleeping.values()].filter((asleep) => skipReason(asleep) === undefined);
      const notStarted: NotStarted[] = [...sleeping.values()].flatMap((asleep) => {
        const because = skipReason(asleep);
        return because === undefined ? [] : [{ service: asleep.service, because }];
      });
      let night: NightStartOutcome | undefined;
      if (toStart.length > 0) {
        const deadline = started + rollout.allowedMs;
        output.info(
          `Starting one task of ${toStart.map((asleep) => asleep.service).join(', ')} to prove the new image starts at night; each is stopped once checked (up to ${formatDuration(Math.max(deadline - clock.now(), 0))}, what is left of --timeout)`,
        );
        try {
          night = await startSleepingServices(ecs, {
            cluster: cluster!,
            services: toStart,
            expectedContainers: new Map(
              (images ?? []).flatMap((check) => (check.containers ? [[check.service, check.containers]] : [])),
            ),
            taskDefinitions: new Map(
              (images ?? []).flatMap((check) => (check.taskDefinition ? [[check.service, check.taskDefinition]] : [])),
            ),
            deadline,
            pollIntervalMs: options.pollIntervalMs,
            clock,
            output,
          });
        } catch (error) {
          output.error(`✖ Could not start and check a task of the sleeping services: ${describeAwsError(error)}`);
          writeSummary(options.summaryFile, `FAILED night start: ${describeAwsError(error)}`);
          return ExitCode.FAILED;
        }
        for (const result of night.results) {
          const passed = result.outcome === 'healthy' || result.outcome === 'running';
          (passed ? output.info : output.error)(`  ${passed ? '✔' : '✖'} ${result.service}: ${result.detail}`);
        }
        for (const line of night.unstopped) output.error(`  ✖ ${line}`);
        const unsettled = night.results.filter(
          (result) => result.outcome === 'failed' || result.outcome === 'timed-out',
        );
        if (unsettled.length > 0 || night.unstopped.length > 0) {
          const timedOut = unsettled.length > 0 && unsettled.every((result) => result.outcome === 'timed-out');
          output.error(
            unsettled.length > 0
              ? `✖ The new image of ${unsettled.map((result) => result.service).join(', ')} did not ${timedOut ? 'start in time' : 'start'} at night: the morning's wake would start the same task definition. Look next: the task's CloudWatch logs, and the stopped task in the ECS console (kept about an hour).`
              : '✖ A task started for the check is still running: stop it with the command above.',
          );
          writeSummary(
            options.summaryFile,
            `${timedOut ? 'TIMED OUT' : 'FAILED'} night start: ${
              unsettled.length > 0
                ? unsettled.map((result) => `${result.service} ${result.detail}`).join('; ')
                : night.unstopped.join('; ')
            }`,
          );
          return timedOut && night.unstopped.length === 0 ? ExitCode.TIMED_OUT : ExitCode.FAILED;
        }
      }

      let smoke: SmokeTestResult | undefined;
      const firstWake = [...sleeping.values()].sort((a, b) => a.wakesAt.getTime() - b.wakesAt.getTime())[0];
      if (options.url !== undefined && firstWake) {
        output.info(
          `Skipped the smoke test of ${options.url}: ${[...sleeping.keys()].join(', ')} ${sleeping.size === 1 ? 'is' : 'are'} ${describeSleep(firstWake)}, and the URL answers 503 until then. The next run in the awake hours smoke-tests this build.`,
        );
      } else if (options.url !== undefined) {
        output.info(`Smoke-testing ${options.url}${expectedCommit ? ` for commit ${expectedCommit}` : ''}`);
        smoke = await runSmokeTest({
          baseUrl: options.url,
          expectedCommit,
          timeoutMs: options.smokeTimeoutMs,
          retryIntervalMs: Math.min(options.pollIntervalMs, 5_000),
          requestTimeoutMs: 10_000,
          clock,
          output,
        });
        for (const check of smoke.checks) {
          (check.ok ? output.info : output.error)(`  ${check.ok ? '✔' : '✖'} ${check.name}: ${check.detail}`);
        }
        if (!smoke.ok) {
          output.error(
            `✖ Smoke test of ${options.url} failed after ${smoke.attempts} attempt${smoke.attempts === 1 ? '' : 's'} (${formatDuration(options.smokeTimeoutMs)}).`,
          );
          writeSummary(
            options.summaryFile,
            `FAILED smoke test of ${options.url}: ${smoke.checks
              .filter((c) => !c.ok)
              .map((c) => `${c.name} ${c.detail}`)
              .join('; ')}`,
          );
          return ExitCode.FAILED;
        }
      } else {
        output.info('No --url given: skipped the HTTP smoke test.');
      }

      const summary =
        `rollout complete (${rollout.services.map((service) => `${service.service} ${service.detail}`).join('; ')})` +
        (firstWake
          ? `; ${[...sleeping.keys()].join(', ')} asleep by schedule until ${formatLocal(firstWake.schedule.timezone, firstWake.wakesAt)}: ${nightSummary(night?.results ?? [], notStarted, images !== undefined)}`
          : '') +
        (images ? `; ${imagesSummary(images, sleeping.size > 0)}` : '') +
        (smoke
          ? `; smoke test passed at ${options.url}${expectedCommit ? ` serving commit ${expectedCommit.slice(0, 12)}` : ''}`
          : '');
      writeSummary(options.summaryFile, summary);
      output.info(`✔ Stage verified in ${formatDuration(clock.now() - started)}: ${summary}`);
      return ExitCode.OK;
    },
  };
}

/** A service asleep by schedule that verify did not start, and why: `--skip-start`, or its skip tag. */
export interface NotStarted {
  readonly service: string;
  readonly because: string;
}

/**
 * The summary's words for services asleep by schedule: what the night start proved, what was not started, and that
 * the smoke test did not run (no task of theirs is in a target group until they wake).
 */
export function nightSummary(
  results: readonly NightStartResult[],
  notStarted: readonly NotStarted[],
  definitionsChecked: boolean,
): string {
  const parts: string[] = [];
  if (results.length > 0) {
    parts.push(
      `the new image started at night in one task each (${results
        .map((result) => `${result.service} ${result.outcome === 'healthy' ? 'HEALTHY' : 'RUNNING, no health check'}`)
        .join(', ')}), then stopped`,
    );
  }
  for (const because of new Set(notStarted.map((skipped) => skipped.because))) {
    const services = notStarted.filter((skipped) => skipped.because === because).map((skipped) => skipped.service);
    parts.push(
      `${services.join(', ')} not started (${because})${definitionsChecked ? ', task definition checked only' : ''}`,
    );
  }
  parts.push('not smoke-tested until they wake');
  return parts.join('; ');
}

/** The summary's words for the image check: this run's builds, and the registry images it cannot vouch for. */
export function imagesSummary(images: readonly ServiceImageCheck[], someAsleep = false): string {
  if (someAsleep) return 'every task runs, or task definition names, the images the template names';
  const registry = images.flatMap((check) =>
    (check.containers ?? []).filter((container) => !container.asset).map((container) => container.image),
  );
  return registry.length === 0
    ? 'every task runs the images this run built'
    : `every task runs the images the template names (this run's builds by content hash; ${[...new Set(registry)].join(', ')} from a registry, by ${registry.length === 1 ? 'its' : 'their'} reference)`;
}

interface VerifyOptions {
  readonly cluster?: string;
  readonly services: string[];
  readonly environment?: string;
  readonly url?: string;
  readonly commit?: string;
  /** The stage's synthesized template, read before anything is waited for. */
  readonly stage?: StageTemplate;
  /** The service whose image's GIT_SHA /api/version must report. */
  readonly versionService?: string;
  readonly region?: string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly smokeTimeoutMs: number;
  readonly summaryFile?: string;
  /** Services asleep by schedule whose task definition is checked, but no task of it started. */
  readonly skipStart: string[];
}

function parseVerifyOptions(argv: readonly string[]): VerifyOptions | 'help' {
  const values = parseOptions(
    argv,
    {
      cluster: { type: 'string' },
      service: { type: 'string', multiple: true },
      env: { type: 'string' },
      url: { type: 'string' },
      commit: { type: 'string' },
      template: { type: 'string' },
      'version-service': { type: 'string' },
      region: { type: 'string' },
      timeout: { type: 'string' },
      'poll-interval': { type: 'string' },
      'smoke-timeout': { type: 'string' },
      'summary-file': { type: 'string' },
      'skip-start': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) return 'help';
  const services = (values.service ?? []).map((service) => service.trim()).filter((service) => service !== '');
  const byName = values.cluster !== undefined || services.length > 0;
  if (values.env !== undefined && byName) {
    throw new UsageError(`Pass either --env or --cluster with --service, not both.\n\n${USAGE}`);
  }
  if (values.env === undefined && (!values.cluster || services.length === 0)) {
    throw new UsageError(
      `Name what to verify: --cluster <name> with at least one --service <name>, or --env <name>.\n\n${USAGE}`,
    );
  }
  if (values.commit !== undefined && values.url === undefined) {
    throw new UsageError(`--commit is checked against the stage's /api/version, so it needs --url.\n\n${USAGE}`);
  }
  const versionService = values['version-service']?.trim() || undefined;
  if (versionService !== undefined) {
    if (values.template === undefined || values.url === undefined) {
      throw new UsageError(
        `--version-service reads the commit from the image in --template and checks it at --url's /api/version, so it needs both.\n\n${USAGE}`,
      );
    }
    if (values.commit !== undefined) {
      throw new UsageError(`Pass either --commit or --version-service, not both.\n\n${USAGE}`);
    }
    if (!services.includes(versionService)) {
      throw new UsageError(`--version-service ${versionService} must be one of the --service names.\n\n${USAGE}`);
    }
  }
  const skipStart = (values['skip-start'] ?? []).map((service) => service.trim()).filter((service) => service !== '');
  const unknown = byName ? skipStart.filter((service) => !services.includes(service)) : [];
  if (unknown.length > 0) {
    throw new UsageError(`--skip-start ${unknown.join(', ')} must name --service names.\n\n${USAGE}`);
  }
  if (values.url !== undefined && !/^https?:\/\/[^\s/]+/.test(values.url)) {
    throw new UsageError(`--url must be an http:// or https:// URL; got "${values.url}".`);
  }
  return {
    cluster: values.cluster,
    services,
    environment: values.env,
    url: values.url,
    commit: values.commit?.trim() || undefined,
    stage: values.template !== undefined ? readStageTemplate(values.template) : undefined,
    versionService,
    region: values.region,
    timeoutMs: secondsOption(values.timeout, '--timeout', 900),
    pollIntervalMs: secondsOption(values['poll-interval'], '--poll-interval', 15),
    smokeTimeoutMs: secondsOption(values['smoke-timeout'], '--smoke-timeout', 180),
    summaryFile: values['summary-file'],
    skipStart,
  };
}

async function reportStoppedTasks(
  ecs: ECSClient,
  cluster: string,
  services: readonly string[],
  output: CommandOutput,
): Promise<void> {
  for (const service of services) {
    try {
      const stopped = await describeStoppedTasks(ecs, cluster, service);
      if (stopped.length === 0) {
        output.error(`  ${service}: no stopped tasks recorded.`);
        continue;
      }
      output.error(`  Recently stopped tasks of ${service}:`);
      for (const line of stopped) output.error(`    ${line}`);
    } catch (error) {
      output.error(`  ${service}: could not list stopped tasks (${describeAwsError(error)})`);
    }
  }
}

/** The one-line result the pipeline passes on to the next approval. */
function writeSummary(file: string | undefined, summary: string): void {
  if (file === undefined) return;
  // The pipeline passes it on as a variable into the next approval's comment,
  // which CodePipeline caps at 1000 characters in all.
  writeFileSync(file, `${summary.replace(/\s+/g, ' ').slice(0, 400)}\n`);
}
