import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the image's programs are linked inside the sandbox; the container's PATH is this folder only. */
export const TOOLS_DIR = '/.fargate-contract/bin';

/** The host folders that stand in for the image's operating system (read-only, as image layers are). */
const SYSTEM_DIRS = ['bin', 'etc', 'lib', 'lib32', 'lib64', 'libx32', 'opt', 'sbin', 'usr', 'var'];

/** An empty volume as Fargate mounts it at a container path. */
export interface SandboxVolume {
  readonly path: string;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/** Everything the sandbox needs to start one container the way Fargate would. */
export interface SandboxSpec {
  /** A folder holding the image's own files at their image paths (what its COPY instructions put there). */
  readonly layerDir: string;
  /** A scratch folder for the sandbox's mounts. */
  readonly workDir: string;
  readonly readonlyRootFilesystem: boolean;
  readonly volumes: readonly SandboxVolume[];
  readonly uid: number;
  readonly gid: number;
  readonly workdir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly argv: readonly string[];
}

/** A container started in its own mount, network and PID namespaces. */
export class Sandbox {
  /**
   * Starts the container: a root made of this machine's system folders (read-only) with the image's
   * layer over them, the root itself read-only when the task definition says so, each mount point an
   * empty volume with the given owner and mode, the process under the image's user with the task's
   * environment, on a loopback-only network of its own. Needs root (util-linux unshare, mount, setpriv).
   */
  public static start(spec: SandboxSpec): Sandbox {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'the Fargate contract check needs root: it builds each container with Linux mount namespaces (unshare, mount, setpriv). Run it as root, as .ci/run does.',
      );
    }
    const rootDir = path.join(spec.workDir, 'root');
    const upperDir = path.join(spec.workDir, 'upper');
    fs.mkdirSync(rootDir, { recursive: true });
    fs.mkdirSync(upperDir, { recursive: true });
    const script = path.join(spec.workDir, 'start.sh');
    fs.writeFileSync(script, startScript(spec, rootDir, upperDir), { mode: 0o700 });
    // Output goes to a file, not to a pipe of ours: node's pipes are sockets, which a process cannot
    // open() again by name (nginx opens /dev/stdout), while ECS's log drivers read real pipes.
    const logFile = path.join(spec.workDir, 'container.log');
    const logFd = fs.openSync(logFile, 'a');
    // runc gives the container's stdio to the container's user (fixStdioPermissions), so a non-root
    // process may open /dev/stdout again.
    fs.fchownSync(logFd, spec.uid, spec.gid);
    try {
      const child = spawn(
        'unshare',
        ['--mount', '--net', '--pid', '--fork', '--kill-child', '--', '/bin/bash', script],
        {
          stdio: ['ignore', logFd, logFd],
        },
      );
      return new Sandbox(child, rootDir, logFile, spec);
    } finally {
      fs.closeSync(logFd);
    }
  }

  /** Container output so far (stdout and stderr interleaved as they came). */
  public get log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Exit code or signal of the container's process, once it has ended. */
  public exit?: string;
  private readonly exited: Promise<void>;
  private pid?: number;

  private constructor(
    private readonly child: ChildProcess,
    private readonly rootDir: string,
    private readonly logFile: string,
    private readonly spec: SandboxSpec,
  ) {
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exit = signal ? signal : `exit code ${code}`;
        resolve();
      }),
    );
    child.on('error', (error) => fs.appendFileSync(this.logFile, `\n${error.message}`));
  }

  /** True while the container's process runs. */
  public get running(): boolean {
    return this.exit === undefined;
  }

  /**
   * The host PID of the container's process, once it runs inside its root (before that, undefined).
   */
  public containerPid(): number | undefined {
    if (this.pid) return this.pid;
    const pid = this.namespaceInit();
    try {
      if (!pid || fs.readlinkSync(`/proc/${pid}/root`) !== this.rootDir) return undefined;
      this.pid = pid;
      return pid;
    } catch {
      return undefined;
    }
  }

  /**
   * The host PID of unshare's child, the first process of the new PID namespace (its init): the start script,
   * which becomes the container's process. Undefined before it exists and after it has ended.
   */
  private namespaceInit(): number | undefined {
    const unsharePid = this.child.pid;
    if (!unsharePid || !this.running) return undefined;
    try {
      const [first] = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/);
      return Number(first) || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Runs a command inside the running container as `docker exec` (and ECS's health check) does: same
   * root, working directory, user, environment and network. Resolves with its exit code and output.
   */
  public async exec(argv: readonly string[], timeoutMs: number): Promise<{ code: number; output: string }> {
    const pid = this.containerPid();
    if (!pid) return { code: -1, output: 'the container is not running' };
    return settle(
      run(
        'nsenter',
        [
          `--target=${pid}`,
          '--mount',
          '--net',
          '--root',
          '--wd',
          '--',
          ...asUser(this.spec),
          ...envArgs(this.spec, this.spec.workdir),
          ...argv,
        ],
        { timeout: timeoutMs, killSignal: 'SIGKILL' },
      ),
    );
  }

  /** Sends an HTTP GET from inside the container's network (as the load balancer or API would reach the task). */
  public async httpGet(port: number, urlPath: string, timeoutMs: number): Promise<{ code: number; output: string }> {
    const pid = this.containerPid();
    if (!pid) return { code: -1, output: 'the container is not running' };
    const probe =
      'fetch(process.argv[1], { signal: AbortSignal.timeout(Number(process.argv[2])) })' +
      '.then((r) => { console.log(r.status); }, (e) => { console.log(String(e.cause?.code ?? e.message)); process.exit(2); })';
    return settle(
      run(
        'nsenter',
        [
          `--target=${pid}`,
          '--net',
          '--',
          process.execPath,
          '-e',
          probe,
          `http://127.0.0.1:${port}${urlPath}`,
          `${timeoutMs}`,
        ],
        { timeout: timeoutMs + 2_000, killSignal: 'SIGKILL' },
      ),
    );
  }

  /** Sends `signal` to the container's process and waits up to `timeoutMs` for it to end; then kills it. */
  public async stop(signal: string, timeoutMs: number): Promise<{ exitedInTime: boolean; exit: string }> {
    const pid = this.containerPid();
    if (pid && this.running) {
      try {
        process.kill(pid, signal as NodeJS.Signals);
      } catch {
        // it ended meanwhile
      }
    }
    const inTime = await this.exitsWithin(timeoutMs);
    if (!inTime) await this.kill();
    return { exitedInTime: inTime, exit: this.exit ?? 'killed' };
  }

  /** Ends the container and everything in its namespaces. */
  public async kill(): Promise<void> {
    if (this.running) {
      // When a PID namespace's init dies, the kernel kills every other process in the namespace. unshare's
      // --kill-child alone does not reach it: setpriv changes the process's user on the way into the container,
      // and a change of credentials clears the parent-death signal (prctl(2), PR_SET_PDEATHSIG), so a
      // container running as a non-root user outlived unshare.
      // unshare --fork waits for that init and exits once it is gone, reaping it (killed first, it would leave
      // the init to the host's PID 1); only if it does not, it is killed too.
      const init = this.namespaceInit();
      if (init) {
        try {
          process.kill(init, 'SIGKILL');
        } catch {
          // it ended meanwhile
        }
      }
      if (!(await this.exitsWithin(2_000))) this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  /** True once the container has ended, false if it still runs after `timeoutMs`. */
  private exitsWithin(timeoutMs: number): Promise<boolean> {
    return Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
  }
}

function startScript(spec: SandboxSpec, rootDir: string, upperDir: string): string {
  const q = shellQuote;
  const lines = [
    'set -euo pipefail',
    // Nothing mounted here leaks to the host, and nothing the host mounts later appears here.
    'mount --make-rprivate /',
    'ip link set lo up',
    `R=${q(rootDir)}`,
    `L=${q(spec.layerDir)}`,
    `U=${q(upperDir)}`,
    `mount -t tmpfs -o mode=0755 fargate-root "$R"`,
    spec.readonlyRootFilesystem ? ':' : 'mount -t tmpfs -o mode=0755 fargate-upper "$U"',
    // The image's operating system: this machine's system folders, with the image's layer over them.
    `for name in ${SYSTEM_DIRS.join(' ')}; do`,
    '  if [ -L "/$name" ]; then ln -s "$(readlink "/$name")" "$R/$name"; continue; fi',
    '  [ -d "/$name" ] || continue',
    '  mkdir "$R/$name"',
    '  lower="/$name"',
    '  [ -d "$L/$name" ] && lower="$L/$name:/$name"',
    spec.readonlyRootFilesystem
      ? [
          '  if [ "$lower" = "/$name" ]; then',
          '    mount --bind "/$name" "$R/$name" && mount -o remount,bind,ro "$R/$name"',
          '  else',
          '    mount -t overlay fargate-image -o "lowerdir=$lower" "$R/$name"',
          '  fi',
        ].join('\n')
      : [
          '  mkdir -p "$U/upper/$name" "$U/work/$name"',
          '  mount -t overlay fargate-image -o "lowerdir=$lower,upperdir=$U/upper/$name,workdir=$U/work/$name" "$R/$name"',
        ].join('\n'),
    'done',
    // The image's own top-level folders (/app, /tmp as a mount point, the tool links).
    'for dir in "$L"/* "$L"/.[!.]*; do',
    '  [ -d "$dir" ] || continue',
    '  name=$(basename "$dir")',
    '  [ -e "$R/$name" ] && continue',
    '  mkdir "$R/$name"',
    spec.readonlyRootFilesystem
      ? '  mount --bind "$dir" "$R/$name" && mount -o remount,bind,ro "$R/$name"'
      : // A scratch copy of the layer: writes land there, not in the image.
        '  mount --bind "$dir" "$R/$name"',
    'done',
    'mkdir -p "$R/proc" "$R/dev"',
    'mount -t proc proc "$R/proc"',
    'mount --rbind /dev "$R/dev"',
    // Each mount point: an empty volume with the owner and mode Fargate gives it.
    ...spec.volumes.map(
      (volume) =>
        `mount -t tmpfs -o ${q(`mode=${volume.mode.toString(8)},uid=${volume.uid},gid=${volume.gid},size=64m`)} fargate-volume "$R"${q(volume.path)}`,
    ),
    spec.readonlyRootFilesystem ? 'mount -o remount,ro "$R"' : ':',
    `exec chroot "$R" ${[...asUser(spec), ...envArgs(spec, spec.workdir), ...spec.argv].map(q).join(' ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** setpriv: the image's user, no supplementary groups, no capabilities, no way to gain privileges. */
function asUser(spec: SandboxSpec): string[] {
  return [
    '/usr/bin/setpriv',
    `--reuid=${spec.uid}`,
    `--regid=${spec.gid}`,
    '--clear-groups',
    '--no-new-privs',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--',
  ];
}

/** env: only the container's environment, PATH limited to the image's programs, started in the working directory. */
function envArgs(spec: SandboxSpec, workdir: string): string[] {
  return [
    '/usr/bin/env',
    '-i',
    `--chdir=${workdir}`,
    ...Object.entries({ ...spec.env, PATH: TOOLS_DIR }).map(([name, value]) => `${name}=${value}`),
  ];
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function settle(promise: Promise<{ stdout: string; stderr: string }>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promise;
    return { code: 0, output: `${stdout}${stderr}`.trim() };
  } catch (error) {
    const failure = error as { code?: number | string; killed?: boolean; stdout?: string; stderr?: string };
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim();
    if (failure.killed) return { code: -1, output: `${output}\n(timed out)`.trim() };
    return { code: typeof failure.code === 'number' ? failure.code : -1, output: output || String(error) };
  }
}
