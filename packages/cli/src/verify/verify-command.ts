import { writeFileSync } from 'node:fs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { parseOptions, secondsOption } from '../args';
import { Clock, formatDuration, systemClock } from '../clock';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../command';
import { checkServiceImages, checkTaskDefinitionImages, ServiceImageCheck } from './image-check';
import { runSmokeTest, SmokeTestResult } from './smoke-test';
import { readStageTemplate, StageTemplate } from './stage-template';
import { findEnvironmentServices } from '../ecs/discovery';
import { createEcsClient, describeAwsError } from '../ecs/ecs-client';
import { RolloutResult, waitForRollout } from '../ecs/rollout';
import { describeSleep, findSleepingServices, SleepingService } from '../ecs/schedule';
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

Waits until every service's primary deployment is COMPLETED with running == desired, fails fast
when a deployment FAILED or the circuit breaker rolled it back (listing why tasks stopped). A
blue/green, canary or linear service is followed through its ECS service deployment, stage by
stage, until SUCCESSFUL (bake time included), and fails as soon as it rolls back or stops, naming
the alarm, lifecycle hook or circuit breaker. --timeout is the wait for the rollout itself: the
strategy's canary or linear steps and bake time, read from the service, are added to it. With
--template, every running task must run the image (tag and one digest) that the template's task
definition of its family names. A service with no tasks because its environment's schedule has it
asleep (desired count 0, slipway:awake-hours tag) passes when its task definition names those images;
the smoke test is then skipped, and the output says until when it sleeps. Then smoke-tests the URL: /api/health is 200, /api/version reports
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
      // definition, and the morning's wake action starts it. Its tasks cannot be checked or smoke-tested tonight.
      let sleeping: Map<string, SleepingService>;
      try {
        sleeping = await findSleepingServices(ecs, cluster!, services, clock.now());
      } catch (error) {
        output.error(`✖ Could not read the ECS services of cluster ${cluster}: ${describeAwsError(error)}`);
        return ExitCode.FAILED;
      }
      for (const asleep of sleeping.values()) output.info(`  ☾ ${asleep.service}: ${describeSleep(asleep)}`);

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
          ? `; ${[...sleeping.keys()].join(', ')} ${describeSleep(firstWake)}: task definitions checked, the new image not started or smoke-tested yet`
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
