import type { Request, Response } from 'express';
import type { HttpProblem, ProblemDetails } from './http-problem';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

// Client-controlled text echoed back is cut short: a problem body stays small whatever the request was.
const MAX_ECHOED_LENGTH = 256;

/** Truncates client-supplied text before it is echoed in a problem body. */
export function echo(text: string): string {
  return text.length > MAX_ECHOED_LENGTH ? `${text.slice(0, MAX_ECHOED_LENGTH)}…` : text;
}

/** Writes `problem` as an RFC 9457 `application/problem+json` response. */
export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  const body: ProblemDetails = {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: echo(req.path),
    requestId: req.requestId,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
  res.status(problem.status).set(problem.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
