import { ConfigIssue } from './slipway-config-error';

/**
 * Fargate's valid task sizes (Linux, platform 1.4.0): for each CPU value in
 * CPU units, the allowed memory values in MiB.
 *
 * Source: the "Task CPU and memory" table of the Amazon ECS developer guide.
 */
export const FARGATE_TASK_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** Whether `cpu` units with `memoryMiB` is a task size Fargate accepts. */
export function isValidFargateSize(cpu: number, memoryMiB: number): boolean {
  return FARGATE_TASK_SIZES[cpu]?.includes(memoryMiB) ?? false;
}

/**
 * A human-readable list of the memory values allowed for `cpu`, or of the valid CPU values.
 * @param memoryName what the memory setting is called where the reader sets it
 * @default memoryName 'memoryMiB'
 */
export function describeFargateMemoryFor(cpu: number, memoryName = 'memoryMiB'): string {
  const memory = FARGATE_TASK_SIZES[cpu];
  if (!memory) return `valid cpu values are ${Object.keys(FARGATE_TASK_SIZES).join(', ')}`;
  return `with cpu ${cpu} ${memoryName} must be one of ${memory.join(', ')}`;
}

/** A task size to check against Fargate's table, and the names the settings have where the reader sets them. */
export interface FargateTaskSize {
  /** CPU units. */
  readonly cpu: number;
  /** Memory in MiB. */
  readonly memory: number;
  /** The memory field's full name in the message, e.g. `services.backend.memoryMiB`. */
  readonly field: string;
  /** The memory field's short name, e.g. `memoryMiB` or `memoryLimitMiB`. */
  readonly memoryName: string;
}

/** The problem with a task size Fargate does not accept (environment settings and service props share it), if any. */
export function fargateTaskSizeIssue(size: FargateTaskSize): ConfigIssue | undefined {
  if (isValidFargateSize(size.cpu, size.memory)) return undefined;
  return {
    field: size.field,
    value: { cpu: size.cpu, [size.memoryName]: size.memory },
    problem: 'must be a Fargate task size together with cpu',
    fix: `Fargate accepts only fixed pairs: ${describeFargateMemoryFor(size.cpu, size.memoryName)}.`,
  };
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}
