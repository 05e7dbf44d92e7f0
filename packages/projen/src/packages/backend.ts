import { typescript } from 'projen';
import { VERSIONS } from '../versions';
import { createAppPackage } from './app-package';

/** packages/backend: the sample Express API, bundled with esbuild into one file for its container image. */
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
  });

  // The image runs the esbuild bundle, not tsc output: compile only type-checks, sources,
  // tests, benchmarks and build tools alike, and post-compile writes dist/server.js.
  for (const dir of ['src', 'bench', 'build-tools']) {
    project.tsconfigDev.addInclude(`../${dir}/**/*.ts`);
  }
  project.compileTask.reset('tsc --noEmit -p test/tsconfig.json', { name: 'Type-check sources, tests, benchmarks and build tools' });
  project.postCompileTask.exec('tsx build-tools/bundle.ts', { name: 'Bundle src/server.ts into dist/server.js' });

  project.addTask('dev', {
    description: 'Runs the API from source on PORT (default 8000), restarting on every change',
    exec: 'tsx watch --clear-screen=false src/server.ts',
  });
  project.addTask('start', {
    description: 'Runs the built bundle, as the container image does',
    exec: 'node dist/server.js',
  });
  project.addTask('bench', {
    description: 'Benchmarks the API against bare Express, a stock setup and node:http; rewrites its part of docs/performance.md',
    exec: 'tsx bench/run.ts',
  });

  // Benchmarks load the baselines they compare against (pino-http, autocannon), which are dev dependencies.
  root.eslint?.allowDevDeps('packages/backend/bench/**');
  return project;
}
