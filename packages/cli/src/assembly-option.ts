import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where `slipway cost` and `slipway diagram` look for the cloud assembly when no --assembly is given, in order. */
export const DEFAULT_ASSEMBLY_DIRS = ['cdk.out', path.join('packages', 'infra', 'cdk.out')] as const;

/**
 * The cloud assembly directory: `--assembly` (or `--app-dir`) when given,
 * else `cdk.out` when run inside packages/infra, else packages/infra/cdk.out
 * (the monorepo root, where the projen tasks run).
 */
export function resolveAssemblyDir(cwd: string, flag: string | undefined): string {
  if (flag !== undefined) return path.resolve(cwd, flag);
  const found = DEFAULT_ASSEMBLY_DIRS.map((dir) => path.resolve(cwd, dir)).find((dir) =>
    fs.existsSync(path.join(dir, 'manifest.json')),
  );
  return found ?? path.resolve(cwd, DEFAULT_ASSEMBLY_DIRS[1]);
}
