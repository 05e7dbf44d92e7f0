import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { REPOSITORY_ROOT } from '../src/app';
import { appServices } from '../src/services';

test('the backend serves /api/* on 8000 and the frontend everything else on 8080, each with its health check', () => {
  const services = appServices(REPOSITORY_ROOT, 'dev');
  expect(Object.keys(services)).toEqual(['backend', 'frontend']);
  expect(services.backend).toMatchObject({
    containerPort: 8000,
    healthCheckPath: '/api/health',
    pathPatterns: ['/api/*'],
    // /api/version reports the environment, which the frontend shows as its banner
    environment: expect.objectContaining({ PORT: '8000', APP_ENV: 'dev' }),
  });
  expect(services.frontend).toMatchObject({ containerPort: 8080, healthCheckPath: '/healthz' });
  expect(services.frontend.pathPatterns).toBeUndefined();
});

test('the Dockerfiles the images are built from exist in this repository', () => {
  expect(existsSync(path.join(REPOSITORY_ROOT, 'packages', 'backend', 'Dockerfile'))).toBe(true);
  expect(existsSync(path.join(REPOSITORY_ROOT, 'packages', 'frontend', 'Dockerfile'))).toBe(true);
});

describe('container health checks', () => {
  const services = appServices(REPOSITORY_ROOT, 'dev');

  test('each service checks its own health path on its own port', () => {
    expect(services.backend.containerHealthCheck?.command.join(' ')).toContain('http://127.0.0.1:8000/api/health');
    expect(services.frontend.containerHealthCheck?.command.join(' ')).toContain('http://127.0.0.1:8080/healthz');
  });

  // The backend's check is a node one-liner: run it for real against a server that answers 200, then 500, then nothing.
  test('the backend check exits 0 only while the API answers 200', async () => {
    let status = 200;
    const server = http.createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const script = services.backend.containerHealthCheck!.command[3].replace(':8000/', `:${port}/`);
    const check = () =>
      new Promise<number | null>((resolve) => {
        // Not spawnSync: that would block this process's server from answering.
        const child = spawn('node', ['-e', script]);
        child.on('exit', (code: number | null) => resolve(code));
      });
    try {
      expect(await check()).toBe(0);
      status = 500;
      expect(await check()).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await check()).toBe(1);
  });
});
