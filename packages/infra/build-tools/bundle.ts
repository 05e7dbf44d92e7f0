import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** The package folder, whichever way this file is run. */
const PACKAGE_DIR = path.join(__dirname, '..');

/** The entry points: the CDK app (cdk.json), the synth task and the deploy/diff/destroy tasks. */
export const ENTRY_POINTS = ['main', 'synth', 'cdk-run'] as const;

/**
 * In the Slipway repository itself, @slipway/constructs is a workspace
 * package that may not be compiled yet: bundle it from its TypeScript source
 * then. Everywhere else (a generated project, or after the build) it is an
 * installed package and stays external like every other dependency.
 */
const constructsFromSource: Plugin = {
  name: 'constructs-from-source',
  setup(builder) {
    builder.onResolve({ filter: /^@slipway\/constructs$/ }, (args) => {
      const manifest = require.resolve('@slipway/constructs/package.json', { paths: [args.resolveDir] });
      const packageDir = path.dirname(manifest);
      const source = path.join(packageDir, 'src', 'index.ts');
      if (existsSync(path.join(packageDir, 'lib', 'index.js')) || !existsSync(source)) {
        return { path: args.path, external: true };
      }
      return { path: source };
    });
  },
};

/**
 * esbuild settings: the app's own code and environments/ in one CommonJS file
 * per entry point, every npm dependency (aws-cdk-lib above all) left to
 * `require` at run time. Transpiling without type-checking is what makes
 * synth fast; `compile` type-checks separately.
 */
export function bundleOptions(outdir: string): BuildOptions {
  return {
    entryPoints: ENTRY_POINTS.map((name) => path.join(PACKAGE_DIR, 'src', `${name}.ts`)),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    plugins: [constructsFromSource],
    sourcemap: 'inline',
    logLevel: 'warning',
  };
}

/** Writes lib/main.js, lib/synth.js and lib/cdk-run.js. */
export async function bundleApp(outdir: string = path.join(PACKAGE_DIR, 'lib')): Promise<void> {
  await build(bundleOptions(outdir));
}

if (require.main === module) {
  bundleApp().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
