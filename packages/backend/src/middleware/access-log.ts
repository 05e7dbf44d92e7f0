import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/**
 * Writes one log line per request when its response is done (or the client
 * gave up): method, path without query string, status, duration, request id.
 * Mount it after the health checks, which are kept out of the log.
 */
export function accessLog(logger: Logger) {
  return function logRequest(req: Request, res: Response, next: NextFunction): void {
    const started = performance.now();
    // Read now: routers rewrite req.url while they run. The query string stays out of the logs (it may hold tokens).
    const { method, path } = req;
    res.once('close', () => {
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      const line = { requestId: req.requestId, method, path, status: res.statusCode, durationMs };
      if (res.writableFinished) {
        logger.info(line, 'request completed');
      } else {
        logger.info({ ...line, aborted: true }, 'request aborted before the response was sent');
      }
    });
    next();
  };
}
