import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkContainer, ContainerReport } from '../../build-tools/fargate-contract/check';
import { ContainerUnderTest, readContainers } from '../../build-tools/fargate-contract/task-definitions';
import { createApp, REPOSITORY_ROOT } from '../../src/app';

// The Fargate contract check over the synthesized app: every container of every task definition, dev and
// prod, started as Fargate starts it (read-only root, task volumes root:root 0755 unless the image declares
// a VOLUME, the image's user, the task's environment and port), healthy only when its own health check and
// what fronts it pass within the start period, then stopped as ECS stops it. Needs root (mount namespaces),
// Debian's nginx and busybox: `npx projen test:fargate`, run by .ci/run.
jest.setTimeout(120_000);

let outdir: string;
let containers: ContainerUnderTest[];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-fargate-contract-'));
  createApp({ outdir }).synth();
  containers = readContainers(outdir);
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** Host PIDs of processes a contract check started: every container's environment has this HOSTNAME. */
function containerProcesses(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('HOSTNAME=fargate-contract-check');
      } catch {
        return false; // ended meanwhile, or a kernel thread
      }
    })
    .map(Number);
}

// Processes of containers from earlier runs (or other checks on this machine) are not this file's to judge.
const runningBefore = containerProcesses();

const check = (container: ContainerUnderTest, dockerfileText?: string) =>
  checkContainer(container, { repositoryRoot: REPOSITORY_ROOT, dockerfileText });

function find(stack: string, name: string): ContainerUnderTest {
  const found = containers.find(
    (container) => container.stackName.endsWith(`-${stack}`) && container.containerName === name,
  );
  if (!found) throw new Error(`no ${name} container in the ${stack} stack: ${containers.map((c) => c.id).join(', ')}`);
  return found;
}

/** The same container with changes to its task definition entry. */
function changed(
  container: ContainerUnderTest,
  definition: Partial<ContainerUnderTest['definition']>,
): ContainerUnderTest {
  return { ...container, definition: { ...container.definition, ...definition } };
}

function dockerfileOf(container: ContainerUnderTest): string {
  return fs.readFileSync(path.join(container.contextDir, container.dockerfile), 'utf8');
}

function explain(report: ContainerReport): string {
  return `${report.id}: ${report.problems.join('; ')}\n${report.log.split('\n').slice(-20).join('\n')}`;
}

describe('every container of the app starts on Fargate', () => {
  test('the app has the backend and frontend in dev and prod', () => {
    expect(
      containers.map((container) => `${container.stackName.replace(/^.*-/, '')}/${container.containerName}`).sort(),
    ).toEqual(['dev/backend', 'dev/frontend', 'prod/backend', 'prod/frontend']);
    // Dev has no load balancer: the HTTP API's routes reach the services; prod's target groups check them.
    expect(find('dev', 'backend').ingress.kind).toBe('http-api');
    expect(find('prod', 'frontend').ingress).toMatchObject({ kind: 'target-group', path: '/healthz', port: 8080 });
  });

  // Each container has its own namespaces, network and scratch folder, so the checks run side by side (the
  // backend's stop alone takes its 15 s drain).
  test.concurrent.each(['dev/backend', 'dev/frontend', 'prod/backend', 'prod/frontend'])(
    '%s becomes healthy within its start period and stops cleanly',
    async (which) => {
      const [stack, name] = which.split('/');
      const container = find(stack, name);
      // Fargate's terms come from the task definition, not from the test.
      expect(container.definition.ReadonlyRootFilesystem).toBe(true);
      expect(container.definition.MountPoints?.map((mount) => mount.ContainerPath)).toEqual(['/tmp']);

      const report = await check(container);

      expect(report.ok ? 'healthy' : explain(report)).toBe('healthy');
      expect(report.seconds).toBeLessThan(container.definition.HealthCheck?.StartPeriod ?? 0);
      expect(report.stopSeconds).toBeLessThan(container.definition.StopTimeout ?? 0);
    },
  );
});

describe('the check fails a container that Fargate would fail', () => {
  test.concurrent(
    'nginx cannot start when the image declares no VOLUME at /tmp: the volume is root-owned 0755',
    async () => {
      const frontend = find('prod', 'frontend');
      const withoutVolume = dockerfileOf(frontend).replace(/^VOLUME .*$/m, '');
      expect(withoutVolume).not.toMatch(/^VOLUME/m);

      const report = await check(frontend, withoutVolume);

      expect(report.ok).toBe(false);
      expect(report.problems.join('\n')).toMatch(/exited \(exit code 1\) before it was healthy/);
      expect(report.log).toMatch(/mkdir\(\) "\/tmp\/client_temp" failed \(13: Permission denied\)/);
    },
  );

  test.concurrent(
    'a health check that calls a program the image lacks (curl) fails before anything starts',
    async () => {
      const frontend = changed(find('dev', 'frontend'), {
        HealthCheck: { Command: ['CMD-SHELL', 'curl -fs http://127.0.0.1:8080/healthz || exit 1'], StartPeriod: 10 },
      });

      const report = await check(frontend);

      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([
        expect.stringMatching(/health check calls curl, which the base image does not have/),
      ]);
    },
  );

  describe("without a volume at /tmp, a write to the image's own /tmp (1777)", () => {
    const writeTmpThenServe = (readonlyRoot: boolean) => {
      const dev = find('dev', 'backend');
      return changed(dev, {
        ReadonlyRootFilesystem: readonlyRoot,
        MountPoints: [],
        Command: ['node', '-e', "require('node:fs').writeFileSync('/tmp/probe', 'ok'); require('/app/dist/server.js')"],
        Environment: [...(dev.definition.Environment ?? []), { Name: 'SHUTDOWN_DRAIN_DELAY_MS', Value: '0' }],
      });
    };

    test.concurrent('succeeds on a writable root filesystem', async () => {
      const report = await check(writeTmpThenServe(false));

      expect(report.ok ? 'healthy' : explain(report)).toBe('healthy');
    });

    test.concurrent('fails on a read-only one', async () => {
      const report = await check(writeTmpThenServe(true));

      expect(report.ok).toBe(false);
      expect(report.log).toMatch(/EROFS: read-only file system, open '\/tmp\/probe'/);
    });
  });

  test.concurrent('the root filesystem is read-only: a process that writes outside its volumes exits', async () => {
    const backend = changed(find('dev', 'backend'), {
      Command: ['node', '-e', "require('node:fs').writeFileSync('/app/state.json', '{}')"],
    });

    const report = await check(backend);

    expect(report.ok).toBe(false);
    expect(report.log).toMatch(/EROFS: read-only file system/);
  });

  test.concurrent('the volume is writable when it should be: the image user can write to /tmp', async () => {
    // The same container, told to write to its volume before serving: it must still become healthy.
    const dev = find('dev', 'backend');
    const backend = changed(dev, {
      Command: ['node', '-e', "require('node:fs').writeFileSync('/tmp/probe', 'ok'); require('/app/dist/server.js')"],
      // The stop is not under test here: no drain delay.
      Environment: [...(dev.definition.Environment ?? []), { Name: 'SHUTDOWN_DRAIN_DELAY_MS', Value: '0' }],
    });

    const report = await check(backend);

    expect({ ok: report.ok, problems: report.problems }).toEqual({ ok: true, problems: [] });
  });

  test.concurrent('a target group health-check path the service does not answer with 200 fails', async () => {
    const backend = find('prod', 'backend');
    const report = await check({
      ...backend,
      ingress: { kind: 'target-group', path: '/api/nowhere', port: 8000, matcher: '200' },
    });

    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringMatching(
        /target group's health check got no healthy answer within its start period \(10 s\): last GET \/api\/nowhere on port 8000: 404/,
      ),
    ]);
  });

  test.concurrent('a process that ignores the stop signal past StopTimeout fails', async () => {
    const backend = changed(find('dev', 'backend'), {
      // A server that answers everything and ignores SIGTERM.
      Command: [
        'node',
        '-e',
        "process.on('SIGTERM', () => {}); require('node:http').createServer((q, r) => r.end('ok')).listen(8000)",
      ],
      StopTimeout: 2,
    });

    const report = await check(backend);

    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringMatching(/did not exit within the task's StopTimeout \(2 s\) after SIGTERM/),
    ]);
  });

  test.concurrent('a user the image does not have fails before anything starts', async () => {
    const frontend = changed(find('dev', 'frontend'), { User: 'www-data' });

    const report = await check(frontend);

    expect(report.problems).toEqual([
      expect.stringMatching(/runs as user www-data, which the base image does not have/),
    ]);
  });
});

// Last in the file: jest runs this after every concurrent test above has finished (each-hooks do not wrap
// concurrent tests). Whatever a check found, it ends every process it started: a container whose check failed
// used to keep running as its non-root user, one per run, until the machine stopped.
test('no container process outlives its check', () => {
  const describeProcess = (pid: number) => {
    try {
      return `${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')}`;
    } catch {
      return String(pid);
    }
  };
  const left = containerProcesses().filter((pid) => !runningBefore.includes(pid));
  expect(left.map(describeProcess)).toEqual([]);
});
