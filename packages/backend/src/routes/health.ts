import type { IRouter, Request, Response } from 'express';
import { HttpProblem } from '../errors/http-problem';
import { methodNotAllowed } from '../errors/method-not-allowed';
import { sendProblem } from '../errors/send-problem';

/** What liveness asks of the database: whether it refuses this instance's own credentials. */
export interface CredentialsCheck {
  /** Since when the database has refused them; undefined while it accepts them (or has not been asked). */
  readonly credentialsRefusedSince: Date | undefined;
}

/**
 * `GET /api/health`: liveness. Answers as long as the process can serve HTTP, in constant time and without touching
 * any dependency: the ALB and the container health check call it every few seconds, and a failing dependency must
 * not get healthy tasks killed.
 *
 * One thing makes a task unhealthy although it serves: the database refusing its credentials. That is no outage but
 * this task's own stale configuration: ECS reads secrets when a task starts, so after Secrets Manager rotates the
 * password a running task keeps the old one and every new connection fails, until the task is replaced. Answering 503
 * here gets it replaced (the ALB's and the container's health checks both fail) by a task that reads the current
 * secret. The database's state is read from the last connection attempt, never by connecting from here.
 */
export function healthRoutes(router: IRouter, credentials?: CredentialsCheck): void {
  router
    .route('/api/health')
    .get((req: Request, res: Response) => {
      const refusedSince = credentials?.credentialsRefusedSince;
      if (refusedSince !== undefined) {
        sendProblem(
          req,
          res,
          new HttpProblem({
            status: 503,
            detail:
              `The database has refused this instance's credentials since ${refusedSince.toISOString()} ` +
              '(its password was rotated after the instance started): the instance needs replacing.',
          }),
        );
        return;
      }
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed('GET'));
}
