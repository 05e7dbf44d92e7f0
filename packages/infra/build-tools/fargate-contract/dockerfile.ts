/** One instruction of a Dockerfile, continuation lines joined. */
export interface DockerInstruction {
  /** Upper-case keyword, e.g. `COPY`. */
  readonly keyword: string;
  /** Everything after the keyword, as written. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

/** One build stage: `FROM <image> [AS <name>]` and what follows it. */
export interface DockerStage {
  /** The base image with build arguments substituted. */
  readonly image: string;
  /** The stage's name (`AS build`), if any. */
  readonly name?: string;
  readonly instructions: DockerInstruction[];
}

/** A `COPY` of the final stage. */
export interface DockerCopy {
  /** The stage (name or index) it copies from, or undefined for the build context. */
  readonly from?: string;
  /** `--chown=user[:group]`, if given. */
  readonly chown?: string;
  readonly sources: string[];
  readonly destination: string;
  readonly line: number;
}

/** What the final stage of a Dockerfile makes the container: the parts the Fargate contract check needs. */
export interface DockerImageSpec {
  /** The runtime (last) stage's base image. */
  readonly baseImage: string;
  /** `USER` of the final stage, if any. */
  readonly user?: string;
  /** `WORKDIR` of the final stage (absolute). */
  readonly workdir: string;
  /** `ENV` of the final stage, build arguments substituted. */
  readonly env: Record<string, string>;
  /** `VOLUME` paths of the final stage. */
  readonly volumes: string[];
  readonly entrypoint: string[];
  readonly cmd: string[];
  /** `STOPSIGNAL` (default SIGTERM), what `docker stop` and ECS send first. */
  readonly stopSignal: string;
  readonly copies: DockerCopy[];
  /** `LABEL`s of the final stage. */
  readonly labels: Record<string, string>;
  /** The final stage's `RUN` commands, as written. */
  readonly runs: DockerInstruction[];
}

/** A Dockerfile the check cannot read: names the file and the line. */
export class DockerfileError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'DockerfileError';
  }
}

/**
 * Splits a Dockerfile into stages. Handles what Slipway's and most app Dockerfiles use: comments,
 * `\` continuations, global `ARG`s before the first `FROM` (with defaults and build-argument
 * overrides), `FROM <image> AS <name>`.
 */
export function parseStages(
  text: string,
  file: string,
  buildArgs: Readonly<Record<string, string>> = {},
): { stages: DockerStage[]; globalArgs: Map<string, string> } {
  const globalArgs = new Map<string, string>();
  const stages: DockerStage[] = [];
  for (const instruction of instructionsOf(text)) {
    if (instruction.keyword === 'FROM') {
      const [, image, name] = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(instruction.args) ?? [];
      if (!image) throw new DockerfileError(file, instruction.line, `cannot read FROM ${instruction.args}`);
      stages.push({ image: substitute(image, globalArgs), name, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') {
        throw new DockerfileError(file, instruction.line, `${instruction.keyword} before the first FROM`);
      }
      const [name, ...value] = instruction.args.trim().split('=');
      globalArgs.set(name, buildArgs[name] ?? unquote(value.join('=')));
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new DockerfileError(file, 1, 'has no FROM');
  return { stages, globalArgs };
}

/** Reads what the final stage of a Dockerfile makes the container. */
export function parseDockerfile(
  text: string,
  file: string,
  buildArgs: Readonly<Record<string, string>> = {},
): DockerImageSpec {
  const { stages } = parseStages(text, file, buildArgs);
  const final = stages[stages.length - 1];
  // Arguments a stage declares (ARG NAME[=default]) are visible to its later instructions.
  const stageArgs = new Map<string, string>();
  const env: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const volumes: string[] = [];
  const copies: DockerCopy[] = [];
  const runs: DockerInstruction[] = [];
  let user: string | undefined;
  let workdir = '/';
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  let stopSignal = 'SIGTERM';
  const expand = (value: string) => substitute(value, new Map([...stageArgs, ...Object.entries(env)]));
  for (const instruction of final.instructions) {
    const args = instruction.args.trim();
    switch (instruction.keyword) {
      case 'ARG': {
        const [name, ...value] = args.split('=');
        stageArgs.set(name, buildArgs[name] ?? unquote(value.join('=')));
        break;
      }
      case 'ENV':
        for (const [name, value] of keyValues(args)) env[name] = expand(value);
        break;
      case 'LABEL':
        for (const [name, value] of keyValues(args)) labels[name] = expand(value);
        break;
      case 'USER':
        user = expand(args);
        break;
      case 'WORKDIR':
        workdir = absolute(expand(args), workdir);
        break;
      case 'VOLUME':
        volumes.push(...(args.startsWith('[') ? jsonArray(args, file, instruction.line) : args.split(/\s+/)));
        break;
      case 'ENTRYPOINT':
        entrypoint = execForm(args, file, instruction.line);
        // Docker resets CMD when a stage sets ENTRYPOINT.
        cmd = [];
        break;
      case 'CMD':
        cmd = execForm(args, file, instruction.line);
        break;
      case 'STOPSIGNAL':
        stopSignal = /^\d+$/.test(args) ? args : args.startsWith('SIG') ? args : `SIG${args}`;
        break;
      case 'COPY':
      case 'ADD':
        copies.push(readCopy(instruction, file, expand, workdir));
        break;
      case 'RUN':
        runs.push(instruction);
        break;
      default:
        break;
    }
  }
  return {
    baseImage: final.image,
    user,
    workdir,
    env,
    volumes,
    entrypoint,
    cmd,
    stopSignal,
    copies,
    labels,
    runs,
  };
}

function instructionsOf(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  const lines = text.split('\n');
  let pending: { text: string; line: number } | undefined;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#'))) return;
    if (pending !== undefined && line.startsWith('#')) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1) : line;
    pending = pending ? { text: `${pending.text} ${body}`, line: pending.line } : { text: body, line: index + 1 };
    if (!continued) {
      const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(pending.text.trim()) ?? [];
      instructions.push({ keyword: keyword.toUpperCase(), args: rest ?? '', line: pending.line });
      pending = undefined;
    }
  });
  return instructions;
}

function readCopy(
  instruction: DockerInstruction,
  file: string,
  expand: (value: string) => string,
  workdir: string,
): DockerCopy {
  const [, flagText, rest] = /^((?:--\S+\s+)*)(.*)$/s.exec(instruction.args.trim()) ?? [];
  const flags = flagText.split(/\s+/).filter((word) => word !== '');
  const paths = rest.startsWith('[') ? jsonArray(rest, file, instruction.line) : rest.split(/\s+/).map(expand);
  if (paths.length < 2) {
    throw new DockerfileError(file, instruction.line, `${instruction.keyword} needs a source and a destination`);
  }
  const flag = (name: string) => flags.find((word) => word.startsWith(`--${name}=`))?.slice(`--${name}=`.length);
  return {
    from: flag('from'),
    chown: flag('chown'),
    sources: paths.slice(0, -1),
    // A relative destination is relative to the WORKDIR in force at that point.
    destination: absolute(paths[paths.length - 1], workdir),
    line: instruction.line,
  };
}

/** `ENV A=1 B="two words"` or the legacy `ENV A 1`. */
function keyValues(args: string): [string, string][] {
  if (!/^[\w.-]+=/.test(args)) {
    const [name, ...rest] = args.split(/\s+/);
    return [[name, rest.join(' ')]];
  }
  const pairs: [string, string][] = [];
  const pattern = /([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let match = pattern.exec(args); match; match = pattern.exec(args)) pairs.push([match[1], unquote(match[2])]);
  return pairs;
}

function execForm(args: string, file: string, line: number): string[] {
  // The shell form runs under /bin/sh -c, as Docker does.
  return args.startsWith('[') ? jsonArray(args, file, line) : ['/bin/sh', '-c', args];
}

function jsonArray(args: string, file: string, line: number): string[] {
  try {
    const value: unknown = JSON.parse(args);
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  } catch {
    // reported below
  }
  throw new DockerfileError(file, line, `expected a JSON array of strings, got ${args}`);
}

function absolute(target: string, workdir: string): string {
  if (target.startsWith('/')) return target;
  const joined = `${workdir.replace(/\/$/, '')}/${target.replace(/^\.\//, '')}`;
  return target === '.' || target === './' ? `${workdir.replace(/\/$/, '')}/` : joined;
}

function unquote(value: string): string {
  return /^".*"$/.test(value) ? (JSON.parse(value) as string) : value;
}

function substitute(value: string, variables: Map<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g,
    (_match, braced: string, fallback: string, bare: string) => {
      const name = braced ?? bare;
      return variables.get(name) || fallback || '';
    },
  );
}
