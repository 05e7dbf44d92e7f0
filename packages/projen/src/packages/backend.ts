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
      'pino-http@^11.0.0',
      `esbuild@${VERSIONS.esbuild}`,
      `tsx@${VERSIONS.tsx}`,
    ],
  });
  return project;
}
