import type { z } from 'zod';
import { HttpProblem, PROBLEM_TYPES } from './errors/http-problem';

/**
 * Checks `input` (usually `req.body`) against `schema` and returns the parsed,
 * typed value. On failure throws a 400 problem listing every failing field,
 * which the error handler renders.
 *
 * @param source what `input` is, for the problem's detail: the body, or the query string (`req.query`).
 */
export function validate<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  source: 'body' | 'query string' = 'body',
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  throw new HttpProblem({
    status: 400,
    type: PROBLEM_TYPES.validation,
    title: 'Your request is not valid',
    detail: `The request ${source} failed validation; see errors for each field.`,
    errors: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  });
}
