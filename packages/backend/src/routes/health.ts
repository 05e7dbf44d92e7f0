import type { IRouter, Request, Response } from 'express';
import { methodNotAllowed } from '../errors/method-not-allowed';

/**
 * `GET /api/health`: liveness. Answers as long as the process can serve HTTP,
 * in constant time and without touching any dependency: the ALB and the
 * container health check call it every few seconds, and a failing dependency
 * must not get healthy tasks killed.
 */
export function healthRoutes(router: IRouter): void {
  router
    .route('/api/health')
    .get((_req: Request, res: Response) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed('GET'));
}
