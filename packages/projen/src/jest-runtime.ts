/**
 * jest's module runtime with one change: it compiles each module with `vm.Script` instead of
 * `vm.compileFunction`, so that V8 compiles a module once per jest worker instead of once per test file.
 *
 * jest gives every test file a fresh context and loads every module again into it. That is right (no
 * state leaks between files), but jest 30 compiles each module with `vm.compileFunction`, which V8 never
 * caches: every test file of a CDK package compiles aws-cdk-lib again, 20 % or more of its CPU time. V8 does
 * cache what `vm.Script` compiles, by source text and origin, across contexts, functions compiled on first
 * call included: the second test file in a worker that loads a module reuses its code and still runs it
 * afresh, in its own context. Node's issue #35375 and jest's #9457 describe the difference.
 *
 * - A module whose code contains `import(` keeps jest's own compile: a dynamic import needs the callback
 *   that only `compileFunction` is given here.
 * - The wrapper that turns a module into a function goes on the module's first line, and the column offset
 *   takes its length back, so every line and column in a stack trace (and its source map) stays the
 *   module's own.
 * - If jest's internals differ from what this expects (another jest version), it changes nothing and jest
 *   runs as it would without it.
 *
 * A package's jest config names it as `runtime` (see `useFastTests`). It loads the jest-runtime of the jest that
 * loaded it, so it works with whichever jest 30 the package installs.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Context, Script } from 'node:vm';
import type JestRuntime from 'jest-runtime';

/** The part of jest-runtime's internal module executor this replaces (jest 30). */
interface ModuleExecutor {
  readonly injectedModuleParameters: readonly string[];
  readonly environment: { getVmContext(): Context | null };
  compile(source: string, filename: string): unknown;
}

type RuntimeClass = typeof JestRuntime;

/**
 * The jest-runtime of the jest that is running: resolved from jest's own entry point (the worker, or the CLI when
 * jest runs in band), then from the package under test, then from here.
 */
function loadJestRuntime(): RuntimeClass {
  const load = createRequire(__filename);
  const from = [require.main ? dirname(require.main.filename) : undefined, process.cwd(), __dirname];
  const resolved = load.resolve('jest-runtime', { paths: from.filter((dir): dir is string => dir !== undefined) });
  return (load(resolved) as { default: RuntimeClass }).default;
}

function isModuleExecutor(value: unknown): value is ModuleExecutor {
  const executor = value as Partial<ModuleExecutor> | undefined;
  return (
    typeof executor?.compile === 'function' &&
    Array.isArray(executor.injectedModuleParameters) &&
    typeof executor.environment?.getVmContext === 'function'
  );
}

/**
 * Makes `executor` compile modules with `vm.Script`. Returns false (and changes nothing) when `executor` is
 * not the shape this knows.
 */
export function compileModulesWithScript(executor: unknown): boolean {
  if (!isModuleExecutor(executor)) return false;
  const jestCompile = executor.compile.bind(executor);
  const prefix = `(function (${executor.injectedModuleParameters.join(', ')}) {`;
  executor.compile = (source, filename) => {
    if (source.includes('import(')) return jestCompile(source, filename);
    const context = executor.environment.getVmContext();
    if (context === null) return null;
    let script: Script;
    try {
      script = new Script(`${prefix}${source}\n})`, { filename, columnOffset: -prefix.length });
    } catch {
      // jest's compile reports a syntax error with its own hints (ESM in a CommonJS package and so on).
      return jestCompile(source, filename);
    }
    return script.runInContext(context);
  };
  return true;
}

const Runtime = loadJestRuntime();

/** jest's runtime, compiling modules as described at the top of this file. */
export class SlipwayJestRuntime extends Runtime {
  constructor(...args: ConstructorParameters<RuntimeClass>) {
    super(...args);
    compileModulesWithScript((this as unknown as { executor: unknown }).executor);
  }
}

export default SlipwayJestRuntime;
