import { Clock, formatDuration } from '../clock';
import { CommandOutput } from '../command';

/** What to check over HTTP, and for how long to keep trying. */
export interface SmokeTestOptions {
  /** The stage's URL, e.g. `https://app.example.com` or the ALB's `http://...elb.amazonaws.com`. */
  readonly baseUrl: string;
  /**
   * The commit the pipeline is deploying; `/api/version` must report it.
   * @default - the commit is not checked
   */
  readonly expectedCommit?: string;
  /** Keep retrying failed checks until this many milliseconds have passed. */
  readonly timeoutMs: number;
  /** Milliseconds between attempts. */
  readonly retryIntervalMs: number;
  /** Milliseconds one request may take. */
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
  readonly output: CommandOutput;
}

/** One check's outcome. */
export interface SmokeCheck {
  /** What was requested, e.g. `GET /api/health`. */
  readonly name: string;
  readonly ok: boolean;
  /** What was seen, in one line. */
  readonly detail: string;
}

/** The outcome of the last attempt. */
export interface SmokeTestResult {
  readonly ok: boolean;
  readonly checks: readonly SmokeCheck[];
  readonly attempts: number;
}

/**
 * Smoke-test a deployed stage: `/api/health` answers 200, `/api/ready` answers 200 (the API reaches its database:
 * a wrong password, security group or endpoint fails here rather than on the first user's request), `/api/version`
 * reports the commit being deployed, and `/` serves the frontend's HTML.
 *
 * Failed attempts are retried until the timeout, because right after a
 * rollout the load balancer may still be registering new targets or draining
 * old ones (which would answer with the previous commit). A commit that never
 * matches therefore fails once the timeout is spent.
 */
export async function runSmokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const { clock, output } = options;
  const deadline = clock.now() + options.timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const checks = [
      await checkHealth(options),
      await checkReady(options),
      await checkVersion(options),
      await checkFrontend(options),
    ];
    const ok = checks.every((check) => check.ok);
    const remaining = deadline - clock.now();
    if (ok || remaining <= 0) return { ok, checks, attempts };
    const failing = checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.detail}`);
    const wait = Math.min(options.retryIntervalMs, remaining);
    output.info(`  attempt ${attempts} not yet passing (${failing.join('; ')}); retrying in ${formatDuration(wait)}`);
    await clock.sleep(wait);
  }
}

/** `GET path` must answer 200; otherwise the detail is the status and, from a problem+json answer, why. */
async function checkAnswers200(options: SmokeTestOptions, path: string): Promise<SmokeCheck> {
  const name = `GET ${path}`;
  const response = await get(options, path);
  if ('error' in response) return { name, ok: false, detail: response.error };
  if (response.status === 200) return { name, ok: true, detail: '200' };
  // The API's 503s are problem+json saying why (the database is unreachable, the task is shutting down or holds a
  // refused password).
  let detail: unknown;
  try {
    detail = (JSON.parse(response.body) as { detail?: unknown }).detail;
  } catch {
    detail = undefined;
  }
  return {
    name,
    ok: false,
    detail: `expected 200, got ${response.status} ${truncate(typeof detail === 'string' ? detail : response.body)}`,
  };
}

const checkHealth = (options: SmokeTestOptions) => checkAnswers200(options, '/api/health');
const checkReady = (options: SmokeTestOptions) => checkAnswers200(options, '/api/ready');

async function checkVersion(options: SmokeTestOptions): Promise<SmokeCheck> {
  const name = 'GET /api/version';
  const response = await get(options, '/api/version');
  if ('error' in response) return { name, ok: false, detail: response.error };
  if (response.status !== 200) {
    return { name, ok: false, detail: `expected 200, got ${response.status} ${truncate(response.body)}` };
  }
  let version: { version?: unknown; gitSha?: unknown; environment?: unknown };
  try {
    version = JSON.parse(response.body);
  } catch {
    return { name, ok: false, detail: `expected JSON, got ${truncate(response.body)}` };
  }
  const reported = typeof version.gitSha === 'string' ? version.gitSha : undefined;
  const description = `version ${String(version.version)}, commit ${reported ?? 'missing'}, environment ${String(version.environment)}`;
  if (options.expectedCommit === undefined) return { name, ok: true, detail: `${description} (commit not checked)` };
  if (reported === undefined || !sameCommit(reported, options.expectedCommit)) {
    return {
      name,
      ok: false,
      detail: `serves commit ${reported ?? '(none)'}, expected ${options.expectedCommit}: the stage is not running the build this pipeline deployed`,
    };
  }
  return { name, ok: true, detail: description };
}

async function checkFrontend(options: SmokeTestOptions): Promise<SmokeCheck> {
  const name = 'GET /';
  const response = await get(options, '/');
  if ('error' in response) return { name, ok: false, detail: response.error };
  if (response.status !== 200) return { name, ok: false, detail: `expected 200, got ${response.status}` };
  const isHtml = /text\/html/i.test(response.contentType) && /<html[\s>]|<!doctype html/i.test(response.body);
  return isHtml
    ? { name, ok: true, detail: `200 HTML (${response.body.length} bytes)` }
    : {
        name,
        ok: false,
        detail: `expected an HTML page, got ${response.contentType || 'no content type'}: ${truncate(response.body)}`,
      };
}

/**
 * Full and abbreviated SHAs match when one is a prefix of the other and the
 * shorter has at least 7 characters (what `git log --oneline` prints).
 */
export function sameCommit(reported: string, expected: string): boolean {
  const a = reported.trim().toLowerCase();
  const b = expected.trim().toLowerCase();
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  return shorter >= 7 && (a.startsWith(b) || b.startsWith(a));
}

type Fetched = { status: number; contentType: string; body: string } | { error: string };

async function get(options: SmokeTestOptions, path: string): Promise<Fetched> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${path}`;
  try {
    const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(options.requestTimeoutMs) });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${formatDuration(options.requestTimeoutMs)}`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { error: `${url} failed: ${reason}` };
  }
}

function truncate(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
