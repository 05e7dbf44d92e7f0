import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { REPOSITORY_ROOT } from '../src/app';
import { appServices } from '../src/services';

test('the backend serves /api/* on 8000 and the frontend everything else on 8080, each with its health check', () => {
  const services = appServices(REPOSITORY_ROOT);
  expect(Object.keys(services)).toEqual(['backend', 'frontend']);
  expect(services.backend).toMatchObject({
    containerPort: 8000,
    healthCheckPath: '/api/health',
    pathPatterns: ['/api/*'],
  });
  expect(services.frontend).toMatchObject({ containerPort: 8080, healthCheckPath: '/healthz' });
  expect(services.frontend.pathPatterns).toBeUndefined();
});

test('the Dockerfiles the images are built from exist in this repository', () => {
  expect(existsSync(path.join(REPOSITORY_ROOT, 'packages', 'backend', 'Dockerfile'))).toBe(true);
  expect(existsSync(path.join(REPOSITORY_ROOT, 'packages', 'frontend', 'Dockerfile'))).toBe(true);
});
