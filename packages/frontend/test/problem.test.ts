import { CLIENT_PROBLEM_TYPES, describeProblem, problemFromFailure, problemFromResponse } from '../src/problem';

describe('problemFromResponse', () => {
  test('keeps what an application/problem+json body says, dropping malformed field errors', () => {
    const problem = problemFromResponse(400, 'Bad Request', {
      type: 'tag:slipway.dev,2025:problems/validation-failed',
      title: 'Validation failed',
      status: 400,
      detail: 'The request body is invalid.',
      requestId: 'req-1',
      errors: [{ path: 'name', message: 'name must not be blank' }, { path: 3 }, 'oops'],
    });

    expect(problem).toEqual({
      type: 'tag:slipway.dev,2025:problems/validation-failed',
      title: 'Validation failed',
      status: 400,
      detail: 'The request body is invalid.',
      requestId: 'req-1',
      errors: [{ path: 'name', message: 'name must not be blank' }],
    });
  });

  test('explains a gateway error page (no JSON) by its status', () => {
    const problem = problemFromResponse(502, 'Bad Gateway', undefined);

    expect(problem.type).toBe(CLIENT_PROBLEM_TYPES.undescribed);
    expect(problem.title).toBe('The API answered HTTP 502 Bad Gateway');
    expect(problem.detail).toMatch(/No healthy API server/);
  });

  test('names the bare status when HTTP/2 gives no reason phrase', () => {
    expect(problemFromResponse(404, '', { message: 'not a problem body' })).toEqual({
      type: CLIENT_PROBLEM_TYPES.undescribed,
      title: 'The API answered HTTP 404',
      status: 404,
      detail: undefined,
    });
  });
});

describe('problemFromFailure', () => {
  test('tells a timeout from a network failure', () => {
    expect(problemFromFailure(new DOMException('signal timed out', 'TimeoutError')).type).toBe(
      CLIENT_PROBLEM_TYPES.timeout,
    );
    expect(problemFromFailure(new TypeError('fetch failed'))).toEqual({
      type: CLIENT_PROBLEM_TYPES.network,
      title: 'The API could not be reached',
      detail: 'Check your network connection, or whether the API is running.',
    });
  });
});

describe('describeProblem', () => {
  test('joins title and detail into one line, and offers the request id as a reference', () => {
    const description = describeProblem({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route for GET /x',
      requestId: 'abc',
    });

    expect(description.summary).toBe('Not Found: No route for GET /x');
    expect(description.reference).toBe('Reference: abc');
  });

  test('does not repeat a detail that only restates the title', () => {
    expect(describeProblem({ type: 'about:blank', title: 'Conflict', detail: 'Conflict' }).summary).toBe('Conflict');
  });

  test('attaches field errors to the labelled fields and lists the rest', () => {
    const description = describeProblem(
      {
        type: 'about:blank',
        title: 'Validation failed',
        errors: [
          { path: 'name', message: 'name must not be blank.' },
          { path: 'name', message: 'name must be a string.' },
          { path: 'colour', message: 'unknown field' },
          { path: '', message: 'body must be an object' },
        ],
      },
      { name: 'Your name' },
    );

    expect([...description.fieldMessages]).toEqual([['name', 'name must not be blank. name must be a string.']]);
    expect(description.otherMessages).toEqual(['colour: unknown field', 'Request: body must be an object']);
    expect(description.reference).toBeUndefined();
  });
});
