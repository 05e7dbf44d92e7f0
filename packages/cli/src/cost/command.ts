import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssumptionId, isAssumptionId, withAssumptions } from './assumptions';
import { estimateCosts } from './cost-estimate';
import { renderCostJson, renderCostMarkdown, renderCostText } from './cost-report';
import { readCloudAssembly } from '../assembly/cloud-assembly';
import { endMarker, startMarker } from '../generated-block';
import { US_EAST_1_PRICES } from './prices';
import { NewDocument, runAssemblyCommand, writeGeneratedDocuments } from '../assembly-command';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../command';

const USAGE = `Usage: slipway cost [--assembly <cdk.out>] [--json] [--region <region>] [--assume <id>=<value>]... [--prices <file.json>] [--write <file.md>]... [--check]

Prices each environment (CDK Stage) and the pipeline of a synthesized app, from AWS list prices,
at minimum capacity and at autoscaling maximum.

  --assembly, --app-dir  the cloud assembly to read (default: ./cdk.out, else packages/infra/cdk.out)
  --json                 print the estimate as JSON
  --region               price every stack in this region instead of its own
  --assume id=value      replace a usage assumption, e.g. --assume albAverageLcu=0.1 (ids are printed under the estimate)
  --prices file.json     replace list prices by id, e.g. {"fargate.linux-x86.vcpu-hour": 0.035}
  --write file.md        write the estimate as Markdown between ${startMarker('cost')} and ${endMarker('cost')} (created if missing)
  --check                with --write: change nothing, exit 1 if a file is not current`;

/** The block name of the estimate in Markdown files. */
export const COST_BLOCK = 'cost';

/** How a new docs/cost.md starts, around the generated block. */
const COST_DOCUMENT: NewDocument = {
  title: 'What it costs',
  introduction: [
    'Monthly AWS list prices of every environment and of the delivery pipeline, computed by `npx projen cost` from the',
    'synthesized CloudFormation templates. Regenerate after changing `environments/` with `npx projen docs`.',
  ],
  block: COST_BLOCK,
};

/** `slipway cost`, with injectable output and working directory for tests. */
export async function runCost(
  argv: readonly string[],
  output: CommandOutput = processOutput,
  cwd: string = process.cwd(),
): Promise<number> {
  const costOptions = {
    json: { type: 'boolean' },
    region: { type: 'string' },
    assume: { type: 'string', multiple: true },
    prices: { type: 'string' },
  } as const;
  return runAssemblyCommand(argv, costOptions, USAGE, output, cwd, ({ options, assemblyDir }) => {
    if (options.check && !options.write?.length) {
      throw new UsageError(`--check needs --write <file.md> to know which file to check.\n\n${USAGE}`);
    }
    const estimate = estimateCosts(readCloudAssembly(assemblyDir), {
      region: options.region,
      assumptions: withAssumptions(parseAssumptions(options.assume ?? [])),
      customPrices: options.prices ? readCustomPrices(path.resolve(cwd, options.prices)) : undefined,
    });

    const files = options.write ?? [];
    if (files.length === 0) {
      output.info((options.json ? renderCostJson(estimate) : renderCostText(estimate)).trimEnd());
      return ExitCode.OK;
    }
    const stale = writeGeneratedDocuments(files, {
      blocks: { [COST_BLOCK]: renderCostMarkdown(estimate) },
      generator: 'npx projen cost',
      check: options.check === true,
      cwd,
      output,
      newDocument: COST_DOCUMENT,
    });
    return stale ? ExitCode.FAILED : ExitCode.OK;
  });
}

function parseAssumptions(values: readonly string[]): Partial<Record<AssumptionId, number>> {
  const result: Partial<Record<AssumptionId, number>> = {};
  for (const value of values) {
    const match = /^([A-Za-z0-9]+)=(.+)$/.exec(value);
    const number = match ? Number(match[2]) : NaN;
    if (!match || !isAssumptionId(match[1]) || !Number.isFinite(number) || number < 0) {
      throw new UsageError(
        `--assume "${value}" is not <id>=<non-negative number> with a known id. Ids: ${Object.keys(withAssumptions({})).join(', ')}.`,
      );
    }
    result[match[1]] = number;
  }
  return result;
}

function readCustomPrices(file: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--prices ${file}: cannot read it as JSON (${(error as Error).message}).`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(
      `--prices ${file}: expected an object of price id to US dollars, e.g. {"elb.alb.hour": 0.0252}.`,
    );
  }
  for (const [id, usd] of Object.entries(parsed)) {
    if (!(id in US_EAST_1_PRICES)) {
      throw new UsageError(
        `--prices ${file}: "${id}" is not a price id. Ids: ${Object.keys(US_EAST_1_PRICES).join(', ')}.`,
      );
    }
    if (typeof usd !== 'number' || !Number.isFinite(usd) || usd < 0) {
      throw new UsageError(
        `--prices ${file}: "${id}" must be a non-negative number of US dollars; got ${JSON.stringify(usd)}.`,
      );
    }
  }
  return parsed as Record<string, number>;
}

/** `slipway cost`: what each environment and the pipeline cost per month, from the synthesized app. */
export const costCommand: SlipwayCommand = {
  name: 'cost',
  summary: 'Monthly AWS list-price estimate of each environment and the pipeline, from the synthesized app',
  run: (argv) => runCost(argv),
};
