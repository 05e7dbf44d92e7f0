import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JEST_ENVIRONMENT } from '../src/fast-tests';
import { pointTempVariablesAt, restoreTempVariables, TEST_FILE_TEMP_PREFIX } from '../src/jest-environment';
import { runJest } from './support/run-jest';

describe('pointTempVariablesAt and restoreTempVariables', () => {
  test('GIVEN TMPDIR set and TMP, TEMP unset WHEN pointed at a directory and restored THEN they are as before', () => {
    const env: NodeJS.ProcessEnv = { TMPDIR: '/var/tmp', PATH: '/bin' };

    const previous = pointTempVariablesAt(env, '/tmp/file-1');
    expect(env).toEqual({ TMPDIR: '/tmp/file-1', TMP: '/tmp/file-1', TEMP: '/tmp/file-1', PATH: '/bin' });

    restoreTempVariables(env, previous);
    expect(env).toEqual({ TMPDIR: '/var/tmp', PATH: '/bin' });
  });
});

describe('the test environment under jest', () => {
  // The environment as useFastTests names it in every package: the compiled module in this package's lib/.
  const environment = require.resolve(JEST_ENVIRONMENT);
  let dir: string;
  let runTemp: string;
  let record: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-jest-environment-'));
    runTemp = path.join(dir, 'tmp');
    fs.mkdirSync(runTemp);
    record = path.join(dir, 'record.jsonl');
    fs.writeFileSync(
      path.join(dir, 'jest.config.json'),
      JSON.stringify({
        rootDir: path.join(dir, 'tests'),
        testEnvironment: environment,
        transform: {},
        cacheDirectory: path.join(dir, 'cache'),
      }),
    );
    fs.mkdirSync(path.join(dir, 'tests'));
    // Each file leaves what a CDK test leaves (a directory with a file, made as aws-cdk-lib makes its cloud
    // assembly's), starts a process with the worker's environment and one with the file's copy of it, and records
    // what each saw. The second file fails after that: its directory goes too.
    for (const [name, outcome] of [
      ['first', 'expect(1).toBe(1)'],
      ['second', 'expect(1).toBe(2)'],
    ]) {
      fs.writeFileSync(
        path.join(dir, 'tests', `${name}.test.js`),
        [
          "const fs = require('node:fs');",
          "const os = require('node:os');",
          "const path = require('node:path');",
          "const { execFileSync } = require('node:child_process');",
          `test('${name}', () => {`,
          "  const left = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk.out'));",
          "  fs.writeFileSync(path.join(left, 'manifest.json'), '{}');",
          "  const print = ['-e', 'process.stdout.write(require(\"node:os\").tmpdir())'];",
          '  const child = execFileSync(process.execPath, print, { encoding: "utf8" });',
          '  const childWithCopy = execFileSync(process.execPath, print, { encoding: "utf8", env: { ...process.env } });',
          '  const mode = fs.statSync(os.tmpdir()).mode & 0o7777;',
          `  fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify({ file: '${name}', tmpdir: os.tmpdir(), left, child, childWithCopy, mode }) + '\\n');`,
          `  ${outcome};`,
          '});',
          '',
        ].join('\n'),
      );
    }
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN two test files that leave files in os.tmpdir() THEN each had a directory of its own, and nothing is left', () => {
    const result = runJest(path.join(dir, 'jest.config.json'), {
      cwd: dir,
      env: { TMPDIR: runTemp, TMP: runTemp, TEMP: runTemp },
    });

    // THEN both files ran, the second failing as written
    expect(result.stderr).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
    expect(result.status).toBe(1);
    const seen = fs
      .readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string | number>);
    expect(seen.map((s) => s.file).sort()).toEqual(['first', 'second']);
    for (const s of seen) {
      // AND each file's os.tmpdir() was a directory of its own, directly under the run's (the first file's
      // variables were given back before the second started), with /tmp's mode
      expect(path.dirname(s.tmpdir as string)).toBe(runTemp);
      expect(path.basename(s.tmpdir as string)).toMatch(new RegExp(`^${TEST_FILE_TEMP_PREFIX}`));
      expect(s.mode).toBe(0o1777);
      // AND the processes it started saw the same directory, with either environment
      expect(s.child).toBe(s.tmpdir);
      expect(s.childWithCopy).toBe(s.tmpdir);
      expect(path.dirname(s.left as string)).toBe(s.tmpdir);
    }
    expect(seen[0].tmpdir).not.toBe(seen[1].tmpdir);
    // AND nothing the files left is there any more, the failed file's included
    expect(fs.readdirSync(runTemp)).toEqual([]);
  });
});
