import { HttpProblem, PROBLEM_TYPES } from '../../src/errors/http-problem';

describe('HttpProblem', () => {
  test('defaults to about:blank and the HTTP status phrase as title (RFC 9457 §4.2.1)', () => {
    const problem = new HttpProblem({ status: 404, detail: 'No such thing.' });
    expect(problem).toMatchObject({
      type: PROBLEM_TYPES.http,
      title: 'Not Found',
      status: 404,
      detail: 'No such thing.',
      headers: {},
    });
    expect(problem.message).toBe('No such thing.');
    expect(problem).toBeInstanceOf(Error);
  });

  test('keeps a given type, title, field errors and headers', () => {
    const problem = new HttpProblem({
      status: 400,
      type: PROBLEM_TYPES.validation,
      title: 'Your request is not valid',
      detail: 'd',
      errors: [{ path: 'name', message: 'name is required' }],
      headers: { 'X-Extra': '1' },
    });
    expect(problem).toMatchObject({
      type: PROBLEM_TYPES.validation,
      title: 'Your request is not valid',
      headers: { 'X-Extra': '1' },
    });
    expect(problem.errors).toEqual([{ path: 'name', message: 'name is required' }]);
  });
});
