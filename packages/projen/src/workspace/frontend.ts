import { typescript } from 'projen';
import { VERSIONS } from '../versions';
import { createAppPackage, typeCheckInOneProgram } from './app-package';

/**
 * packages/frontend: the sample static site, built with esbuild and served by nginx.
 *
 * Browser code lives in `src/`, the Node.js tooling that builds and serves it
 * in `build-tools/` (run with tsx), the nginx configuration in `nginx/`.
 * `compile` only type-checks: esbuild, not tsc, writes the JavaScript.
 */
export function createFrontend(root: typescript.TypeScriptProject, sampleCode: boolean): typescript.TypeScriptProject {
  const project = createAppPackage(root, {
    dir: 'frontend',
    description: 'Sample static frontend served by unprivileged nginx on Fargate',
    sampleCode,
    devDeps: [`esbuild@${VERSIONS.esbuild}`, `tsx@${VERSIONS.tsx}`, 'playwright-core@^1.50.0'],
    include: ['build-tools/**/*.ts', 'bench/**/*.ts'],
  });

  const tsconfig = project.tsconfig?.file;
  // One program for the browser code and its Node.js tooling: the browser code needs the DOM types,
  // and with sources outside src/ and nothing emitted, rootDir is the package itself.
  tsconfig?.addOverride('compilerOptions.lib', ['ES2023', 'DOM', 'DOM.Iterable']);
  tsconfig?.addOverride('compilerOptions.rootDir', '.');
  tsconfig?.addOverride('compilerOptions.noEmit', true);

  typeCheckInOneProgram(
    project,
    ['src', 'build-tools', 'bench'],
    'Type-check sources, build tools, benchmarks and tests',
  );
  project.tasks.tryFind('watch')?.reset('tsc --noEmit --watch');

  const bundle = project.addTask('bundle', {
    description:
      'Build the site into dist/ (content-hashed, minified; source maps go to sourcemaps/, outside the image)',
    exec: 'tsx build-tools/bundle.ts',
  });
  project.postCompileTask.spawn(bundle);

  project.addTask('dev', {
    description: 'Serve the site with rebuild on change, forwarding /api to the local API (FRONTEND_PORT, API_URL)',
    exec: 'tsx build-tools/dev.ts',
  });

  project.addTask('bench', {
    description: 'Measure the build and first-load size and rewrite the frontend section of docs/performance.md',
    exec: 'tsx bench/first-load.ts',
  });

  // Source maps stay out of dist/ (and so out of the image); the browser tests write screenshots here.
  project.gitignore.addPatterns('/sourcemaps/', '/test-output/');
  return project;
}
