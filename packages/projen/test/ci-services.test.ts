import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { github } from 'projen';
import { Testing } from 'projen/lib/testing';
import { SlipwayProject } from '../src';

/*
 * The generated project's pull-request build must give the backend's tests a real PostgreSQL and Redis: with
 * CI=true (projen's build workflow sets it) packages/backend/test/support/databases.ts and redis.ts fail when
 * TEST_DATABASE_URL or TEST_REDIS_URL is missing. GitHub passes variables to later steps through the file named
 * by $GITHUB_ENV (one NAME=value a line), which is what these tests read.
 */

jest.setTimeout(120_000);

function buildJob(): { job: github.workflows.Job; steps: github.workflows.JobStep[]; yaml: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ci-services-'));
  const project = new SlipwayProject({ name: 'acme-shop', defaultReleaseBranch: 'main', outdir });
  const job = project.github!.tryFindWorkflow('build')!.getJob('build') as github.workflows.Job;
  const yaml = Testing.synth(project)['.github/workflows/build.yml'];
  fs.rmSync(outdir, { recursive: true, force: true });
  // projen's build workflow gives its steps lazily, so the pre- and post-build steps are resolved at synth.
  const lazy = job.steps as unknown as github.workflows.JobStep[] | (() => github.workflows.JobStep[]);
  return { job, steps: typeof lazy === 'function' ? lazy() : lazy, yaml };
}

/** Stop a server the step started from `data`, as the user it runs as (postgres when this runs as root). */
function stopPostgres(data: string): void {
  const version = fs
    .readdirSync('/usr/lib/postgresql')
    .sort((a, b) => Number(a) - Number(b))
    .pop();
  const pgCtl = `/usr/lib/postgresql/${version}/bin/pg_ctl`;
  const command = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', pgCtl] : [pgCtl];
  execFileSync(command[0], [...command.slice(1), '-D', data, '-m', 'fast', '-w', 'stop'], { stdio: 'ignore' });
}

describe('the build workflow of a generated project', () => {
  const { job, steps, yaml } = buildJob();
  const names = steps.map((step) => step.name ?? step.run ?? step.uses);

  test('installs PostgreSQL and Redis and starts them before the build, with CI=true for the whole job', () => {
    const install = names.indexOf('Install nginx, busybox, PostgreSQL and Redis');
    const start = names.indexOf('Start PostgreSQL and Redis on loopback');
    const build = steps.findIndex((step) => step.run === 'npx projen build');
    expect(install).toBeGreaterThan(-1);
    expect(start).toBe(install + 1);
    expect(build).toBeGreaterThan(start);
    expect(steps[install].run).toBe(
      'sudo apt-get update && sudo apt-get install -y nginx busybox postgresql redis-server',
    );
    expect(job.env).toEqual(expect.objectContaining({ CI: 'true' }));
    expect(yaml).toContain('TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/postgres');
  });

  test('the start step runs: both servers answer on loopback at the URLs it exports through $GITHUB_ENV', () => {
    const step = steps[names.indexOf('Start PostgreSQL and Redis on loopback')];
    expect(step.shell).toBe('bash');
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-ci-step-'));
    const githubEnv = path.join(work, 'github-env');
    fs.writeFileSync(githubEnv, '');
    // RUNNER_TEMP unset: the data folder goes under /tmp, which the postgres user can reach when this runs as root.
    const before = new Set(fs.readdirSync('/tmp'));
    const env = { ...process.env, GITHUB_ENV: githubEnv, RUNNER_TEMP: '' };
    let exported: Record<string, string> = {};
    try {
      execFileSync('bash', ['-c', step.run!], { env, stdio: 'pipe' });
      exported = Object.fromEntries(
        fs
          .readFileSync(githubEnv, 'utf8')
          .trim()
          .split('\n')
          .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
      );
      expect(Object.keys(exported).sort()).toEqual(['TEST_DATABASE_URL', 'TEST_REDIS_URL']);
      expect(exported.TEST_DATABASE_URL).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      expect(exported.TEST_REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      const answer = execFileSync('psql', [exported.TEST_DATABASE_URL, '-tAc', 'select 1 + 1'], { encoding: 'utf8' });
      expect(answer.trim()).toBe('2');
      expect(execFileSync('redis-cli', ['-u', exported.TEST_REDIS_URL, 'ping'], { encoding: 'utf8' }).trim()).toBe(
        'PONG',
      );
    } finally {
      // Stop what the step started (a runner is thrown away; this machine is not).
      if (exported.TEST_REDIS_URL) {
        execFileSync('redis-cli', ['-u', exported.TEST_REDIS_URL, 'shutdown', 'nosave'], { stdio: 'ignore' });
      }
      for (const entry of fs.readdirSync('/tmp').filter((name) => name.startsWith('postgres.') && !before.has(name))) {
        const data = path.join('/tmp', entry);
        try {
          stopPostgres(data);
        } finally {
          fs.rmSync(data, { recursive: true, force: true });
        }
      }
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
