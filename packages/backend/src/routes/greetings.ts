import type { IRouter, Request, Response } from 'express';
import * as z from 'zod';
import type { Clock } from '../clock';
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

/** The body of a 201 from `POST /api/greetings`. */
export interface Greeting {
  readonly greeting: string;
  /** The name as greeted: trimmed. */
  readonly name: string;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
}

/**
 * `POST /api/greetings`: the sample resource. Copy this file to add one: parse
 * the body only where a route takes one, validate it with a zod schema, and
 * let thrown errors become problem responses.
 */
export function greetingsRoutes(
  router: IRouter,
  deps: { readonly clock: Clock; readonly bodyLimitBytes: number },
): void {
  router
    .route('/api/greetings')
    .post(jsonBody({ limitBytes: deps.bodyLimitBytes }), (req: Request, res: Response) => {
      const { name } = validate(greetingRequest, req.body);
      const greeting: Greeting = { greeting: `Hello, ${name}!`, name, createdAt: deps.clock.now().toISOString() };
      res.status(201).json(greeting);
    })
    .all(methodNotAllowed('POST'));
}
