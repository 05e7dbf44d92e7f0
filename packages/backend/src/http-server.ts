import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from './config';
import { PROBLEM_TYPES, type ProblemDetails } from './errors/http-problem';
import { echo, PROBLEM_CONTENT_TYPE } from './errors/send-problem';

/**
 * The HTTP server around the app, with the timeouts a target behind an ALB needs.
 *
 * The ALB reuses idle connections for up to its idle timeout (60 s by
 * default). If the server closes an idle connection first, a request the ALB
 * sends on it at that moment fails with a 502; so the server's keep-alive
 * timeout must be longer than the ALB's, and its headers timeout longer still.
 */
export function createHttpServer(
  app: RequestListener,
  config: Pick<Config, 'keepAliveTimeoutMs'>,
  logger: Logger,
): Server {
  const server = createServer(app);
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.headersTimeout = config.keepAliveTimeoutMs + 1_000;
  server.requestTimeout = Math.max(server.requestTimeout, server.headersTimeout);
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => answerClientError(err, socket, logger));
  server.on('checkExpectation', rejectExpectation);
  return server;
}

/** A problem body for errors answered before the request reaches Express. */
function bareProblem(status: number, detail: string): { readonly requestId: string; readonly body: string } {
  const requestId = randomUUID();
  const problem: ProblemDetails = {
    type: PROBLEM_TYPES.http,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    requestId,
  };
  return { requestId, body: JSON.stringify(problem) };
}

/** An `Expect` header other than 100-continue: Node answers 417 itself unless told how; this says it as a problem. */
function rejectExpectation(req: IncomingMessage, res: ServerResponse): void {
  const { requestId, body } = bareProblem(
    417,
    `This server supports only "Expect: 100-continue"; got "${echo(req.headers.expect ?? '')}".`,
  );
  res.writeHead(417, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'X-Request-Id': requestId,
  });
  res.end(body);
}

/**
 * Answers requests Node's HTTP parser rejects before they reach Express
 * (unknown method, broken header, headers too large, too slow) with a problem
 * body like every other error, then closes the connection.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex, logger: Logger): void {
  const responseInProgress =
    (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || responseInProgress) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const { requestId, body } = bareProblem(
    status,
    status === 408 ? 'The request took too long to arrive.' : 'The request is not valid HTTP/1.1.',
  );
  logger.debug({ requestId, code: err.code, status }, 'rejected a request the HTTP parser could not read');
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
