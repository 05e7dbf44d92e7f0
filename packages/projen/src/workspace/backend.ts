import { typescript } from 'projen';
import { VERSIONS } from '../versions';
import { createAppPackage, typeCheckInOneProgram } from './app-package';

/**
 * packages/backend: the sample Express API, bundled with esbuild into one file for its container image.
 *
 * The API lives in `src/`, the Node.js tooling that bundles it in `build-tools/` and its benchmarks in
 * `bench/` (both run with tsx). `compile` only type-checks: esbuild, not tsc, writes dist/server.js.
 */
export function createBackend(root: typescript.TypeScriptProject, sampleCode: boolean): typescript.TypeScriptProject {
  const project = createAppPackage(root, {
    dir: 'backend',
    description: 'Sample API: Express 5 on Fargate behind an ALB',
    sampleCode,
    deps: ['express@^5.1.0', 'helmet@^8.1.0', 'pino@^10.0.0', `zod@${VERSIONS.zod}`],
    devDeps: [
      '@types/express@^5.0.0',
      'supertest@^7.1.0',
      '@types/supertest@^6.0.0',
      'fast-check@^4.0.0',
      'autocannon@^8.0.0',
      '@types/autocannon@^7.12.0',
      'pino-http@^11.0.0',
      `esbuild@${VERSIONS.esbuild}`,
      `tsx@${VERSIONS.tsx}`,
    ],
    include: ['build-tools/**/*.ts', 'bench/**/*.ts'],
  });

  // The image runs the esbuild bundle, not tsc output. With sources outside src/ and nothing
  // emitted, rootDir is the package itself.
  const tsconfig = project.tsconfig?.file;
  tsconfig?.addOverride('compilerOptions.rootDir', '.');
  tsconfig?.addOverride('compilerOptions.noEmit', true);
  typeCheckInOneProgram(
    project,
    ['src', 'build-tools', 'bench'],
    'Type-check sources, build tools, benchmarks and tests',
  );
  project.tasks.tryFind('watch')?.reset('tsc --noEmit --watch');

  const bundle = project.addTask('bundle', {
    description: 'Bundle src/server.ts and its dependencies into dist/server.js (+ source map) for the image',
    exec: 'tsx build-tools/bundle.ts',
  });
  project.postCompileTask.spawn(bundle);

  project.addTask('dev', {
    description: 'Runs the API from source on PORT (default 8000), restarting on every change',
    // tsx watch restarts with SIGTERM and kills after 5 s: the container's drain delay would stall every reload.
    env: { SHUTDOWN_DRAIN_DELAY_MS: '0' },
    exec: 'tsx watch --clear-screen=false src/server.ts',
  });
  project.addTask('start', {
    description: 'Runs the built bundle, as the container image does',
    exec: 'node dist/server.js',
  });
  project.addTask('bench', {
    description:
      'Benchmarks the API against bare Express, a stock setup and node:http; rewrites its part of docs/performance.md',
    exec: 'tsx bench/run.ts',
  });

  // Benchmarks load the baselines they compare against (pino-http, autocannon), which are dev dependencies.
  root.eslint?.allowDevDeps('packages/backend/bench/**');
  return project;
}
