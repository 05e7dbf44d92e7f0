import type { IRouter, Request, Response } from 'express';
import type { Config } from '../config';
import { methodNotAllowed } from '../errors/method-not-allowed';

/** The body of `GET /api/version`. */
export interface VersionInfo {
  readonly version: string;
  readonly gitSha: string;
  readonly environment: string;
  /** When this process started serving, ISO 8601 UTC. */
  readonly startedAt: string;
}

/**
 * `GET /api/version`: which build runs where. The pipeline's post-deploy check
 * compares `gitSha` with the commit it deployed.
 */
export function versionRoutes(
  router: IRouter,
  config: Pick<Config, 'version' | 'gitSha' | 'environment'>,
  startedAt: Date,
): void {
  const body: VersionInfo = {
    version: config.version,
    gitSha: config.gitSha,
    environment: config.environment,
    startedAt: startedAt.toISOString(),
  };
  router
    .route('/api/version')
    .get((_req: Request, res: Response) => {
      res.json(body);
    })
    .all(methodNotAllowed('GET'));
}
