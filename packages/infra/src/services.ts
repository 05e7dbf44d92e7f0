import * as path from 'node:path';
import { AppServiceSpec, AppSmokeTestSpec } from '@slipway/constructs';
import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { dockerImage } from './docker-image';
import { imageRevision } from './image-revision';

/**
 * The app's services as the code defines them: where each image is built,
 * which port it listens on, how the load balancer checks and routes to it.
 * How big and how many come from each environment's `services` settings.
 *
 * @param repositoryRoot the repository's root folder
 * @param environmentName the environment's name, which the API reports in /api/version (APP_ENV) and the
 *   frontend shows as its DEV / PROD banner
 *
 * Each image's GIT_SHA build argument is the last commit that changed its own build (`imageRevision`), not
 * the commit being deployed: a commit that leaves an image's files alone leaves its content hash, and so
 * its tag, task definition and service, alone too.
 *
 * A background worker (no port, no route) is one more entry with `kind: 'worker'`, usually running `backendImage`
 * with another `command`: the same image value is one image asset, built once (docs/constructs.md, "WorkerService").
 * In an environment with a `schedule`, a pipeline run out of hours proves each sleeping service's new image by starting
 * one task of it and stopping it again; give a worker that must not take jobs at night `startWhenAsleep: false`.
 */
export function appServices(repositoryRoot: string, environmentName: string): Record<string, AppServiceSpec> {
  const backend = backendBuild(repositoryRoot);
  const backendRevision = imageRevision(repositoryRoot, backend);
  const backendImage = { image: dockerImage({ ...backend, gitSha: backendRevision }), revision: backendRevision };
  const frontend = { context: path.join(repositoryRoot, 'packages', 'frontend') };
  const frontendRevision = imageRevision(repositoryRoot, frontend);
  return {
    backend: {
      // Built from the repository root: the image installs from the workspace lockfile.
      image: backendImage,
      containerPort: 8000,
      healthCheckPath: '/api/health',
      pathPatterns: ['/api/*'],
      priority: 10,
      environment: { PORT: '8000', APP_ENV: environmentName, LOG_LEVEL: 'info' },
      // Once per release, with the new image, before the service is updated (docs/data.md, "Migrations").
      migrationCommand: ['node', 'dist/migrate.js', 'up'],
      // The runtime image has no curl: node itself asks the API for its liveness.
      containerHealthCheck: containerHealthCheck([
        'CMD',
        'node',
        '-e',
        "fetch('http://127.0.0.1:8000/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
      ]),
    },
    frontend: {
      // Built from its own folder (its .dockerignore keeps the context small).
      image: {
        directory: frontend.context,
        buildArgs: frontendRevision ? { GIT_SHA: frontendRevision } : undefined,
      },
      containerPort: 8080,
      // Everything else (the default route) goes to the frontend's nginx.
      healthCheckPath: '/healthz',
      // nginx-unprivileged (alpine) ships busybox wget.
      containerHealthCheck: containerHealthCheck([
        'CMD-SHELL',
        'wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1',
      ]),
    },
  };
}

/**
 * What the pre-traffic smoke test of a canary, linear or blue/green release checks through the test listener: the
 * defaults (/api/health, /api/version, /) and, as the commit /api/version must report, the backend image's GIT_SHA.
 */
export function appSmokeTest(repositoryRoot: string): AppSmokeTestSpec {
  return { expectedCommit: imageRevision(repositoryRoot, backendBuild(repositoryRoot)) };
}

/** The backend image is built from the repository root: it installs from the workspace lockfile. */
function backendBuild(repositoryRoot: string) {
  return { context: repositoryRoot, dockerfile: 'packages/backend/Dockerfile' };
}

/**
 * ECS's own health check of a container: what replaces a task whose process is alive but not answering, and
 * the only health signal of a service that no load balancer target group watches (the HTTP API ingress, a worker).
 */
export function containerHealthCheck(command: string[]): ecs.HealthCheck {
  return {
    command,
    interval: Duration.seconds(15),
    timeout: Duration.seconds(5),
    retries: 3,
    startPeriod: Duration.seconds(10),
  };
}
