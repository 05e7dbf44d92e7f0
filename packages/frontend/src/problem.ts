/** One reason the API rejected a request, pointing at the field at fault. */
export interface FieldError {
  /** Dotted path of the field in the request body, e.g. "name"; "" for the body as a whole. */
  readonly path: string;
  /** What is wrong, in the API's words. */
  readonly message: string;
}

/**
 * Why a call to the API failed: the API's `application/problem+json` body
 * (RFC 9457), or one this page builds for a failure that has none (the
 * network, a proxy's HTML error page, a response of the wrong shape).
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  /** HTTP status; undefined when no response arrived at all. */
  readonly status?: number;
  readonly detail?: string;
  /** The API's request id: the key to its log lines. */
  readonly requestId?: string;
  readonly errors?: readonly FieldError[];
}

/** Problem types this page makes up for failures the API did not describe itself. */
export const CLIENT_PROBLEM_TYPES = {
  network: 'urn:slipway:frontend:network-error',
  timeout: 'urn:slipway:frontend:timeout',
  undescribed: 'urn:slipway:frontend:undescribed-error',
  unexpectedBody: 'urn:slipway:frontend:unexpected-response',
} as const;

/** A problem read off an error response, so that odd bodies still give a readable message. */
export function problemFromResponse(status: number, statusText: string, body: unknown): Problem {
  if (isRecord(body) && typeof body.title === 'string') {
    return {
      type: typeof body.type === 'string' ? body.type : 'about:blank',
      title: body.title,
      status: typeof body.status === 'number' ? body.status : status,
      detail: typeof body.detail === 'string' ? body.detail : undefined,
      requestId: typeof body.requestId === 'string' ? body.requestId : undefined,
      errors: Array.isArray(body.errors) ? body.errors.filter(isFieldError) : undefined,
    };
  }
  // A load balancer's or proxy's own error page: no JSON, only a status worth explaining.
  return {
    type: CLIENT_PROBLEM_TYPES.undescribed,
    title: `The API answered HTTP ${status}${statusText ? ` ${statusText}` : ''}`,
    status,
    detail:
      status >= 502 && status <= 504 ? 'No healthy API server answered in time. Try again in a minute.' : undefined,
  };
}

/** A problem for a request that got no response: the network failed, or the timeout ran out. */
export function problemFromFailure(error: unknown): Problem {
  // Not `instanceof Error`: a DOMException from another realm (a worker, a test runner) fails that check.
  const name = typeof error === 'object' && error !== null && 'name' in error ? error.name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      type: CLIENT_PROBLEM_TYPES.timeout,
      title: 'The API did not answer in time',
      detail: 'Try again in a minute.',
    };
  }
  return {
    type: CLIENT_PROBLEM_TYPES.network,
    title: 'The API could not be reached',
    detail: 'Check your network connection, or whether the API is running.',
  };
}

/** A problem for a successful status whose body is not what the page expects. */
export function unexpectedBodyProblem(status: number, expected: string): Problem {
  return {
    type: CLIENT_PROBLEM_TYPES.unexpectedBody,
    title: 'The API sent an answer this page does not understand',
    status,
    detail: `Expected ${expected}. The API and this page may be from different releases.`,
  };
}

/** A problem put into words for people, with each field error labelled as the form labels it. */
export interface ProblemDescription {
  /** One line: what went wrong. */
  readonly summary: string;
  /** Field errors whose path has a label, keyed by path. */
  readonly fieldMessages: ReadonlyMap<string, string>;
  /** Field errors for paths without a label, as "Label: message" lines. */
  readonly otherMessages: readonly string[];
  /** A line to quote when asking for help, when the API gave a request id. */
  readonly reference?: string;
}

/**
 * Puts a problem into words. `fieldLabels` maps request paths to the labels
 * people see on the form (e.g. `{ name: 'Your name' }`).
 */
export function describeProblem(
  problem: Problem,
  fieldLabels: Readonly<Record<string, string>> = {},
): ProblemDescription {
  const detail = problem.detail?.trim();
  const summary = detail && detail !== problem.title ? `${problem.title}: ${detail}` : problem.title;
  const fieldMessages = new Map<string, string>();
  const otherMessages: string[] = [];
  for (const error of problem.errors ?? []) {
    const label = fieldLabels[error.path];
    if (label !== undefined) {
      const previous = fieldMessages.get(error.path);
      fieldMessages.set(error.path, previous ? `${previous} ${error.message}` : error.message);
    } else {
      otherMessages.push(`${error.path === '' ? 'Request' : error.path}: ${error.message}`);
    }
  }
  return {
    summary,
    fieldMessages,
    otherMessages,
    reference: problem.requestId ? `Reference: ${problem.requestId}` : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFieldError(value: unknown): value is FieldError {
  return isRecord(value) && typeof value.path === 'string' && typeof value.message === 'string';
}
