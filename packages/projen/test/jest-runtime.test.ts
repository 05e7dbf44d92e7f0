import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { JEST_RUNTIME } from '../src/fast-tests';
import { compileModulesWithScript } from '../src/jest-runtime';
import { runJest } from './support/run-jest';

/** A stand-in for jest-runtime's module executor: jest's own compile, recorded, and a real context. */
function fakeExecutor() {
  const jestCompiled: string[] = [];
  const context = vm.createContext({});
  return {
    jestCompiled,
    context,
    injectedModuleParameters: ['module', 'exports', 'require', '__dirname', '__filename', 'jest'],
    environment: { getVmContext: (): vm.Context | null => context },
    compile(source: string, filename: string): unknown {
      jestCompiled.push(filename);
      return vm.compileFunction(source, [...this.injectedModuleParameters], { filename, parsingContext: context });
    },
  };
}

type ModuleFunction = (module: { exports: unknown }, ...rest: unknown[]) => void;

function runModule(fn: unknown): unknown {
  const module = { exports: {} as unknown };
  (fn as ModuleFunction)(module, module.exports, () => undefined, '/', '/m.js', {});
  return module.exports;
}

describe('compileModulesWithScript', () => {
  test('GIVEN a module WHEN compiled THEN it runs in the test context with the parameters jest injects', () => {
    const executor = fakeExecutor();
    expect(compileModulesWithScript(executor)).toBe(true);

    const fn = executor.compile('module.exports = { sum: 1 + 2, jest: typeof jest, array: [] };', '/m.js');

    const exports = runModule(fn) as { sum: number; jest: string; array: unknown };
    expect(exports.sum).toBe(3);
    expect(exports.jest).toBe('object');
    // THEN the module's objects are the test context's, not this one's
    expect(exports.array instanceof Array).toBe(false);
    expect(exports.array instanceof vm.runInContext('Array', executor.context)).toBe(true);
    // AND jest's own compile was not used
    expect(executor.jestCompiled).toEqual([]);
  });

  test('GIVEN the same module in two test files THEN each runs it afresh', () => {
    const first = fakeExecutor();
    const second = fakeExecutor();
    compileModulesWithScript(first);
    compileModulesWithScript(second);
    const source = 'let calls = 0; module.exports = () => ++calls;';

    const inFirst = runModule(first.compile(source, '/counter.js')) as () => number;
    inFirst();
    const inSecond = runModule(second.compile(source, '/counter.js')) as () => number;

    expect(inFirst()).toBe(2);
    expect(inSecond()).toBe(1);
  });

  test('GIVEN an error on the first line THEN its stack trace has the column in the file, not in the wrapper', () => {
    const executor = fakeExecutor();
    compileModulesWithScript(executor);
    const fn = executor.compile('const a = 1; throw new Error("where");', '/thrower.js');

    expect(() => runModule(fn)).toThrow(
      expect.objectContaining({ stack: expect.stringContaining('/thrower.js:1:20') }),
    );
  });

  test('GIVEN a dynamic import or a syntax error THEN jest compiles it itself', () => {
    const executor = fakeExecutor();
    compileModulesWithScript(executor);

    executor.compile('module.exports = () => import("./other.js");', '/dynamic.js');
    expect(() => executor.compile('module.exports = {', '/broken.js')).toThrow('Unexpected end of input');

    expect(executor.jestCompiled).toEqual(['/dynamic.js', '/broken.js']);
  });

  test('GIVEN a jest whose internals differ THEN it changes nothing', () => {
    const compile = () => 'jest';
    const executor = { compile, environment: {} };

    expect(compileModulesWithScript(executor)).toBe(false);
    expect(compileModulesWithScript(undefined)).toBe(false);
    expect(executor.compile).toBe(compile);
  });
});

describe('the runtime under jest', () => {
  // The runtime as useFastTests names it in every package: the compiled module in this package's lib/.
  const runtime = require.resolve(JEST_RUNTIME);
  const failingLine =
    "test('a failure reports the test file line and column', () => { expect(counter.next()).toBe(99); });";
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-jest-runtime-'));
    // No transform, so each file reaches the runtime as written: sloppy mode, where a module can read its own
    // wrapper. vm.Script compiles the wrapper as this runtime writes it, on the module's first line;
    // vm.compileFunction (jest's own) puts the module's code on a line after the parameters.
    fs.writeFileSync(
      path.join(dir, 'jest.config.json'),
      JSON.stringify({ rootDir: dir, runtime, transform: {}, testEnvironment: 'node' }),
    );
    fs.writeFileSync(
      path.join(dir, 'counter.js'),
      [
        'let calls = 0;',
        'exports.next = () => ++calls;',
        "exports.compiledBy = arguments.callee.toString().includes('{let calls') ? 'this runtime' : 'jest';",
        '',
      ].join('\n'),
    );
    for (const name of ['first', 'second']) {
      fs.writeFileSync(
        path.join(dir, `${name}.test.js`),
        [
          "const counter = require('./counter');",
          "test('module state starts afresh in each test file', () => { expect(counter.next()).toBe(1); });",
          failingLine,
          "test('the module was compiled by this runtime', () => { expect(counter.compiledBy).toBe('this runtime'); });",
          '',
        ].join('\n'),
      );
    }
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN two test files sharing a module THEN both see it fresh, and failures point at the line', () => {
    const result = runJest(path.join(dir, 'jest.config.json'), { cwd: __dirname });

    // THEN the module was this runtime's to compile in both files, the first test of each file passes (no state
    // leaked from the other file), and the second fails where it was written: line 3, at `toBe`
    const column = failingLine.indexOf('toBe(99)') + 1;
    expect(result.stderr).toMatch(/Tests:\s+2 failed, 4 passed, 6 total/);
    expect(result.stderr).toContain(`first.test.js:3:${column}`);
    expect(result.stderr).toContain(`second.test.js:3:${column}`);
    expect(result.stderr).toMatch(/Expected: 99\s+Received: 2/);
    expect(result.status).toBe(1);
  });
});
