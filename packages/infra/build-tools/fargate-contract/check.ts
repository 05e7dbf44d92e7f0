import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerImageSpec, parseDockerfile } from './dockerfile';
import { baseImageFacts, BaseImageFacts, BUILD_STAGE_OUTPUTS, hostTool, ImageUser } from './image-facts';
import { Sandbox, SandboxVolume, TOOLS_DIR } from './sandbox';
import { ContainerUnderTest } from './task-definitions';

/** Options of `checkContainer`. */
export interface CheckOptions {
  /** The repository root: where the build stages' outputs are (`packages/*\/dist`). */
  readonly repositoryRoot: string;
  /**
   * The Dockerfile's text.
   * @default - read from the staged build context in the cloud assembly
   */
  readonly dockerfileText?: string;
}

/** The outcome for one container. */
export interface ContainerReport {
  readonly id: string;
  readonly ok: boolean;
  /** Why it would not start or not become healthy on Fargate; empty when ok. */
  readonly problems: readonly string[];
  /** Seconds from start until both health signals passed (or until it gave up). */
  readonly seconds: number;
  /** Seconds from the stop signal until the process ended, when it got that far. */
  readonly stopSeconds?: number;
  /** What the container printed. */
  readonly log: string;
}

/** Commands a health check may use without the image having them: the shell's builtins. */
const SHELL_BUILTINS = new Set(['exit', 'true', 'false', 'test', '[', 'echo', 'printf', 'cd', ':', 'exec', 'set']);

/** How often the health signals are tried while the container starts. */
const POLL_MS = 250;

/**
 * Runs one container the way Fargate will (see `Sandbox`) and reports whether it becomes healthy within
 * its health check's start period: ECS's own health-check command succeeds inside the container, and
 * what fronts it (the target group's health-check path, or the HTTP API's routes) gets an answer.
 * Then stops it as ECS does (the image's STOPSIGNAL, SIGKILL after StopTimeout) and requires a clean exit.
 */
export async function checkContainer(container: ContainerUnderTest, options: CheckOptions): Promise<ContainerReport> {
  const started = Date.now();
  const problems: string[] = [];
  let healthyAt: number | undefined;
  let stopSeconds: number | undefined;
  const report = (log: string): ContainerReport => ({
    id: container.id,
    ok: problems.length === 0,
    problems,
    seconds: ((healthyAt ?? Date.now()) - started) / 1000,
    stopSeconds,
    log,
  });
  const dockerfilePath = path.join(container.contextDir, container.dockerfile);
  let image: DockerImageSpec;
  let facts: BaseImageFacts;
  try {
    image = parseDockerfile(
      options.dockerfileText ?? fs.readFileSync(dockerfilePath, 'utf8'),
      container.dockerfile,
      container.buildArgs,
    );
    facts = baseImageFacts(image.baseImage);
  } catch (error) {
    problems.push((error as Error).message);
    return report('');
  }

  const definition = container.definition;
  const user = resolveUser(definition.User ?? image.user ?? 'root', facts, problems);
  const entry = [...(definition.EntryPoint ?? image.entrypoint), ...(definition.Command ?? image.cmd)];
  if (entry.length === 0) {
    problems.push('the image has neither ENTRYPOINT nor CMD and the task definition sets no command');
  }
  requireTools('the start command', commandsOf(entry), facts, problems);
  const healthCheck = healthCheckArgv(definition.HealthCheck?.Command);
  if (healthCheck) requireTools('the container health check', commandsOf(healthCheck), facts, problems);
  const volumes = (definition.MountPoints ?? []).map((mount) => volumeFor(mount.ContainerPath, image, facts, problems));
  if (problems.length > 0 || !user) return report('');

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fargate-contract-'));
  try {
    const layerDir = path.join(workDir, 'layer');
    buildLayer(layerDir, image, facts, definition.MountPoints ?? [], options.repositoryRoot, container, problems);
    if (problems.length > 0) return report('');
    const workdir = definition.WorkingDirectory ?? image.workdir;
    const sandbox = Sandbox.start({
      layerDir,
      workDir,
      readonlyRootFilesystem: definition.ReadonlyRootFilesystem === true,
      volumes,
      uid: user.uid,
      gid: user.gid,
      workdir,
      env: containerEnvironment(image, definition),
      argv: entry,
    });
    try {
      await waitUntilHealthy(sandbox, container, healthCheck, problems);
      healthyAt = Date.now();
      if (problems.length === 0) {
        const stopTimeoutMs = (definition.StopTimeout ?? 30) * 1000;
        const stop = await sandbox.stop(image.stopSignal, stopTimeoutMs);
        stopSeconds = (Date.now() - healthyAt) / 1000;
        if (!stop.exitedInTime) {
          problems.push(
            `did not exit within the task's StopTimeout (${stopTimeoutMs / 1000} s) after ${image.stopSignal}: ECS would kill it (SIGKILL) mid-request`,
          );
        } else if (stop.exit !== 'exit code 0') {
          problems.push(`ended with ${stop.exit} after ${image.stopSignal}, not exit code 0`);
        }
      }
    } finally {
      await sandbox.kill();
    }
    return report(sandbox.log);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function waitUntilHealthy(
  sandbox: Sandbox,
  container: ContainerUnderTest,
  healthCheck: string[] | undefined,
  problems: string[],
): Promise<void> {
  const definition = container.definition;
  const startPeriodSeconds = definition.HealthCheck?.StartPeriod ?? 0;
  // Without a start period ECS counts failures at once; give the process the check's first interval.
  const deadline = Date.now() + 1000 * (startPeriodSeconds || definition.HealthCheck?.Interval || 30);
  const timeoutMs = 1000 * (definition.HealthCheck?.Timeout ?? 5);
  const ingress = container.ingress;
  let lastHealth = 'never ran';
  let lastIngress = 'never answered';
  let healthy = !healthCheck;
  let answered = ingress.kind === 'none';
  while (Date.now() < deadline && sandbox.running && !(healthy && answered)) {
    if (sandbox.containerPid()) {
      if (!healthy && healthCheck) {
        const result = await sandbox.exec(healthCheck, timeoutMs);
        healthy = result.code === 0;
        lastHealth = `exit code ${result.code}${result.output ? `: ${result.output}` : ''}`;
      }
      if (!answered && ingress.kind === 'target-group') {
        const result = await sandbox.httpGet(ingress.port, ingress.path, timeoutMs);
        answered = result.code === 0 && matches(ingress.matcher, Number(result.output));
        lastIngress = `GET ${ingress.path} on port ${ingress.port}: ${result.output}`;
      } else if (!answered && ingress.kind === 'http-api') {
        const results = await Promise.all(
          ingress.paths.map(async (urlPath) => ({
            urlPath,
            ...(await sandbox.httpGet(ingress.port, urlPath, timeoutMs)),
          })),
        );
        // API Gateway forwards whatever the service answers; a 5xx or no answer is what breaks the route.
        answered = results.every((result) => result.code === 0 && Number(result.output) < 500);
        lastIngress = results
          .map((result) => `GET ${result.urlPath} on port ${ingress.port}: ${result.output}`)
          .join('; ');
      }
    }
    if (!(healthy && answered)) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (!sandbox.running) {
    problems.push(`exited (${sandbox.exit}) before it was healthy`);
    return;
  }
  const within = `within its start period (${startPeriodSeconds} s)`;
  if (!healthy) {
    problems.push(`its health check (${healthCheck?.join(' ')}) did not pass ${within}: last ${lastHealth}`);
  }
  if (!answered) {
    const what = ingress.kind === 'target-group' ? "the target group's health check" : 'the HTTP API routes';
    problems.push(`${what} got no healthy answer ${within}: last ${lastIngress}`);
  }
}

/** The user ECS runs the process as: `name`, `uid` or `uid:gid`, resolved through the image's /etc/passwd. */
function resolveUser(value: string, facts: BaseImageFacts, problems: string[]): ImageUser | undefined {
  const [name, group] = value.split(':');
  const known = facts.users[name];
  if (!known && !/^\d+$/.test(name)) {
    problems.push(
      `runs as user ${value}, which the base image does not have (it has ${Object.keys(facts.users).join(', ')})`,
    );
    return undefined;
  }
  // A numeric uid missing from /etc/passwd gets group 0, as in Docker.
  const uid = known?.uid ?? Number(name);
  const gid = group === undefined ? (known?.gid ?? 0) : /^\d+$/.test(group) ? Number(group) : facts.users[group]?.gid;
  if (gid === undefined) {
    problems.push(`runs as group ${group}, which the base image does not have`);
    return undefined;
  }
  return { uid, gid };
}

function healthCheckArgv(command: readonly string[] | undefined): string[] | undefined {
  if (!command || command[0] === 'NONE') return undefined;
  if (command[0] === 'CMD-SHELL') return ['/bin/sh', '-c', command.slice(1).join(' ')];
  return command[0] === 'CMD' ? command.slice(1) : [...command];
}

/** The programs a command line starts: argv[0], or for `sh -c` the first word of each simple command. */
function commandsOf(argv: readonly string[]): string[] {
  const [program, flag, script] = argv;
  if (/(^|\/)sh$/.test(program) && flag === '-c' && script !== undefined) {
    return [
      'sh',
      ...script
        .split(/&&|\|\||[;|&]/)
        .map((part) => part.trim().split(/\s+/)[0])
        .filter((word) => word !== undefined && word !== '' && !/^\w+=/.test(word)),
    ];
  }
  return program ? [program] : [];
}

function requireTools(what: string, commands: readonly string[], facts: BaseImageFacts, problems: string[]): void {
  for (const command of commands) {
    const name = path.posix.basename(command);
    if (!SHELL_BUILTINS.has(name) && !facts.tools.includes(name)) {
      problems.push(
        `${what} calls ${command}, which the base image does not have (it has ${facts.tools.join(', ')}); the command fails on Fargate`,
      );
    }
  }
}

/**
 * A task volume at a container path: empty, root:root 0755, unless the image declares a VOLUME there
 * (then ECS copies the image's content, owner and mode into it). AWS ECS Developer Guide, "Use bind mounts".
 */
function volumeFor(
  containerPath: string,
  image: DockerImageSpec,
  facts: BaseImageFacts,
  problems: string[],
): SandboxVolume {
  if (!image.volumes.includes(containerPath)) return { path: containerPath, uid: 0, gid: 0, mode: 0o755 };
  const changed = image.runs.find((run) => run.args.split(/[\s;&|]+/).includes(containerPath));
  const known = facts.paths[containerPath];
  if (changed || !known) {
    problems.push(
      changed
        ? `VOLUME ${containerPath}: a RUN instruction (line ${changed.line}) changes it, so the check cannot tell the owner and mode ECS copies; list the result in image-facts.ts`
        : `VOLUME ${containerPath}: the base image's owner and mode of it are not in image-facts.ts`,
    );
    return { path: containerPath, uid: 0, gid: 0, mode: 0o755 };
  }
  return { path: containerPath, ...known };
}

function containerEnvironment(image: DockerImageSpec, definition: ContainerUnderTest['definition']) {
  const env: Record<string, string> = { HOSTNAME: 'fargate-contract-check', HOME: '/', ...image.env };
  for (const variable of definition.Environment ?? []) env[variable.Name] = environmentValue(variable.Value);
  // ECS resolves secrets before start; their values are unknowable here, their names are not.
  for (const secret of definition.Secrets ?? []) env[secret.Name] = `dummy-${secret.Name.toLowerCase()}`;
  return env;
}

/**
 * A task's environment value as the container sees it. CloudFormation resolves an attribute of another resource
 * (`Fn::GetAtt`) before ECS starts the task; here it stands in with a value of the same form: an address becomes a
 * host name under `.invalid` (RFC 6761: never resolves, so a client sees the dependency as unreachable, as it
 * would be from this sandbox), a port a port number. Anything else stays its JSON, which a strict reader refuses.
 */
export function environmentValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2 && getAtt.every((part) => typeof part === 'string')) {
    const [logicalId, attribute] = getAtt as [string, string];
    if (/(Address|DNSName|DnsName|Hostname)$/.test(attribute)) return `${logicalId.toLowerCase()}.unresolved.invalid`;
    if (/Port$/.test(attribute)) return '6379';
  }
  return JSON.stringify(value);
}

/**
 * The image's own files at their image paths, owned by root unless COPY --chown says otherwise, plus
 * the links to the image's programs and the mount points' folders.
 */
function buildLayer(
  layerDir: string,
  image: DockerImageSpec,
  facts: BaseImageFacts,
  mounts: readonly { ContainerPath: string }[],
  repositoryRoot: string,
  container: ContainerUnderTest,
  problems: string[],
): void {
  fs.mkdirSync(layerDir, { recursive: true, mode: 0o755 });
  const title = image.labels['org.opencontainers.image.title'];
  for (const copy of image.copies) {
    for (const source of copy.sources) {
      let from: string;
      if (copy.from === undefined) {
        from = path.join(container.contextDir, source);
      } else {
        const output = (BUILD_STAGE_OUTPUTS[title] ?? []).find(
          (candidate) => candidate.stage === copy.from && source.startsWith(candidate.prefix),
        );
        if (!output) {
          problems.push(
            `line ${copy.line}: COPY --from=${copy.from} ${source}: no BUILD_STAGE_OUTPUTS entry for image "${title}" says where this build output is in the repository`,
          );
          continue;
        }
        from = path.join(repositoryRoot, output.local, source.slice(output.prefix.length));
      }
      if (!fs.existsSync(from)) {
        problems.push(
          `line ${copy.line}: COPY ${source}: ${path.relative(repositoryRoot, from) || from} does not exist; run \`npx projen build\` first`,
        );
        continue;
      }
      const isDir = fs.statSync(from).isDirectory();
      const toDir = copy.destination.endsWith('/') || copy.sources.length > 1 || isDir;
      const target = path.join(
        layerDir,
        toDir && !isDir ? path.posix.join(copy.destination, path.basename(from)) : copy.destination,
      );
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      fs.cpSync(from, target, { recursive: true });
      chownTree(target, ownerOf(copy.chown, facts));
    }
  }
  // The base image's own directories (e.g. /tmp, 1777), with their owner and mode.
  for (const [dir, owner] of Object.entries(facts.paths)) {
    const target = path.join(layerDir, dir);
    fs.mkdirSync(target, { recursive: true });
    fs.chmodSync(target, owner.mode);
    fs.chownSync(target, owner.uid, owner.gid);
  }
  fs.mkdirSync(path.join(layerDir, image.workdir), { recursive: true, mode: 0o755 });
  for (const mount of mounts) fs.mkdirSync(path.join(layerDir, mount.ContainerPath), { recursive: true, mode: 0o755 });
  const tools = path.join(layerDir, TOOLS_DIR);
  fs.mkdirSync(tools, { recursive: true, mode: 0o755 });
  for (const name of facts.tools) {
    try {
      fs.symlinkSync(hostTool(name).path, path.join(tools, name));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
}

function ownerOf(chown: string | undefined, facts: BaseImageFacts): ImageUser {
  if (!chown) return { uid: 0, gid: 0 };
  const [user, group] = chown.split(':');
  const uid = facts.users[user]?.uid ?? Number(user);
  const gid = group === undefined ? (facts.users[user]?.gid ?? uid) : (facts.users[group]?.gid ?? Number(group));
  return { uid, gid };
}

function chownTree(target: string, owner: ImageUser): void {
  fs.lchownSync(target, owner.uid, owner.gid);
  if (fs.lstatSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), owner);
  }
}

/** An ELB matcher: `200`, `200,204` or `200-299`. */
function matches(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [low, high] = part.split('-').map(Number);
    return high === undefined ? status === low : status >= low && status <= high;
  });
}
