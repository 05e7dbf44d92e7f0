import * as z from 'zod';
import { HttpProblem } from '../src/errors/http-problem';
import { validate } from '../src/validate';

const order = z.object({ items: z.array(z.object({ sku: z.string(), quantity: z.number().int().positive() })).min(1) });

function problemOf(input: unknown): HttpProblem {
  try {
    validate(order, input);
  } catch (error) {
    if (error instanceof HttpProblem) {
      return error;
    }
    throw error;
  }
  throw new Error('expected validate to throw');
}

describe('validate', () => {
  test('returns the parsed, typed value', () => {
    expect(validate(order, { items: [{ sku: 'a', quantity: 1 }], extra: true })).toEqual({
      items: [{ sku: 'a', quantity: 1 }],
    });
  });

  test('throws a 400 validation problem listing every failing field with a dotted path', () => {
    const problem = problemOf({ items: [{ sku: 1, quantity: 0 }] });
    expect(problem.status).toBe(400);
    expect(problem.type).toBe('tag:slipway.dev,2025:problems/validation-failed');
    expect(problem.errors?.map((error) => error.path)).toEqual(['items.0.sku', 'items.0.quantity']);
  });

  test.each([null, 'text', 42])('a body that is not an object (%j) fails at the root path ""', (input) => {
    expect(problemOf(input).errors).toEqual([{ path: '', message: expect.any(String) }]);
  });
});
