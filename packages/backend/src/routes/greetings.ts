import type { IRouter, Request, RequestHandler, Response } from 'express';
import * as z from 'zod';
import type { Clock } from '../clock';
import type { GreetingStore, StoredGreeting } from '../database/greeting-store';
import { DependencyUnavailable } from '../errors/dependency-unavailable';
import { methodNotAllowed } from '../errors/method-not-allowed';
import { jsonBody } from '../middleware/json-body';
import { validate } from '../validate';

/** The body `POST /api/greetings` accepts. Unknown fields are ignored, so older servers accept newer clients. */
export const greetingRequest = z.object({
  name: z
    .string({ error: (issue) => (issue.input === undefined ? 'name is required' : 'name must be a string') })
    .trim()
    .min(1, 'name must not be blank')
    .max(100, 'name must be at most 100 characters')
    .regex(/^[^\p{Cc}]*$/u, 'name must not contain control characters'),
});

export type GreetingRequest = z.output<typeof greetingRequest>;

/** Most greetings one `GET /api/greetings` returns. */
export const MAX_GREETINGS_LIMIT = 100;

/** The query string `GET /api/greetings` accepts; unknown parameters are ignored. */
export const greetingsQuery = z.object({
  limit: z
    .string({ error: `limit must be one whole number from 1 to ${MAX_GREETINGS_LIMIT}` })
    .regex(/^\d{1,6}$/, `limit must be a whole number from 1 to ${MAX_GREETINGS_LIMIT}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, 'limit must be at least 1')
        .max(MAX_GREETINGS_LIMIT, `limit must be at most ${MAX_GREETINGS_LIMIT}`),
    )
    .default(20),
});

/** A greeting as the API returns it: the body of a 201 from `POST /api/greetings`, an item of `GET`'s list. */
export interface Greeting {
  /** Stable id, a string of digits. */
  readonly id: string;
  readonly greeting: string;
  /** The name as greeted: trimmed. */
  readonly name: string;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
}

/** The body of `GET /api/greetings`. */
export interface GreetingList {
  /** Newest first. */
  readonly greetings: readonly Greeting[];
}

const toGreeting = (stored: StoredGreeting): Greeting => ({
  id: stored.id,
  greeting: `Hello, ${stored.name}!`,
  name: stored.name,
  createdAt: stored.createdAt.toISOString(),
});

/** What the greetings routes need. */
export interface GreetingsDependencies {
  readonly clock: Clock;
  readonly bodyLimitBytes: number;
  /** Where greetings are stored; undefined when no database is configured: the routes answer 503. */
  readonly store: GreetingStore | undefined;
  /** Runs before a greeting is created, e.g. the per-client rate limit. */
  readonly beforeCreate?: readonly RequestHandler[];
}

/**
 * `POST /api/greetings` stores a greeting, `GET /api/greetings?limit=n` lists the latest: the sample resource.
 * Copy this file to add one: parse the body only where a route takes one, validate it with a zod schema, and let
 * thrown errors become problem responses.
 */
export function greetingsRoutes(router: IRouter, deps: GreetingsDependencies): void {
  const store = (): GreetingStore => {
    if (!deps.store) {
      throw new DependencyUnavailable({
        detail: 'No database is configured for this service, so it cannot store or list greetings.',
        retryAfterSeconds: 3600,
      });
    }
    return deps.store;
  };
  router
    .route('/api/greetings')
    .get(async (req: Request, res: Response) => {
      const { limit } = validate(greetingsQuery, req.query, 'query string');
      const greetings = await store().latest(limit);
      const body: GreetingList = { greetings: greetings.map(toGreeting) };
      res.json(body);
    })
    .post(
      ...(deps.beforeCreate ?? []),
      jsonBody({ limitBytes: deps.bodyLimitBytes }),
      async (req: Request, res: Response) => {
        const { name } = validate(greetingRequest, req.body);
        const stored = await store().add(name, deps.clock.now());
        res.status(201).json(toGreeting(stored));
      },
    )
    .all(methodNotAllowed('GET', 'POST'));
}
