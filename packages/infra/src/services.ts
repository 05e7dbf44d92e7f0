import * as path from 'node:path';
import { AppServiceSpec } from '@slipway/constructs';
import { dockerImage } from './docker-image';

/**
 * The app's services as the code defines them: where each image is built,
 * which port it listens on, how the load balancer checks and routes to it.
 * How big and how many come from each environment's `services` settings.
 *
 * @param repositoryRoot the repository's root folder
 * @param gitSha the commit being deployed, for the images' GIT_SHA build argument
 */
export function appServices(repositoryRoot: string, gitSha?: string): Record<string, AppServiceSpec> {
  return {
    backend: {
      // Built from the repository root: the image installs from the workspace lockfile.
      image: { image: dockerImage({ context: repositoryRoot, dockerfile: 'packages/backend/Dockerfile', gitSha }) },
      containerPort: 8000,
      healthCheckPath: '/api/health',
      pathPatterns: ['/api/*'],
      priority: 10,
      environment: { PORT: '8000' },
    },
    frontend: {
      // Built from its own folder (its .dockerignore keeps the context small); GIT_SHA comes from the app stack.
      image: { directory: path.join(repositoryRoot, 'packages', 'frontend') },
      containerPort: 8080,
      // Everything else (the default route) goes to the frontend's nginx.
      healthCheckPath: '/healthz',
    },
  };
}
