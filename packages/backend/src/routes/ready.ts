import type { IRouter, Request, Response } from 'express';
import { DependencyUnavailable } from '../errors/dependency-unavailable';
import { HttpProblem } from '../errors/http-problem';
import { methodNotAllowed } from '../errors/method-not-allowed';
import { sendProblem } from '../errors/send-problem';
import type { Readiness } from '../readiness';

/** A dependency the instance cannot serve without. */
export interface ReadinessCheck {
  /** Resolves when the dependency answers. @throws DependencyUnavailable when it does not. */
  ping(): Promise<void>;
}

/**
 * `GET /api/ready`: readiness. 200 while the instance takes traffic and its database answers; 503 from the moment
 * shutdown begins, so whatever routes traffic here stops doing so while in-flight requests finish, and while the
 * database is unreachable. Unlike `/api/health`, it touches the database: never make it the liveness check, or a
 * database outage gets every healthy task replaced.
 */
export function readyRoutes(router: IRouter, readiness: Readiness, database?: ReadinessCheck): void {
  router
    .route('/api/ready')
    .get(async (req: Request, res: Response) => {
      if (!readiness.ready) {
        sendProblem(
          req,
          res,
          new HttpProblem({ status: 503, detail: 'This instance is shutting down and takes no new requests.' }),
        );
        return;
      }
      try {
        await database?.ping();
      } catch (error) {
        if (!(error instanceof DependencyUnavailable)) {
          throw error;
        }
        sendProblem(
          req,
          res,
          new HttpProblem({
            status: 503,
            detail: `This instance cannot serve requests: ${error.detail}`,
            headers: { 'Retry-After': String(error.retryAfterSeconds) },
          }),
        );
        return;
      }
      res.json({ status: 'ready' });
    })
    .all(methodNotAllowed('GET'));
}
