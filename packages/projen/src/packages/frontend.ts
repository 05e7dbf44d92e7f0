import { typescript } from 'projen';
import { VERSIONS } from '../versions';
import { createAppPackage } from './app-package';

/** packages/frontend: the sample static site, built with esbuild and served by nginx. */
export function createFrontend(root: typescript.TypeScriptProject, sampleCode: boolean): typescript.TypeScriptProject {
  const project = createAppPackage(root, {
    dir: 'frontend',
    description: 'Sample static frontend served by unprivileged nginx on Fargate',
    sampleCode,
    devDeps: [`esbuild@${VERSIONS.esbuild}`, 'playwright-core@^1.50.0'],
  });
  return project;
}
