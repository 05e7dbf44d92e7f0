import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARCHITECTURE_BLOCK, architectureBlocks } from './architecture-doc';
import { parseOptions } from '../cli/args';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../cli/command';
import { resolveAssemblyDir } from '../cost/assembly-option';
import { CloudAssemblyError, readCloudAssembly } from '../cost/cloud-assembly';
import { endMarker, GeneratedFileError, startMarker, updateGeneratedFile } from '../cost/generated-block';

const USAGE = `Usage: slipway diagram [--assembly <cdk.out>] [--write <file.md>]... [--embed <file.md>]... [--check]

Draws each environment (CDK Stage) and the delivery pipeline of a synthesized app as Mermaid diagrams.

  --assembly, --app-dir  the cloud assembly to read (default: ./cdk.out, else packages/infra/cdk.out)
  --write file.md        write every diagram between ${startMarker(ARCHITECTURE_BLOCK)} and ${endMarker(ARCHITECTURE_BLOCK)}
                         (the file is created if missing); also fills any per-section markers in it
  --embed file.md        fill only the markers the file has, e.g. ${startMarker('diagram:prod')} or ${startMarker('diagram:pipeline')};
                         a file without markers is left alone (for a README)
  --check                change nothing; exit 1 if a file is not current
Without --write or --embed, prints the Markdown.`;

/** The text a new docs/architecture.md starts with, around the generated block. */
export function initialArchitectureDoc(): string {
  return [
    '# Architecture',
    '',
    'What each environment runs and how a change reaches production, drawn by `npx projen diagram` from the',
    'synthesized CloudFormation templates (GitHub renders the Mermaid). Regenerate with `npx projen docs`.',
    '',
    startMarker(ARCHITECTURE_BLOCK),
    endMarker(ARCHITECTURE_BLOCK),
    '',
  ].join('\n');
}

/** `slipway diagram`, with injectable output and working directory for tests. */
export async function runDiagram(
  argv: readonly string[],
  output: CommandOutput = processOutput,
  cwd: string = process.cwd(),
): Promise<number> {
  try {
    const options = parseOptions(
      argv,
      {
        assembly: { type: 'string' },
        'app-dir': { type: 'string' },
        write: { type: 'string', multiple: true },
        embed: { type: 'string', multiple: true },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (options.help) {
      output.info(USAGE);
      return ExitCode.OK;
    }
    const writes = (options.write as string[] | undefined) ?? [];
    const embeds = (options.embed as string[] | undefined) ?? [];
    if (options.check && writes.length + embeds.length === 0) {
      throw new UsageError(`--check needs --write or --embed to know which files to check.\n\n${USAGE}`);
    }
    const directory = resolveAssemblyDir(
      cwd,
      (options.assembly as string | undefined) ?? (options['app-dir'] as string | undefined),
    );
    const blocks = architectureBlocks(readCloudAssembly(directory));
    if (writes.length + embeds.length === 0) {
      output.info(blocks[ARCHITECTURE_BLOCK].trimEnd());
      return ExitCode.OK;
    }
    let stale = false;
    const update = (file: string, initialContent?: () => string) => {
      const result = updateGeneratedFile(path.resolve(cwd, file), blocks, {
        generator: 'npx projen diagram',
        check: options.check === true,
        initialContent,
      });
      if (options.check && result.stale) {
        stale = true;
        output.error(`${file} is out of date with the synthesized app. Run \`npx projen docs\` and commit the result.`);
      } else {
        output.info(`${file}: ${result.stale ? 'updated' : 'up to date'} (${result.blocks.join(', ')})`);
      }
    };
    for (const file of writes) update(file, initialArchitectureDoc);
    for (const file of embeds) {
      const text = readIfExists(path.resolve(cwd, file));
      if (text === undefined || !Object.keys(blocks).some((name) => text.includes(startMarker(name)))) {
        output.info(`${file}: no slipway diagram markers, left alone`);
        continue;
      }
      update(file);
    }
    return stale ? ExitCode.FAILED : ExitCode.OK;
  } catch (error) {
    if (error instanceof UsageError) {
      output.error(error.message);
      return ExitCode.USAGE;
    }
    if (error instanceof CloudAssemblyError || error instanceof GeneratedFileError) {
      output.error(error.message);
      return ExitCode.FAILED;
    }
    throw error;
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `slipway diagram`: Mermaid diagrams of each environment and the pipeline, from the synthesized app. */
export const diagramCommand: SlipwayCommand = {
  name: 'diagram',
  summary: 'Mermaid diagrams of each environment and the delivery pipeline, from the synthesized app',
  run: (argv) => runDiagram(argv),
};
