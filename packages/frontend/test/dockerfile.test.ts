import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_DIR } from '../build-tools/site-build';

// No Docker engine here: these tests hold the Dockerfile to the files and commands the other
// tests exercise, so that what the image copies and runs is what nginx and the build were tested with.

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      const resolved = image.replace(/^\$\{(\w+)\}$/, (_match, arg: string) => args.get(arg) ?? '');
      stages.push({ image: resolved, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value] = rest.split('=');
      args.set(name, value ?? '');
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(fs.readFileSync(path.join(PACKAGE_DIR, 'Dockerfile'), 'utf8'));
const [build, runtime] = dockerfile.stages;
const copies = (stage: Stage) =>
  stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) => {
      const from = /--from=(\S+)/.exec(instruction.args)?.[1];
      const parts = instruction.args.replace(/--\S+/g, '').trim().split(/\s+/);
      return { from, sources: parts.slice(0, -1), destination: parts[parts.length - 1] };
    });

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(PACKAGE_DIR, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

describe('Dockerfile', () => {
  test('builds with Node 24 and serves with unprivileged nginx, both from the ECR Public mirror', () => {
    expect(dockerfile.stages).toHaveLength(2);
    expect(build.image).toMatch(/^public\.ecr\.aws\/docker\/library\/node:24[-.]/);
    expect(build.name).toBe('build');
    expect(runtime.image).toMatch(/^public\.ecr\.aws\/nginx\/nginx-unprivileged:/);
  });

  test('builds with the same command as the bundle task', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, '.projen', 'tasks.json'), 'utf8')) as {
      tasks: Record<string, { steps?: { exec?: string }[] }>;
    };
    const bundleCommand = tasks.tasks.bundle.steps?.[0]?.exec;

    expect(bundleCommand).toBe('tsx build-tools/bundle.ts');
    const runs = build.instructions
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((instruction) => instruction.args);
    expect(runs).toContain(`node_modules/.bin/${bundleCommand}`);
  });

  test('copies into the build only files that exist and that .dockerignore lets through', () => {
    const ignore = fs
      .readFileSync(path.join(PACKAGE_DIR, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    // An allowlist: exclude everything, then let named entries through.
    expect(ignore[0]).toBe('*');
    const allowed = ignore.slice(1).map((line) => {
      expect(line.startsWith('!')).toBe(true);
      return line.slice(1).replace(/\/$/, '');
    });

    const contextSources = [...copies(build), ...copies(runtime)]
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) => copy.sources);
    expect(contextSources.length).toBeGreaterThan(0);
    for (const source of contextSources) {
      const relative = source.replace(/\/$/, '');
      expect({ source, exists: fs.existsSync(path.join(PACKAGE_DIR, relative)) }).toEqual({ source, exists: true });
      expect({
        source,
        allowed: allowed.some((entry) => relative === entry || relative.startsWith(`${entry}/`)),
      }).toEqual({ source, allowed: true });
    }
  });

  test('serves what the build stage wrote to dist/', () => {
    const workdir = build.instructions.find((instruction) => instruction.keyword === 'WORKDIR')?.args;
    const fromBuild = copies(runtime).filter((copy) => copy.from === 'build');

    expect(fromBuild).toEqual([
      { from: 'build', sources: [`${workdir}/dist/`], destination: '/usr/share/nginx/html/' },
    ]);
    // bundle.ts writes dist/ next to build-tools/, i.e. in the WORKDIR the sources were copied to.
    expect(fs.readFileSync(path.join(PACKAGE_DIR, 'build-tools', 'bundle.ts'), 'utf8')).toContain(
      "path.join(PACKAGE_DIR, 'dist')",
    );
  });

  test('installs every nginx file the tests ran with (and nothing from nginx/local/) into /etc/nginx', () => {
    const installed = copies(runtime)
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) =>
        copy.sources.map((source) => ({ source: source.replace(/\/$/, ''), destination: copy.destination })),
      );
    for (const { source, destination } of installed) {
      expect(source.startsWith('nginx/')).toBe(true);
      expect(destination).toBe(`/etc/nginx/${source.slice('nginx/'.length)}${source.endsWith('.conf') ? '' : '/'}`);
    }
    const covered = (file: string) => installed.some(({ source }) => file === source || file.startsWith(`${source}/`));
    const files = listFiles(path.join(PACKAGE_DIR, 'nginx'));
    expect(files.filter((file) => !file.startsWith('nginx/local/') && !covered(file))).toEqual([]);
    expect(files.filter((file) => file.startsWith('nginx/local/') && covered(file))).toEqual([]);
  });

  test('runs nginx as a non-root user on the port the configuration listens on, with no build tools', () => {
    const users = runtime.instructions
      .filter((instruction) => instruction.keyword === 'USER')
      .map((instruction) => instruction.args);
    expect(users[users.length - 1]).toMatch(/^(?!0$|root$)\S+$/);

    const listen = /^\s*listen (\d+);$/m.exec(
      fs.readFileSync(path.join(PACKAGE_DIR, 'nginx', 'conf.d', 'default.conf'), 'utf8'),
    )?.[1];
    expect(runtime.instructions.find((instruction) => instruction.keyword === 'EXPOSE')?.args).toBe(listen);
    expect(listen).toBe('8080');

    const runtimeRuns = runtime.instructions
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((instruction) => instruction.args);
    expect(runtimeRuns.filter((run) => /\b(npm|node|npx|apk|apt-get)\b/.test(run))).toEqual([]);
    expect(runtime.instructions.find((instruction) => instruction.keyword === 'ENTRYPOINT')?.args).toBe(
      '["nginx", "-g", "daemon off;"]',
    );
  });
});
