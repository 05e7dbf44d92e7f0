import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './http-problem';
import { echo } from './send-problem';

/** The handler after every route: whatever reached it matches no route. */
export function notFound() {
  return function rejectUnknownRoute(req: Request, _res: Response, next: NextFunction): void {
    next(new HttpProblem({ status: 404, detail: `No route matches ${req.method} ${echo(req.path)}.` }));
  };
}
