// The pre-traffic smoke test ECS runs as a deployment lifecycle hook (POST_TEST_TRAFFIC_SHIFT): the new revision
// already answers the test listener, production traffic still reaches the old one. This file is the Lambda
// function's whole code: it imports nothing but Node.js built-ins (the AWS SDK comes from the Lambda runtime), so
// tsc's output of it is the deployment package, with no bundler step.

/** The event ECS sends a Lambda lifecycle hook (ECS developer guide, "Lifecycle payloads"). */
export interface LifecycleHookEvent {
  readonly serviceArn?: string;
  readonly targetServiceRevisionArn?: string;
  readonly testTrafficWeights?: Readonly<Record<string, number>>;
  readonly productionTrafficWeights?: Readonly<Record<string, number>>;
  readonly lifecycleStage?: string;
  /** The service's hook configuration's details, or what the previous IN_PROGRESS answer returned. */
  readonly hookDetails?: Readonly<Record<string, unknown>> | string;
}

/** What the function answers ECS: SUCCEEDED goes on, FAILED rolls back, IN_PROGRESS asks again later. */
export interface LifecycleHookResult {
  readonly hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  /** Seconds until ECS invokes the function again (IN_PROGRESS only). */
  readonly callBackDelay?: number;
  /** Passed back on the next invocation (IN_PROGRESS only). */
  readonly hookDetails?: Readonly<Record<string, unknown>>;
}

/** What the smoke test checks, and where. */
export interface SmokeTestSettings {
  /** The load balancer node addresses to test (the test listener is reachable only from inside the VPC). */
  readonly resolveAddresses: () => Promise<readonly string[]>;
  /** Port of the test listener. */
  readonly port: number;
  /** Must answer 200. */
  readonly healthPath: string;
  /** Must answer 200 with JSON whose `gitSha` is `expectedCommit`. */
  readonly versionPath: string;
  /** Must answer 200 with an HTML page. */
  readonly pagePath: string;
  /** The commit the version path must report; without it any `gitSha` passes. */
  readonly expectedCommit?: string;
  /** Invocations (the first included) during which an unreachable or 502/503/504 test listener means "still warming up". */
  readonly maxAttempts: number;
  /** Seconds ECS waits before asking again while the new tasks warm up. */
  readonly retryDelaySeconds: number;
  /** Timeout of each request, in milliseconds. */
  readonly requestTimeoutMs: number;
  /** Where the outcome is written (CloudWatch Logs through stdout in Lambda). */
  readonly log: (line: string) => void;
}

/** The hookDetails key counting the invocations of one lifecycle stage. */
export const ATTEMPT_DETAIL = 'smokeTestAttempt';

/** The checks of the smoke test: the health path, the version path and the page path. */
export const SMOKE_TEST_CHECKS = ['health', 'version', 'page'] as const;
/** One of {@link SMOKE_TEST_CHECKS}. */
export type SmokeTestCheck = (typeof SMOKE_TEST_CHECKS)[number];

/**
 * The hookDetails key naming the checks that concern the deploying service (those whose path the load balancer
 * routes to it); set per service in its hook's configuration. Without it, every check runs.
 */
export const CHECKS_DETAIL = 'smokeTestChecks';

type CheckOutcome =
  { readonly ok: true } | { readonly ok: false; readonly retryable: boolean; readonly problem: string };

/** The hook's handler, with its settings and the address lookup injected (tests pass loopback addresses). */
export function createSmokeTestHook(
  settings: SmokeTestSettings,
): (event: LifecycleHookEvent) => Promise<LifecycleHookResult> {
  return async (event) => {
    const details = hookDetails(event.hookDetails);
    const attempt = (typeof details[ATTEMPT_DETAIL] === 'number' ? (details[ATTEMPT_DETAIL] as number) : 0) + 1;
    const revision = event.targetServiceRevisionArn ?? 'the new revision';
    const checks = checksOf(details);
    if (checks.length === 0) {
      settings.log(`smoke test of ${revision}: no check concerns this service; passed`);
      return { hookStatus: 'SUCCEEDED' };
    }
    let addresses: readonly string[];
    try {
      addresses = await settings.resolveAddresses();
    } catch (error) {
      return conclude(settings, details, attempt, revision, [
        {
          ok: false,
          retryable: true,
          problem: `the load balancer's addresses could not be looked up: ${message(error)}`,
        },
      ]);
    }
    if (addresses.length === 0) {
      return conclude(settings, details, attempt, revision, [
        { ok: false, retryable: true, problem: 'the load balancer has no network interfaces yet' },
      ]);
    }
    const outcomes = (await Promise.all(addresses.map((address) => checkAddress(settings, address, checks)))).flat();
    return conclude(settings, details, attempt, revision, outcomes);
  };
}

function conclude(
  settings: SmokeTestSettings,
  details: Readonly<Record<string, unknown>>,
  attempt: number,
  revision: string,
  outcomes: readonly CheckOutcome[],
): LifecycleHookResult {
  const failures = outcomes.filter((outcome): outcome is Extract<CheckOutcome, { ok: false }> => !outcome.ok);
  if (failures.length === 0) {
    settings.log(`smoke test passed for ${revision} on attempt ${attempt}`);
    return { hookStatus: 'SUCCEEDED' };
  }
  const problems = [...new Set(failures.map((failure) => failure.problem))].join('; ');
  const warmingUp = failures.every((failure) => failure.retryable);
  if (warmingUp && attempt < settings.maxAttempts) {
    settings.log(
      `smoke test of ${revision} not passing yet (attempt ${attempt} of ${settings.maxAttempts}, next in ${settings.retryDelaySeconds}s): ${problems}`,
    );
    return {
      hookStatus: 'IN_PROGRESS',
      callBackDelay: settings.retryDelaySeconds,
      hookDetails: { ...details, [ATTEMPT_DETAIL]: attempt },
    };
  }
  settings.log(
    `smoke test FAILED for ${revision} on attempt ${attempt}: ${problems}. ECS rolls the deployment back; the old revision keeps production traffic.`,
  );
  return { hookStatus: 'FAILED' };
}

async function checkAddress(
  settings: SmokeTestSettings,
  address: string,
  checks: readonly SmokeTestCheck[],
): Promise<CheckOutcome[]> {
  const base = `http://${address.includes(':') ? `[${address}]` : address}:${settings.port}`;
  const run: Record<SmokeTestCheck, () => Promise<CheckOutcome>> = {
    health: async () => expectOk(await get(settings, base, settings.healthPath), settings.healthPath),
    version: async () => expectVersion(await get(settings, base, settings.versionPath), settings),
    page: async () => expectHtml(await get(settings, base, settings.pagePath), settings.pagePath),
  };
  return Promise.all(checks.map((check) => run[check]()));
}

/** The checks the hook's configuration names ({@link CHECKS_DETAIL}), or every check when it names none. */
function checksOf(details: Readonly<Record<string, unknown>>): readonly SmokeTestCheck[] {
  const named = details[CHECKS_DETAIL];
  if (!Array.isArray(named)) return SMOKE_TEST_CHECKS;
  return SMOKE_TEST_CHECKS.filter((check) => named.includes(check));
}

type Response =
  { readonly status: number; readonly contentType: string; readonly body: string } | { readonly error: string };

async function get(settings: SmokeTestSettings, base: string, path: string): Promise<Response> {
  try {
    const response = await fetch(`${base}${path}`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.requestTimeoutMs),
      headers: { 'user-agent': 'slipway-smoke-test-hook' },
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
  } catch (error) {
    return { error: `${base}${path} unreachable (${message(error)})` };
  }
}

/** What an ALB answers while a target group has no healthy target yet, or a target is still starting. */
const WARMING_UP_STATUSES = new Set([502, 503, 504]);

function expectOk(response: Response, path: string): CheckOutcome {
  if ('error' in response) return { ok: false, retryable: true, problem: response.error };
  if (response.status === 200) return { ok: true };
  return {
    ok: false,
    retryable: WARMING_UP_STATUSES.has(response.status),
    problem: `${path} answered ${response.status}, not 200`,
  };
}

function expectVersion(response: Response, settings: SmokeTestSettings): CheckOutcome {
  const status = expectOk(response, settings.versionPath);
  if (!status.ok || 'error' in response) return status;
  let gitSha: unknown;
  try {
    gitSha = (JSON.parse(response.body) as { gitSha?: unknown }).gitSha;
  } catch {
    return { ok: false, retryable: false, problem: `${settings.versionPath} did not answer JSON` };
  }
  if (typeof gitSha !== 'string' || gitSha === '') {
    return { ok: false, retryable: false, problem: `${settings.versionPath} reports no gitSha` };
  }
  if (settings.expectedCommit !== undefined && gitSha !== settings.expectedCommit) {
    return {
      ok: false,
      retryable: false,
      problem: `${settings.versionPath} reports commit ${gitSha}, expected ${settings.expectedCommit}`,
    };
  }
  return { ok: true };
}

function expectHtml(response: Response, path: string): CheckOutcome {
  const status = expectOk(response, path);
  if (!status.ok || 'error' in response) return status;
  if (!response.contentType.includes('text/html') || !/<html[\s>]/i.test(response.body)) {
    return {
      ok: false,
      retryable: false,
      problem: `${path} did not serve an HTML page (${response.contentType || 'no content type'})`,
    };
  }
  return { ok: true };
}

function hookDetails(value: LifecycleHookEvent['hookDetails']): Readonly<Record<string, unknown>> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function message(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

/** The subset of `@aws-sdk/client-ec2` this function uses (the Lambda Node.js runtime provides the package). */
interface Ec2Sdk {
  readonly EC2Client: new (config: object) => { send(command: unknown): Promise<DescribeNetworkInterfacesOutput> };
  readonly DescribeNetworkInterfacesCommand: new (input: object) => unknown;
}
interface DescribeNetworkInterfacesOutput {
  readonly NetworkInterfaces?: ReadonlyArray<{ readonly PrivateIpAddress?: string }>;
}

/**
 * The private addresses of an Application Load Balancer's nodes: the network interfaces ELB creates for it carry the
 * description `ELB <load balancer full name>` (`app/<name>/<id>`). An internet-facing load balancer's DNS name
 * resolves to public addresses only, and traffic to those leaves through the NAT, where the test listener's
 * security group no longer sees the hook's security group.
 */
export function loadBalancerAddresses(
  loadBalancerFullName: string,
  loadSdk: () => Promise<Ec2Sdk> = runtimeEc2Sdk,
): () => Promise<readonly string[]> {
  return async () => {
    const sdk = await loadSdk();
    const client = new sdk.EC2Client({});
    const output = await client.send(
      new sdk.DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'description', Values: [`ELB ${loadBalancerFullName}`] }],
      }),
    );
    return (output.NetworkInterfaces ?? [])
      .map((networkInterface) => networkInterface.PrivateIpAddress)
      .filter((address): address is string => typeof address === 'string' && address !== '');
  };
}

/** The Lambda Node.js runtime's AWS SDK for JavaScript v3 (not a dependency of this package: named, not imported). */
const EC2_SDK_MODULE = '@aws-sdk/client-ec2';

async function runtimeEc2Sdk(): Promise<Ec2Sdk> {
  return (await import(EC2_SDK_MODULE)) as Ec2Sdk;
}

/** The settings from the function's environment (set by the `SmokeTestHook` construct). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): SmokeTestSettings {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set: the SmokeTestHook construct sets it; redeploy the stack.`);
    return value;
  };
  return {
    resolveAddresses: loadBalancerAddresses(required('LOAD_BALANCER_FULL_NAME')),
    port: Number(required('TEST_LISTENER_PORT')),
    healthPath: required('HEALTH_PATH'),
    versionPath: required('VERSION_PATH'),
    pagePath: required('PAGE_PATH'),
    expectedCommit: env.EXPECTED_COMMIT || undefined,
    maxAttempts: Number(env.MAX_ATTEMPTS ?? 10),
    retryDelaySeconds: Number(env.RETRY_DELAY_SECONDS ?? 15),
    requestTimeoutMs: Number(env.REQUEST_TIMEOUT_MS ?? 5000),
    log: (line) => console.log(line),
  };
}

let lambdaHandler: ((event: LifecycleHookEvent) => Promise<LifecycleHookResult>) | undefined;

/** The Lambda entry point (`index.handler`). */
export async function handler(event: LifecycleHookEvent): Promise<LifecycleHookResult> {
  lambdaHandler ??= createSmokeTestHook(settingsFromEnvironment(process.env));
  return lambdaHandler(event);
}
