import * as path from 'node:path';
import { RecordedOutput } from './fakes';
import { CloudAssemblyError } from '../src/assembly/cloud-assembly';
import { AssemblyCommandContext, runAssemblyCommand } from '../src/assembly-command';
import { ExitCode } from '../src/command';
import { GeneratedFileError } from '../src/generated-block';

const USAGE = 'Usage: slipway example [--assembly <cdk.out>] [--flavour <name>]';
const OWN_OPTIONS = { flavour: { type: 'string' } } as const;
const CWD = path.join(path.sep, 'work', 'project');

function run(
  argv: string[],
  body: (context: AssemblyCommandContext<typeof OWN_OPTIONS>) => number = () => ExitCode.OK,
) {
  const output = new RecordedOutput();
  return { output, code: runAssemblyCommand(argv, OWN_OPTIONS, USAGE, output, CWD, body) };
}

describe('runAssemblyCommand', () => {
  test("GIVEN the shared and the command's own flags WHEN run THEN the body gets both, and --assembly resolved against the working directory", async () => {
    let seen: AssemblyCommandContext<typeof OWN_OPTIONS> | undefined;
    const { code } = run(
      ['--assembly', 'out', '--write', 'a.md', '--write', 'b.md', '--check', '--flavour', 'plain'],
      (context) => {
        seen = context;
        return ExitCode.OK;
      },
    );
    expect(await code).toBe(ExitCode.OK);
    expect(seen!.assemblyDir).toBe(path.join(CWD, 'out'));
    expect(seen!.options).toMatchObject({ write: ['a.md', 'b.md'], check: true, flavour: 'plain' });
  });

  test('GIVEN --app-dir instead of --assembly THEN it names the assembly', async () => {
    let assemblyDir: string | undefined;
    await run(['--app-dir', 'cdk.out'], (context) => {
      assemblyDir = context.assemblyDir;
      return ExitCode.OK;
    }).code;
    expect(assemblyDir).toBe(path.join(CWD, 'cdk.out'));
  });

  test('GIVEN --help THEN the usage is printed and the body does not run', async () => {
    const body = jest.fn(() => ExitCode.FAILED);
    const { output, code } = run(['--help'], body);
    expect(await code).toBe(ExitCode.OK);
    expect(output.text).toBe(USAGE);
    expect(body).not.toHaveBeenCalled();
  });

  test('GIVEN an unknown flag THEN exit 2 with the message and the usage', async () => {
    const { output, code } = run(['--colour', 'red']);
    expect(await code).toBe(ExitCode.USAGE);
    expect(output.errors.join('\n')).toMatch(/--colour[\s\S]*Usage: slipway example/);
  });

  test.each([
    [
      'an unreadable assembly',
      new CloudAssemblyError('cdk.out/manifest.json not found. Run `npx projen synth` first.'),
    ],
    [
      'a generated file it cannot update',
      new GeneratedFileError('docs/cost.md has a start marker without an end marker.'),
    ],
  ])('GIVEN %s THEN exit 1 with the message, no stack trace', async (_, error) => {
    const { output, code } = run([], () => {
      throw error;
    });
    expect(await code).toBe(ExitCode.FAILED);
    expect(output.errors).toEqual([error.message]);
  });

  test('GIVEN any other error THEN it is thrown: a bug, not a message for the person at the terminal', async () => {
    await expect(
      run([], () => {
        throw new TypeError('undefined is not a function');
      }).code,
    ).rejects.toThrow(TypeError);
  });
});
