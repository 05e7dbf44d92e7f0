import { Problem, problemFromFailure, problemFromResponse, unexpectedBodyProblem } from './problem';

/** What `GET /api/version` reports about the running API. */
export interface VersionInfo {
  readonly version: string;
  readonly gitSha: string;
  /** Name of the deployment environment, e.g. "dev" or "prod". */
  readonly environment: string;
  /** ISO 8601 time the API process started. */
  readonly startedAt: string;
}

/** What `GET /api/health` answers when the API is healthy. */
export interface Health {
  readonly status: string;
}

/** What `POST /api/greetings` answers with 201. */
export interface Greeting {
  readonly greeting: string;
  readonly name: string;
  readonly createdAt: string;
}

/** The outcome of one API call: the parsed body, or why there is none. */
export type ApiResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: Problem };

/** The calls this page makes to the API. */
export interface ApiClient {
  version(): Promise<ApiResult<VersionInfo>>;
  health(): Promise<ApiResult<Health>>;
  createGreeting(name: string): Promise<ApiResult<Greeting>>;
}

/** Options for {@link createApiClient}. */
export interface ApiClientOptions {
  /**
   * Origin (and path prefix) the `/api/...` paths are appended to.
   * @default "" - the page's own origin: the load balancer routes /api/* to the API
   */
  readonly baseUrl?: string;
  /**
   * How long one request may take, in milliseconds, before it counts as failed.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
}

/** A client for the API on the page's own origin (or `baseUrl`). It never throws: failures come back as problems. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Unbound, a browser's fetch throws "Illegal invocation".
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function call<T>(
    path: string,
    init: RequestInit,
    isValue: (body: unknown) => body is T,
    expected: string,
  ): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        ...init,
        cache: 'no-store',
        headers: { accept: 'application/json, application/problem+json', ...init.headers },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return { ok: false, problem: problemFromFailure(error) };
    }
    const body = await readJson(response);
    if (!response.ok) {
      return { ok: false, problem: problemFromResponse(response.status, response.statusText, body) };
    }
    return isValue(body)
      ? { ok: true, value: body }
      : { ok: false, problem: unexpectedBodyProblem(response.status, expected) };
  }

  return {
    version: () => call('/api/version', {}, isVersionInfo, 'version, gitSha, environment and startedAt'),
    health: () => call('/api/health', {}, isHealth, 'a status'),
    createGreeting: (name) =>
      call(
        '/api/greetings',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) },
        isGreeting,
        'a greeting, a name and createdAt',
      ),
  };
}

/** The body as JSON, or undefined when it is empty, cut off or not JSON (e.g. a proxy's HTML error page). */
async function readJson(response: Response): Promise<unknown> {
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel();
    return undefined;
  }
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function hasStrings<K extends string>(value: unknown, keys: readonly K[]): value is Record<K, string> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return keys.every((key) => typeof record[key] === 'string');
}

function isVersionInfo(value: unknown): value is VersionInfo {
  return hasStrings(value, ['version', 'gitSha', 'environment', 'startedAt']);
}

function isHealth(value: unknown): value is Health {
  return hasStrings(value, ['status']);
}

function isGreeting(value: unknown): value is Greeting {
  return hasStrings(value, ['greeting', 'name', 'createdAt']);
}
