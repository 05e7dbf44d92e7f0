import { RecordedOutput } from './fakes';
import { parseCommandLine } from '../src/args';
import { UsageError } from '../src/command';
import { createDoctorCommand } from '../src/doctor/doctor-command';
import { createLogsCommand } from '../src/service-logs/logs-command';
import { createStatusCommand } from '../src/status/status-command';

const USAGE = 'usage: slipway thing --env <name>';

describe('parseCommandLine', () => {
  test("parses the command's flags", () => {
    const output = new RecordedOutput();
    expect(parseCommandLine(['--env', 'dev'], { env: { type: 'string' } }, USAGE, output)).toEqual({ env: 'dev' });
    expect(output.lines).toEqual([]);
  });

  test.each([['--help'], ['-h']])('%s prints the usage and gives no values', (flag) => {
    const output = new RecordedOutput();
    expect(parseCommandLine(['--env', 'dev', flag], { env: { type: 'string' } }, USAGE, output)).toBeUndefined();
    expect(output.lines).toEqual([USAGE]);
  });

  test('an unknown flag is a usage error that ends with the usage', () => {
    expect(() => parseCommandLine(['--nope'], { env: { type: 'string' } }, USAGE, new RecordedOutput())).toThrow(
      UsageError,
    );
    expect(() => parseCommandLine(['--nope'], {}, USAGE, new RecordedOutput())).toThrow(new RegExp(`${USAGE}$`));
  });
});

test.each([
  ['doctor', createDoctorCommand],
  ['logs', createLogsCommand],
  ['status', createStatusCommand],
])('slipway %s --help prints its usage and exits 0, asking AWS nothing', async (name, create) => {
  const output = new RecordedOutput();
  expect(await create({ output }).run(['--help'])).toBe(0);
  expect(output.lines).toHaveLength(1);
  expect(output.lines[0]).toMatch(new RegExp(`^usage: slipway ${name} `));
});
