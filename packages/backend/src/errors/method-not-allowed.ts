import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './http-problem';

/**
 * The last handler of a route: answers 405 with an `Allow` header for any
 * method the route does not serve, and OPTIONS with 204 and the same header.
 * List the methods the route's handlers serve (HEAD comes with GET).
 */
export function methodNotAllowed(...methods: readonly string[]) {
  const allowed = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  return function rejectMethod(req: Request, res: Response, next: NextFunction): void {
    if (req.method === 'OPTIONS') {
      res.status(204).set('Allow', allowed).end();
      return;
    }
    next(
      new HttpProblem({
        status: 405,
        detail: `${req.path} does not support ${req.method}; use ${allowed}.`,
        headers: { Allow: allowed },
      }),
    );
  };
}
