import express, { type NextFunction, type Request, type Response } from 'express';
import { HttpProblem } from '../errors/http-problem';
import { echo } from '../errors/send-problem';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Parses a JSON request body of at most `limitBytes`. Mount it only on the
 * routes that take a body: every other request skips the parsing cost.
 *
 * A body of another media type is rejected with 415; a request without a body
 * (or with an empty one) goes on with `req.body` undefined, for the route's
 * validation to report.
 * Oversized (413) and malformed (400) bodies reach the error handler as
 * body-parser errors.
 */
export function jsonBody(options: { readonly limitBytes: number }) {
  const parse = express.json({ limit: options.limitBytes, type: JSON_TYPES, strict: true });
  return function parseJsonBody(req: Request, res: Response, next: NextFunction): void {
    // req.is() is null when the request has no body at all.
    if (req.is(JSON_TYPES) === false && req.headers['content-length'] !== '0') {
      next(
        new HttpProblem({
          status: 415,
          detail: `Send the body as application/json; got ${echo(req.headers['content-type'] ?? 'no Content-Type')}.`,
        }),
      );
      return;
    }
    parse(req, res, next);
  };
}
