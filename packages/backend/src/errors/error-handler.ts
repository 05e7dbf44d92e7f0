import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { DependencyUnavailable } from './dependency-unavailable';
import { HttpProblem, PROBLEM_TYPES } from './http-problem';
import { echo, sendProblem } from './send-problem';

/** The fields of the http-errors objects that body-parser and the router pass to `next`. */
interface ClientError {
  readonly status: number;
  readonly type?: unknown;
  readonly expose?: unknown;
  readonly message: string;
  readonly limit?: unknown;
}

function isClientError(err: unknown): err is ClientError {
  const status = (err as { status?: unknown } | null)?.status;
  return err instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

/** Maps anything a route or middleware threw to the problem the client gets. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) {
    return err;
  }
  if (err instanceof DependencyUnavailable) {
    return new HttpProblem({
      status: 503,
      type: PROBLEM_TYPES.dependencyUnavailable,
      title: 'A service this request needs is unavailable',
      detail: err.detail,
      headers: { 'Retry-After': String(err.retryAfterSeconds) },
    });
  }
  if (!isClientError(err)) {
    return new HttpProblem({
      status: 500,
      detail: 'The server failed to handle this request. Quote the request id when you report it.',
    });
  }
  switch (err.type) {
    case 'entity.parse.failed':
      return new HttpProblem({
        status: 400,
        type: PROBLEM_TYPES.malformedJson,
        title: 'The request body is not valid JSON',
        detail: echo(err.message),
      });
    case 'entity.too.large':
      return new HttpProblem({ status: 413, detail: `The request body is larger than the ${err.limit}-byte limit.` });
    case 'request.size.invalid':
      return new HttpProblem({ status: 400, detail: 'The request body is not as long as its Content-Length says.' });
    default:
      // Messages of http-errors marked `expose` are written for clients; others may hold internals.
      return new HttpProblem({
        status: err.status,
        detail: err.expose === true ? echo(err.message) : 'The request could not be processed.',
      });
  }
}

/** What the log says about why a dependency failed: its message and code, or those of the first of several. */
function describeCause(cause: unknown): { cause: string; code?: string } {
  const first = cause instanceof AggregateError && cause.errors.length > 0 ? cause.errors[0] : cause;
  const { message, code } = (first ?? {}) as { message?: unknown; code?: unknown };
  return {
    cause: typeof message === 'string' && message !== '' ? message : 'no cause given',
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/**
 * The app's last middleware: renders every error as `application/problem+json`
 * and logs server faults with their stack. Stack traces never reach the client.
 */
export function errorHandler(logger: Logger) {
  return function handleError(err: unknown, req: Request, res: Response, next: NextFunction): void {
    const problem = toProblem(err);
    if (err instanceof DependencyUnavailable) {
      // Not a bug in this code: the on-call person needs the cause (refused, timed out, not migrated), not a stack.
      const cause = describeCause(err.cause);
      logger.error(
        { ...cause, requestId: req.requestId, method: req.method, path: req.path },
        `${err.detail} (${cause.cause}): answered 503`,
      );
    } else if (problem.status >= 500) {
      logger.error(
        { err, requestId: req.requestId, method: req.method, path: req.path },
        'request failed with an unexpected error',
      );
    }
    if (res.headersSent) {
      // Too late for a problem body: Express's own handler cuts the connection so the client sees a failure.
      next(err);
      return;
    }
    sendProblem(req, res, problem);
  };
}
