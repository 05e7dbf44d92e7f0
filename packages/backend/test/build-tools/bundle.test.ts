import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { BUNDLE_FILES, bundleServer, rdsCertificateBundle } from '../../build-tools/bundle';
import { DEAD_DATABASE_URL, databaseTargets } from '../support/databases';
import { type ServerProcess, startServer } from '../support/spawn-server';

jest.setTimeout(60_000);

const PACKAGE_DIR = path.join(__dirname, '..', '..');
const REPO_ROOT = path.join(PACKAGE_DIR, '..', '..');
const DOCKERFILE = readFileSync(path.join(PACKAGE_DIR, 'Dockerfile'), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped, split into stages. */
function stages(): { name: string; instructions: string[] }[] {
  const instructions = DOCKERFILE.replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: { name: string; instructions: string[] }[] = [{ name: 'global', instructions: [] }];
  for (const instruction of instructions) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(instruction);
    if (from) {
      result.push({ name: from[1] ?? `stage${result.length}`, instructions: [] });
    }
    result[result.length - 1].instructions.push(instruction);
  }
  return result;
}

function stage(name: string): string[] {
  const found = stages().find((candidate) => candidate.name === name);
  if (!found) {
    throw new Error(`no stage ${name} in the Dockerfile`);
  }
  return found.instructions;
}

/** Sources of the COPY instructions of a stage (all arguments but the last), with their --from. */
function copies(instructions: string[]): { from?: string; sources: string[]; destination: string }[] {
  return instructions
    .filter((instruction) => /^COPY\s/i.test(instruction))
    .map((instruction) => {
      const words = instruction.split(/\s+/).slice(1);
      const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((word) => !word.startsWith('--'));
      return { from, sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
    });
}

describe('the server bundle', () => {
  let outdir: string;
  let bundleBytes: number;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    // Outside the repository: no node_modules up the tree, so the bundle must hold every dependency.
    outdir = mkdtempSync(path.join(os.tmpdir(), 'slipway-bundle-'));
    ({ bundleBytes } = await bundleServer(outdir));
  });

  afterEach(() => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGKILL');
    }
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('is one JavaScript file under 2 MB, with a linked source map pointing at src/', () => {
    expect(BUNDLE_FILES.map((file) => existsSync(path.join(outdir, file)))).toEqual(BUNDLE_FILES.map(() => true));
    expect(statSync(path.join(outdir, 'server.js')).size).toBe(bundleBytes);
    // 1.5 MB before the data tier; the Redis client adds about 0.5 MB that esbuild cannot shake out.
    expect(bundleBytes).toBeLessThan(2_000_000);
    expect(readFileSync(path.join(outdir, 'server.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=server\.js\.map\s*$/);
    const map = JSON.parse(readFileSync(path.join(outdir, 'server.js.map'), 'utf8')) as { sources: string[] };
    expect(map.sources).toEqual(
      expect.arrayContaining([expect.stringMatching(/src\/server\.ts$/), expect.stringMatching(/src\/app\.ts$/)]),
    );
  });

  test('`node server.js` serves /api/health and /api/version without node_modules, and stops cleanly on SIGTERM', async () => {
    // No drain delay: test/server.test.ts covers the drain; here only the clean exit matters.
    const running = await startServer(
      { GIT_SHA: 'abc1234', APP_VERSION: '9.9.9', APP_ENV: 'bundle-test', SHUTDOWN_DRAIN_DELAY_MS: '0' },
      path.join(outdir, 'server.js'),
    );
    server = running;
    const health = await fetch(`http://127.0.0.1:${running.port}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const version = await fetch(`http://127.0.0.1:${running.port}/api/version`);
    expect(await version.json()).toMatchObject({ version: '9.9.9', gitSha: 'abc1234', environment: 'bundle-test' });
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });

  test("the Dockerfile's HEALTHCHECK command passes against the running bundle and fails once it is gone", async () => {
    const healthcheck = stage('runtime').find((instruction) => instruction.startsWith('HEALTHCHECK'))!;
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
    expect(command[0]).toBe('node');
    const running = await startServer({ SHUTDOWN_DRAIN_DELAY_MS: '0' }, path.join(outdir, 'server.js'));
    server = running;
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH, PORT: String(running.port) };
    await expect(run(process.execPath, command.slice(1), { env })).resolves.toBeDefined();
    running.child.kill('SIGTERM');
    await running.exited;
    await expect(run(process.execPath, command.slice(1), { env })).rejects.toMatchObject({ code: 1 });
  });
});

describe('the migration bundle', () => {
  let outdir: string;
  beforeAll(async () => {
    outdir = mkdtempSync(path.join(os.tmpdir(), 'slipway-migrate-'));
    await bundleServer(path.join(outdir, 'dist'));
    // As in the image: /app/dist/migrate.js and /app/migrations/, no node_modules.
    cpSync(path.join(PACKAGE_DIR, 'migrations'), path.join(outdir, 'migrations'), { recursive: true });
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string>) =>
    promisify(execFile)(process.execPath, [path.join(outdir, 'dist', 'migrate.js'), ...args], {
      env: { PATH: process.env.PATH, ...env },
    });

  test('`node dist/migrate.js` applies the migrations once, `down 1` reverts the last, without node_modules', async () => {
    const database = await databaseTargets()[0].create({ migrated: false });
    try {
      const first = await run([], { DATABASE_URL: database.url });
      expect(first.stdout).toMatch(/"msg":"migrate: ran 1 migration\(s\)"/);
      const again = await run(['up'], { DATABASE_URL: database.url });
      expect(again.stdout).toMatch(/nothing to do, the database is up to date/);
      const down = await run(['down', '1'], { DATABASE_URL: database.url });
      expect(down.stdout).toMatch(/"direction":"down","migrations":\["\d+_create-greetings"\]/);
    } finally {
      await database.drop();
    }
  });

  test('exits 1 with a usage line without DATABASE_URL, with bad arguments, or when the database is down', async () => {
    await expect(run([], {})).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^DATABASE_URL is not set/),
    });
    await expect(run(['sideways'], { DATABASE_URL: DEAD_DATABASE_URL })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^usage: node dist\/migrate\.js/),
    });
    await expect(run([], { DATABASE_URL: DEAD_DATABASE_URL })).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/"level":"fatal".*migrate: failed/),
    });
  });
});

describe('rds-ca.pem, the certificates the image trusts for the database', () => {
  /** Each certificate of a PEM file. */
  const certificates = (pem: string) =>
    (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map(
      (block) => new X509Certificate(block),
    );
  const commonName = (certificate: X509Certificate) => /CN=([^\n]+)/.exec(certificate.subject)?.[1];

  test('holds the three current Amazon RDS roots of each region, and only certificate authorities', () => {
    const bundle = certificates(rdsCertificateBundle(new Date('2026-12-01T00:00:00Z')));
    const names = bundle.map(commonName);
    const regions = new Set(
      names.map((name) => /^Amazon RDS ([a-z]{2}(?:-[a-z]+)+-\d) Root CA/.exec(name ?? '')?.[1]).filter(Boolean),
    );
    // THEN every region AWS listed when the package was made, from us-east-1 to ap-southeast-4
    expect(regions.size).toBeGreaterThanOrEqual(27);
    expect([...regions]).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-4', 'me-central-1']));
    for (const region of regions) {
      for (const generation of ['RSA2048 G1', 'RSA4096 G1', 'ECC384 G1']) {
        // rds-ca-rsa2048-g1 is the one Slipway's databases use; a region's root signs its servers' certificates
        const root = bundle.find(
          (certificate) => commonName(certificate) === `Amazon RDS ${region} Root CA ${generation}`,
        );
        expect({ region, generation, root: root?.issuer === root?.subject && root?.ca }).toEqual({
          region,
          generation,
          root: true,
        });
      }
    }
    // AND RDS Proxy's roots; nothing that is not a certificate authority
    expect(names).toEqual(expect.arrayContaining(['Amazon Root CA 1']));
    expect(bundle.every((certificate) => certificate.ca)).toBe(true);
  });

  test('leaves out the certificates that have expired when it is built', () => {
    const all = certificates(rdsCertificateBundle(new Date('2020-01-01T00:00:00Z')));
    const now = certificates(rdsCertificateBundle(new Date('2026-12-01T00:00:00Z')));
    // The 2019 generation expired in August 2024
    expect(all.some((certificate) => commonName(certificate) === 'Amazon RDS us-east-1 2019 CA')).toBe(true);
    expect(now.some((certificate) => commonName(certificate) === 'Amazon RDS us-east-1 2019 CA')).toBe(false);
    expect(now.every((certificate) => new Date(certificate.validTo) > new Date('2026-12-01T00:00:00Z'))).toBe(true);
  });
});

describe('the Dockerfile', () => {
  test('pulls every base image from the ECR Public mirror of Docker official images', () => {
    const defaults = Object.fromEntries(
      stage('global')
        .map((instruction) => /^ARG\s+(\w+)=(\S+)/.exec(instruction))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1], match[2]]),
    );
    const images = DOCKERFILE.split('\n')
      .filter((line) => line.startsWith('FROM '))
      .map((line) => line.split(/\s+/)[1].replace(/^\$\{(\w+)\}$/, (_whole, name: string) => defaults[name]));
    expect(images).toHaveLength(2);
    for (const image of images) {
      expect(image).toMatch(/^public\.ecr\.aws\/docker\/library\/node:24[\w.-]*$/);
    }
  });

  test('the build stage copies paths that exist in the repository (the build context is its root)', () => {
    const sources = copies(stage('build')).flatMap((copy) => copy.sources);
    expect(sources).toEqual(expect.arrayContaining(['package-lock.json', 'packages/backend/src']));
    for (const source of sources) {
      expect({ source, exists: existsSync(path.join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
    }
  });

  test('the build stage runs the same bundle script, and the runtime stage copies exactly the files it writes', () => {
    expect(stage('build')).toContain('RUN npx --no-install tsx build-tools/bundle.ts');
    const [copy] = copies(stage('runtime'));
    expect(copy.from).toBe('build');
    expect(copy.sources.map((source) => path.posix.relative('/workspace/packages/backend/dist', source))).toEqual([
      ...BUNDLE_FILES,
    ]);
    expect(copy.destination).toBe('./dist/');
  });

  test('the runtime stage runs the bundle with node as a non-root user, in production mode, with the commit from the build arg', () => {
    const runtime = stage('runtime');
    expect(runtime).toContain('ARG GIT_SHA=unknown');
    expect(runtime.join('\n')).toMatch(/^ENV NODE_ENV=production\s+PORT=8000\s+GIT_SHA=\$\{GIT_SHA\}/m);
    expect(runtime).toContain('USER node');
    expect(runtime).toContain('EXPOSE 8000');
    // The database's certificate is checked against the bundle's RDS roots (PGSSLMODE=verify-full in the task)
    expect(runtime).toContain('ENV PGSSLROOTCERT=/app/dist/rds-ca.pem');
    expect(runtime[runtime.length - 1]).toBe('CMD ["node", "dist/server.js"]');
    expect(runtime.filter((instruction) => /^RUN\s/.test(instruction)).join('\n')).not.toMatch(/npm (ci|install)/);
  });

  test('its ignore file is an allowlist that lets in every path the build stage copies, and nothing else', () => {
    const ignore = readFileSync(path.join(PACKAGE_DIR, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.slice(1).map((line) => line.replace(/^!/, '').replace(/\/$/, ''));
    const sources = copies(stage('build')).flatMap((copy) => copy.sources);
    expect([...allowed].sort()).toEqual([...sources].sort());
  });
});
