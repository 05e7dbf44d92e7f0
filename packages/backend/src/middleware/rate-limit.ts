import type { NextFunction, Request, Response } from 'express';
import { clientAddress } from './client-address';
import type { ClientAddressSource } from '../config';
import { HttpProblem, PROBLEM_TYPES } from '../errors/http-problem';
import type { RateLimiter } from '../rate-limit/rate-limiter';

/**
 * Counts each request against its client's limit and answers 429 with `Retry-After` (RFC 9110 §10.2.3, seconds)
 * once the client is over it. The client is the address the proxy in front of the API saw ({@link clientAddress}).
 */
export function rateLimit(
  limiter: RateLimiter,
  options: { readonly limit: number; readonly clientAddressFrom: ClientAddressSource },
) {
  return async function limitRate(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const decision = await limiter.hit(clientAddress(req, options.clientAddressFrom));
    if (decision.allowed) {
      next();
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.resetInMs / 1000));
    throw new HttpProblem({
      status: 429,
      type: PROBLEM_TYPES.rateLimited,
      title: 'Too many requests',
      detail: `Too many requests from this client: at most ${options.limit} per window. Retry in ${retryAfterSeconds} s.`,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  };
}
