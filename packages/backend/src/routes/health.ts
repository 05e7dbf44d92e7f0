import type { IRouter, Request, Response } from 'express';
import { HttpProblem } from '../errors/http-problem';
import { methodNotAllowed } from '../errors/method-not-allowed';
import { sendProblem } from '../errors/send-problem';

/** What liveness asks of a dependency (the database, the cache): whether it refuses this instance's own credentials. */
export interface CredentialsCheck {
  /** Since when the dependency has refused them; undefined while it accepts them (or has not been asked). */
  readonly credentialsRefusedSince: Date | undefined;
}

/**
 * `GET /api/health`: liveness. Answers as long as the process can serve HTTP, in constant time and without touching
 * any dependency: the ALB and the container health check call it every few seconds, and a failing dependency must
 * not get healthy tasks killed.
 *
 * One thing makes a task unhealthy although it serves: a dependency refusing its credentials, the database or the
 * cache. That is no outage but this task's own stale configuration: ECS reads secrets when a task starts, so after a
 * password changes (Secrets Manager rotates the database's; a deploy changes the cache's) a running task keeps the
 * old one and every new connection fails, until the task is replaced. Answering 503 here gets it replaced (the ALB's
 * and the container's health checks both fail) by a task that reads the current secret. Each dependency's state is
 * read from its last connection attempt, never by connecting from here.
 *
 * @param credentials the dependencies whose refusal makes this task unhealthy, by the name the answer gives them
 */
export function healthRoutes(
  router: IRouter,
  credentials: Readonly<Record<string, CredentialsCheck | undefined>> = {},
): void {
  router
    .route('/api/health')
    .get((req: Request, res: Response) => {
      const refused = Object.entries(credentials).flatMap(([name, check]) => {
        const since = check?.credentialsRefusedSince;
        return since === undefined
          ? []
          : [`The ${name} has refused this instance's credentials since ${since.toISOString()}`];
      });
      if (refused.length > 0) {
        sendProblem(
          req,
          res,
          new HttpProblem({
            status: 503,
            detail: `${refused.join('; ')} (its password changed after the instance started): the instance needs replacing.`,
          }),
        );
        return;
      }
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed('GET'));
}
