import { SlipwayConfigError } from '@slipway/constructs';
import type { DoctorCheck, DoctorClients } from './checks';
import { parseCommandLine } from '../args';
import { CloudAssemblyError } from '../assembly/cloud-assembly';
import { resolveAssemblyDir } from '../assembly-option';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../command';

/** What the doctor command talks to; tests replace the output and the working directory. */
export interface DoctorCommandDependencies {
  /** @default - real AWS clients, in the environment's region (and with `--pipeline-profile` for the pipeline's account) */
  readonly clients?: (region: string, pipelineProfile?: string) => DoctorClients;
  /** @default - the process's stdout and stderr */
  readonly output?: CommandOutput;
  /** @default process.cwd() */
  readonly cwd?: string;
}

const USAGE = `usage: slipway doctor --env <name> [--assembly <cdk.out>] [--toolkit-stack-name <name, default CDKToolkit>]
                      [--pipeline-profile <AWS profile of the pipeline's account>] [--json]

Checks, before the first deploy or when a deploy fails for reasons outside the code, that the AWS side
of an environment is ready: no sample placeholder is left in its settings; the credentials reach its
account; the CDK bootstrap stack exists, is recent enough for the synthesized stacks and trusts the
pipeline's account; ECS's service-linked role exists; the pipeline's CodeConnections connection is
AVAILABLE; the pipeline's account is bootstrapped in the environment's region when the pipeline runs in
another; the hosted zone of its domain is in its account; each secret and parameter the services' settings
reference exists there with a value and a key the settings name (a secret the stack creates: has a value
been put since). One line per check, with the fix.

Reads the settings from the synthesized app (--assembly, default ./cdk.out, else packages/infra/cdk.out):
run \`npx projen synth\` after changing environments/. Uses the default AWS credentials (AWS_PROFILE) for the
environment's account; with the pipeline in another account, --pipeline-profile names a profile of that account
for the pipeline's checks (skipped without it).
Exit codes: 0 every check passed (or was skipped), 1 a check failed, 2 wrong usage.`;

/** `slipway doctor`: is an environment's AWS side ready for a deploy? */
export function createDoctorCommand(dependencies: DoctorCommandDependencies = {}): SlipwayCommand {
  const output = dependencies.output ?? processOutput;
  return {
    name: 'doctor',
    summary:
      "Check an environment's AWS side before a deploy: credentials, bootstrap, ECS role, connection, zone, secrets",
    run: async (argv) => {
      const values = parseCommandLine(
        argv,
        {
          env: { type: 'string' },
          assembly: { type: 'string' },
          'toolkit-stack-name': { type: 'string' },
          'pipeline-profile': { type: 'string' },
          json: { type: 'boolean' },
        },
        USAGE,
        output,
      );
      if (!values) return ExitCode.OK;
      const environment = values.env?.trim();
      if (!environment) throw new UsageError(`--env is required.\n\n${USAGE}`);
      const toolkitStackName = values['toolkit-stack-name']?.trim() || 'CDKToolkit';
      const pipelineProfile = values['pipeline-profile']?.trim();
      if (values['pipeline-profile'] !== undefined && !pipelineProfile) {
        throw new UsageError(`--pipeline-profile needs the name of an AWS profile.\n\n${USAGE}`);
      }
      const assemblyDir = resolveAssemblyDir(dependencies.cwd ?? process.cwd(), values.assembly);

      // Loaded when doctor runs: aws-cdk-lib's assembly reader and eight AWS SDK clients would add half a
      // second to the start of every other slipway command.
      const [{ DoctorTargetError, readDoctorTarget }, { runDoctorChecks }, { createDoctorClients }] = await Promise.all(
        [import('./doctor-target'), import('./checks'), import('./clients')],
      );
      let target;
      try {
        target = readDoctorTarget(assemblyDir, environment);
      } catch (error) {
        if (
          error instanceof CloudAssemblyError ||
          error instanceof DoctorTargetError ||
          error instanceof SlipwayConfigError
        ) {
          output.error(`✖ ${error.message}`);
          return ExitCode.FAILED;
        }
        throw error;
      }
      const { account, region } = target.config;
      const clients = dependencies.clients ?? createDoctorClients;
      const checks = await runDoctorChecks(target, clients(region, pipelineProfile), { toolkitStackName });
      const failed = checks.filter((check) => check.status === 'fail');
      if (values.json) {
        output.info(
          JSON.stringify(
            { environment, account, region, assembly: assemblyDir, ok: failed.length === 0, checks },
            undefined,
            2,
          ),
        );
      } else {
        output.info(`Doctor for ${environment} (account ${account}, ${region}), settings from ${assemblyDir}`);
        for (const check of checks) (check.status === 'fail' ? output.error : output.info)(formatCheck(check));
        output.info(
          failed.length === 0
            ? `✔ ${environment} is ready to deploy (${checks.filter((check) => check.status === 'skip').length} skipped).`
            : `✖ ${failed.length} of ${checks.length} checks failed: ${failed.map((check) => check.id).join(', ')}.`,
        );
      }
      return failed.length === 0 ? ExitCode.OK : ExitCode.FAILED;
    },
  };
}

/** `✖ CDK bootstrap version: version 14, the stacks require 21 or later. Fix: ...` */
export function formatCheck(check: DoctorCheck): string {
  const mark = { pass: '✔', fail: '✖', skip: '–' }[check.status];
  return `${mark} ${check.title}: ${check.detail}${check.fix ? `. Fix: ${check.fix}` : ''}`;
}
