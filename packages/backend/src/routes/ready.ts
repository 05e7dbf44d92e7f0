import type { IRouter, Request, Response } from 'express';
import { HttpProblem } from '../errors/http-problem';
import { methodNotAllowed } from '../errors/method-not-allowed';
import { sendProblem } from '../errors/send-problem';
import type { Readiness } from '../readiness';

/**
 * `GET /api/ready`: readiness. 200 while the instance takes traffic, 503 from
 * the moment shutdown begins, so whatever routes traffic here stops doing so
 * while in-flight requests finish.
 */
export function readyRoutes(router: IRouter, readiness: Readiness): void {
  router
    .route('/api/ready')
    .get((req: Request, res: Response) => {
      if (readiness.ready) {
        res.json({ status: 'ready' });
        return;
      }
      sendProblem(
        req,
        res,
        new HttpProblem({ status: 503, detail: 'This instance is shutting down and takes no new requests.' }),
      );
    })
    .all(methodNotAllowed('GET'));
}
