import * as fs from 'node:fs';
import * as path from 'node:path';
import { ARCHITECTURE_BLOCK, architectureBlocks } from './architecture-doc';
import { readCloudAssembly } from '../assembly/cloud-assembly';
import { NewDocument, runAssemblyCommand, writeGeneratedDocuments } from '../assembly-command';
import { CommandOutput, ExitCode, processOutput, SlipwayCommand, UsageError } from '../command';
import { endMarker, startMarker } from '../generated-block';

/** How a new docs/architecture.md starts, around the generated block. */
const ARCHITECTURE_DOCUMENT: NewDocument = {
  title: 'Architecture',
  introduction: [
    'What each environment runs and how a change reaches production, drawn by `npx projen diagram` from the',
    'synthesized CloudFormation templates (GitHub renders the Mermaid). Regenerate with `npx projen docs`.',
  ],
  block: ARCHITECTURE_BLOCK,
};

const USAGE = `Usage: slipway diagram [--assembly <cdk.out>] [--write <file.md>]... [--embed <file.md>]... [--check]

Draws each environment (CDK Stage) and the delivery pipeline of a synthesized app as Mermaid diagrams.

  --assembly, --app-dir  the cloud assembly to read (default: ./cdk.out, else packages/infra/cdk.out)
  --write file.md        write every diagram between ${startMarker(ARCHITECTURE_BLOCK)} and ${endMarker(ARCHITECTURE_BLOCK)}
                         (the file is created if missing); also fills any per-section markers in it
  --embed file.md        fill only the markers the file has, e.g. ${startMarker('diagram:prod')} or ${startMarker('diagram:pipeline')};
                         a file without markers is left alone (for a README)
  --check                change nothing; exit 1 if a file is not current
Without --write or --embed, prints the Markdown.`;

/** `slipway diagram`, with injectable output and working directory for tests. */
export async function runDiagram(
  argv: readonly string[],
  output: CommandOutput = processOutput,
  cwd: string = process.cwd(),
): Promise<number> {
  const diagramOptions = { embed: { type: 'string', multiple: true } } as const;
  return runAssemblyCommand(argv, diagramOptions, USAGE, output, cwd, ({ options, assemblyDir }) => {
    const writes = options.write ?? [];
    const embeds = options.embed ?? [];
    if (options.check && writes.length + embeds.length === 0) {
      throw new UsageError(`--check needs --write or --embed to know which files to check.\n\n${USAGE}`);
    }
    const blocks = architectureBlocks(readCloudAssembly(assemblyDir));
    if (writes.length + embeds.length === 0) {
      output.info(blocks[ARCHITECTURE_BLOCK].trimEnd());
      return ExitCode.OK;
    }
    const write = (files: readonly string[], newDocument?: NewDocument) =>
      writeGeneratedDocuments(files, {
        blocks,
        generator: 'npx projen diagram',
        check: options.check === true,
        cwd,
        output,
        newDocument,
        listBlocks: true,
      });
    const writtenStale = write(writes, ARCHITECTURE_DOCUMENT);
    const embedded = embeds.filter((file) => {
      const text = readIfExists(path.resolve(cwd, file));
      if (text === undefined || !Object.keys(blocks).some((name) => text.includes(startMarker(name)))) {
        output.info(`${file}: no slipway diagram markers, left alone`);
        return false;
      }
      return true;
    });
    const stale = write(embedded) || writtenStale;
    return stale ? ExitCode.FAILED : ExitCode.OK;
  });
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
