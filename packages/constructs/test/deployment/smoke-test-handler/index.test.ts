import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import {
  ATTEMPT_DETAIL,
  CHECKS_DETAIL,
  LifecycleHookEvent,
  SmokeTestSettings,
  createSmokeTestHook,
  loadBalancerAddresses,
} from '../../../src/deployment/smoke-test-handler';

// The hook runs against the real sample API (packages/backend, started with tsx as its own process, as in a task)
// behind a stand-in for the load balancer's test listener: /api/* is forwarded to the API (502 when the API cannot
// be reached, as an ALB answers for a target that refuses connections), everything else serves the frontend's page.
// The events are shaped like ECS's lifecycle hook payloads (ECS developer guide, "Lifecycle payloads").

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..', '..', '..');
const BUILT_COMMIT = '3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345';
const PAGE =
  '<!doctype html>\n<html lang="en"><head><title>Slipway</title></head><body><main id="app"></main></body></html>\n';

class Backend {
  private process?: ChildProcess;
  public port = 0;

  public async start(gitSha: string): Promise<void> {
    const tsx = path.join(REPOSITORY_ROOT, 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [path.join(REPOSITORY_ROOT, 'packages', 'backend', 'src', 'server.ts')], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        GIT_SHA: gitSha,
        APP_ENV: 'prod',
        LOG_LEVEL: 'info',
        // No load balancer to drain from: stop at once.
        SHUTDOWN_DRAIN_DELAY_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    this.port = await new Promise<number>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`the backend did not start in 30 s:\n${output}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on [^"]*:(\d+)"/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`the backend exited with ${code}:\n${output}`)));
    });
  }

  public async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/** The test listener's stand-in: path routing like the load balancer's rules (/api/* to the API, the rest to the page). */
function testListener(backend: Backend, page: { contentType: string; body: string }): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    if (request.url?.startsWith('/api/')) {
      const upstream = http.request(
        { host: '127.0.0.1', port: backend.port, path: request.url, method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', () => {
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><body>502 Bad Gateway</body></html>');
      });
      upstream.end();
      return;
    }
    response.writeHead(200, { 'content-type': page.contentType });
    response.end(page.body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function settings(port: number, overrides: Partial<SmokeTestSettings> = {}): SmokeTestSettings & { lines: string[] } {
  const lines: string[] = [];
  return {
    resolveAddresses: async () => ['127.0.0.1'],
    port,
    healthPath: '/api/health',
    versionPath: '/api/version',
    pagePath: '/',
    expectedCommit: BUILT_COMMIT,
    maxAttempts: 3,
    retryDelaySeconds: 15,
    requestTimeoutMs: 2000,
    log: (line) => lines.push(line),
    lines,
    ...overrides,
  };
}

function event(hookDetails?: LifecycleHookEvent['hookDetails']): LifecycleHookEvent {
  return {
    serviceArn: 'arn:aws:ecs:eu-west-1:222222222222:service/prod-cluster/backend',
    targetServiceRevisionArn: 'arn:aws:ecs:eu-west-1:222222222222:service-revision/prod-cluster/backend/4981239875123',
    testTrafficWeights: {
      'arn:aws:ecs:eu-west-1:222222222222:service-revision/prod-cluster/backend/4981239875123': 100,
    },
    productionTrafficWeights: {
      'arn:aws:ecs:eu-west-1:222222222222:service-revision/prod-cluster/backend/1111111111111': 100,
    },
    ...(hookDetails === undefined ? {} : { hookDetails }),
  };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('the smoke test hook against the real backend', () => {
  const backend = new Backend();
  let listener: http.Server;
  let listenerPort: number;

  beforeAll(async () => {
    await backend.start(BUILT_COMMIT);
    listener = await testListener(backend, { contentType: 'text/html; charset=utf-8', body: PAGE });
    listenerPort = (listener.address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    await backend.stop();
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
  }, 30_000);

  test('GIVEN the new revision serves the built commit WHEN ECS invokes the hook THEN it answers SUCCEEDED', async () => {
    const hook = settings(listenerPort);
    await expect(createSmokeTestHook(hook)(event())).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(hook.lines).toEqual([
      expect.stringContaining('smoke test passed for arn:aws:ecs:eu-west-1:222222222222:service-revision/'),
    ]);
  });

  test('GIVEN /api/version reports another commit WHEN ECS invokes the hook THEN it answers FAILED at once, naming both commits', async () => {
    const hook = settings(listenerPort, { expectedCommit: 'b'.repeat(40) });
    await expect(createSmokeTestHook(hook)(event())).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(hook.lines.join('\n')).toContain(`/api/version reports commit ${BUILT_COMMIT}, expected ${'b'.repeat(40)}`);
  });

  test('GIVEN / does not serve the frontend HTML WHEN ECS invokes the hook THEN it answers FAILED', async () => {
    const jsonPage = await testListener(backend, {
      contentType: 'application/json',
      body: '{"message":"not the page"}',
    });
    try {
      const hook = settings((jsonPage.address() as AddressInfo).port);
      await expect(createSmokeTestHook(hook)(event())).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(hook.lines.join('\n')).toContain('/ did not serve an HTML page (application/json)');
    } finally {
      jsonPage.closeAllConnections();
      await new Promise((resolve) => jsonPage.close(resolve));
    }
  });

  test('GIVEN the test listener cannot be reached WHEN ECS invokes the hook THEN it answers IN_PROGRESS with a callback delay and counts the attempt, then FAILED after the last one', async () => {
    const hook = settings(await closedPort());
    const first = await createSmokeTestHook(hook)(event());
    expect(first).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 15, hookDetails: { [ATTEMPT_DETAIL]: 1 } });
    // ECS passes hookDetails back on the next invocation; CloudFormation's service-level HookDetails is a JSON string.
    const second = await createSmokeTestHook(hook)(event(JSON.stringify(first.hookDetails)));
    expect(second).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 15, hookDetails: { [ATTEMPT_DETAIL]: 2 } });
    await expect(createSmokeTestHook(hook)(event(second.hookDetails))).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(hook.lines.at(-1)).toMatch(
      /smoke test FAILED .* on attempt 3: http:\/\/127\.0\.0\.1:\d+\/api\/health unreachable/,
    );
  });

  test('GIVEN the load balancer answers 502 because the API is down WHEN ECS invokes the hook THEN it waits (IN_PROGRESS), and SUCCEEDS once the API answers', async () => {
    // GIVEN the API process stopped: the listener stand-in answers 502 for /api/*, as an ALB does
    await backend.stop();
    const hook = settings(listenerPort);
    const waiting = await createSmokeTestHook(hook)(event({ releaseTicket: 'REL-42' }));
    expect(waiting).toEqual({
      hookStatus: 'IN_PROGRESS',
      callBackDelay: 15,
      hookDetails: { releaseTicket: 'REL-42', [ATTEMPT_DETAIL]: 1 },
    });
    expect(hook.lines.at(-1)).toContain('/api/health answered 502, not 200');
    // WHEN the API is back by the next invocation
    await backend.start(BUILT_COMMIT);
    await expect(createSmokeTestHook(hook)(event(waiting.hookDetails))).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  }, 60_000);

  test('GIVEN the API keeps answering 502 WHEN the last attempt fails THEN the hook answers FAILED so ECS rolls back', async () => {
    await backend.stop();
    try {
      const hook = settings(listenerPort);
      await expect(createSmokeTestHook(hook)(event({ [ATTEMPT_DETAIL]: 2 }))).resolves.toEqual({
        hookStatus: 'FAILED',
      });
      expect(hook.lines.at(-1)).toContain('ECS rolls the deployment back');
    } finally {
      await backend.start(BUILT_COMMIT);
    }
  }, 60_000);

  test("GIVEN the frontend's hook (the page only) and no API behind the listener, as on a stack's first deploy, WHEN ECS invokes it THEN it answers SUCCEEDED", async () => {
    await backend.stop();
    try {
      const hook = settings(listenerPort);
      await expect(createSmokeTestHook(hook)(event({ [CHECKS_DETAIL]: ['page'] }))).resolves.toEqual({
        hookStatus: 'SUCCEEDED',
      });
    } finally {
      await backend.start(BUILT_COMMIT);
    }
  }, 60_000);

  test("GIVEN the backend's hook (health and version) and no page behind the listener WHEN ECS invokes it THEN it judges the API alone", async () => {
    const jsonPage = await testListener(backend, {
      contentType: 'application/json',
      body: '{"message":"not the page"}',
    });
    try {
      const port = (jsonPage.address() as AddressInfo).port;
      const checks = { [CHECKS_DETAIL]: ['health', 'version'] };
      await expect(createSmokeTestHook(settings(port))(event(checks))).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
      const wrongCommit = settings(port, { expectedCommit: 'c'.repeat(40) });
      await expect(createSmokeTestHook(wrongCommit)(event(checks))).resolves.toEqual({ hookStatus: 'FAILED' });
      expect(wrongCommit.lines.join('\n')).not.toContain('did not serve an HTML page');
    } finally {
      jsonPage.closeAllConnections();
      await new Promise((resolve) => jsonPage.close(resolve));
    }
  });

  test('GIVEN the checks named as a JSON string WHEN the listener cannot be reached THEN IN_PROGRESS keeps them for the next invocation', async () => {
    const hook = settings(await closedPort());
    const details = JSON.stringify({ [CHECKS_DETAIL]: ['page'] });
    await expect(createSmokeTestHook(hook)(event(details))).resolves.toEqual({
      hookStatus: 'IN_PROGRESS',
      callBackDelay: 15,
      hookDetails: { [CHECKS_DETAIL]: ['page'], [ATTEMPT_DETAIL]: 1 },
    });
    expect(hook.lines.at(-1)).toMatch(/http:\/\/127\.0\.0\.1:\d+\/ unreachable/);
    expect(hook.lines.at(-1)).not.toContain('/api/');
  });

  test('GIVEN a hook whose service no check concerns WHEN ECS invokes it THEN it answers SUCCEEDED without a request', async () => {
    const hook = settings(await closedPort(), {
      resolveAddresses: () => Promise.reject(new Error('no request was expected')),
    });
    await expect(createSmokeTestHook(hook)(event({ [CHECKS_DETAIL]: [] }))).resolves.toEqual({
      hookStatus: 'SUCCEEDED',
    });
    expect(hook.lines).toEqual([expect.stringContaining('no check concerns this service')]);
  });
});

describe('loadBalancerAddresses', () => {
  test('GIVEN the EC2 API lists the load balancer network interfaces THEN it asks by their ELB description and returns their private addresses', async () => {
    const sent: unknown[] = [];
    class DescribeNetworkInterfacesCommand {
      constructor(public readonly input: object) {}
    }
    class EC2Client {
      public async send(command: unknown) {
        sent.push(command);
        // Shaped like EC2 DescribeNetworkInterfaces output: one interface per load balancer node (subnet).
        return {
          NetworkInterfaces: [
            { Description: 'ELB app/prod-alb/50dc6c495c0c9188', PrivateIpAddress: '10.0.0.12' },
            { Description: 'ELB app/prod-alb/50dc6c495c0c9188', PrivateIpAddress: '10.0.64.40' },
            { Description: 'ELB app/prod-alb/50dc6c495c0c9188' },
          ],
        };
      }
    }
    const resolve = loadBalancerAddresses('app/prod-alb/50dc6c495c0c9188', async () => ({
      EC2Client,
      DescribeNetworkInterfacesCommand,
    }));
    await expect(resolve()).resolves.toEqual(['10.0.0.12', '10.0.64.40']);
    expect(sent).toEqual([
      { input: { Filters: [{ Name: 'description', Values: ['ELB app/prod-alb/50dc6c495c0c9188'] }] } },
    ]);
  });

  test('GIVEN no interface is found yet WHEN ECS invokes the hook THEN it answers IN_PROGRESS', async () => {
    const hook = settings(1, { resolveAddresses: async () => [] });
    await expect(createSmokeTestHook(hook)(event())).resolves.toMatchObject({ hookStatus: 'IN_PROGRESS' });
  });
});
