import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

declare global {
  namespace Express {
    interface Request {
      /** Correlates this request's response and log lines; see {@link requestId}. */
      requestId: string;
    }
  }
}

// Ids from clients end up in log lines and headers: accept only short, plain tokens.
const SAFE_ID = /^[\w.:/+=-]{1,128}$/;
// X-Amzn-Trace-Id: "Root=1-67891233-abcdef012345678912345678;Parent=...;Sampled=1" (the ALB sets Root).
const TRACE_ROOT = /(?:^|;)\s*Root=([^;\s]+)/;

/** Picks the request id: the caller's `X-Request-Id`, else the ALB's trace root, else a fresh UUID. */
export function resolveRequestId(req: Request): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && SAFE_ID.test(given)) {
    return given;
  }
  const trace = req.headers['x-amzn-trace-id'];
  if (typeof trace === 'string') {
    const root = TRACE_ROOT.exec(trace)?.[1];
    if (root !== undefined && SAFE_ID.test(root)) {
      return root;
    }
  }
  return randomUUID();
}

/**
 * Gives every request an id, returned as `X-Request-Id` and written in every
 * log line about the request, so a user's report leads straight to the logs.
 */
export function requestId() {
  return function assignRequestId(req: Request, res: Response, next: NextFunction): void {
    req.requestId = resolveRequestId(req);
    res.setHeader('X-Request-Id', req.requestId);
    next();
  };
}
