import { RecordedOutput } from './fakes';
import { ExitCode, SlipwayCommand, UsageError } from '../src/command';
import { main } from '../src/main';
import { defaultCommands } from '../src/registry';

function fakeCommand(name: string, run: SlipwayCommand['run']): SlipwayCommand {
  return { name, summary: `does ${name}`, run };
}

test('the registry holds verify, status, images, doctor, logs, cost and diagram', () => {
  expect(defaultCommands().map((command) => command.name)).toEqual([
    'verify',
    'status',
    'images',
    'doctor',
    'logs',
    'cost',
    'diagram',
  ]);
});

test('dispatches to the named command with the remaining arguments and returns its exit code', async () => {
  const seen: (readonly string[])[] = [];
  const commands = [fakeCommand('verify', async (argv) => (seen.push(argv), 3))];
  expect(await main(['verify', '--env', 'dev'], commands, new RecordedOutput())).toBe(3);
  expect(seen).toEqual([['--env', 'dev']]);
});

test('--help lists every command with its summary', async () => {
  const output = new RecordedOutput();
  expect(
    await main(['--help'], [fakeCommand('verify', async () => 0), fakeCommand('status', async () => 0)], output),
  ).toBe(ExitCode.OK);
  expect(output.text).toContain('  verify  does verify\n  status  does status');
});

test('no command or an unknown one is a usage error (exit 2)', async () => {
  const output = new RecordedOutput();
  expect(await main([], defaultCommands(), output)).toBe(ExitCode.USAGE);
  expect(await main(['deploy'], defaultCommands(), output)).toBe(ExitCode.USAGE);
  expect(output.errors[0]).toMatch(/^slipway: unknown command "deploy"\./);
});

test('a UsageError exits 2 with its message; any other error exits 1', async () => {
  const output = new RecordedOutput();
  const usage = fakeCommand('verify', async () => {
    throw new UsageError('--env is required.');
  });
  const broken = fakeCommand('status', async () => {
    throw new Error('boom');
  });
  expect(await main(['verify'], [usage, broken], output)).toBe(ExitCode.USAGE);
  expect(output.errors[0]).toBe('slipway verify: --env is required.');
  expect(await main(['status'], [usage, broken], output)).toBe(ExitCode.FAILED);
  expect(output.errors[1]).toMatch(/^slipway status: unexpected error: Error: boom/);
});
