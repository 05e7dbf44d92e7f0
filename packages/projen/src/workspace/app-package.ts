import * as fs from 'node:fs';
import * as path from 'node:path';
import { javascript, typescript } from 'projen';
import { useFastTests } from '../fast-tests';
import { addSamples, SAMPLES_DIR, sampleReadme } from '../samples';
import { MIN_NODE_VERSION, TSC_NATIVE, VERSIONS } from '../versions';

/** What distinguishes one application package of the monorepo from another. */
export interface AppPackageOptions {
  /** Folder name under packages/, also the sample folder name. */
  readonly dir: string;
  /** What the package is, for package.json. */
  readonly description: string;
  readonly deps?: string[];
  readonly devDeps?: string[];
  /** Extra tsconfig `include` globs (relative to the package), e.g. shared folders outside it. */
  readonly include?: string[];
  /** Extra jest settings merged over the defaults. */
  readonly jestConfig?: javascript.JestConfigOptions;
  /** Write the sample code. */
  readonly sampleCode: boolean;
}

/** Scoped or plain package name for a workspace package of `rootName`. */
export function workspacePackageName(rootName: string, dir: string): string {
  const scope = rootName.startsWith('@') ? rootName.split('/')[0] : undefined;
  const base = rootName.replace(/^@[^/]+\//, '');
  return scope ? `${scope}/${dir}` : `${base}-${dir}`;
}

/**
 * A private TypeScript package of the monorepo (an app, not a library): its
 * own tasks and tests, no npm install of its own (NpmWorkspaces), no lint or
 * formatting config of its own (the root's is shared), no publishing.
 */
export function createAppPackage(
  root: typescript.TypeScriptProject,
  options: AppPackageOptions,
): typescript.TypeScriptProject {
  // projen writes a README once; the package's sample README, or projen's "# replace this".
  const readmeFile = path.join(SAMPLES_DIR, options.dir, 'README.md');
  const project = new typescript.TypeScriptProject({
    readme:
      options.sampleCode && fs.existsSync(readmeFile)
        ? { contents: sampleReadme(fs.readFileSync(readmeFile, 'utf8')) }
        : undefined,
    parent: root,
    outdir: path.posix.join('packages', options.dir),
    name: workspacePackageName(root.package.packageName, options.dir),
    description: options.description,
    defaultReleaseBranch: root.release?.branches[0] ?? 'main',
    packageManager: javascript.NodePackageManager.NPM,
    projenrcTs: false,
    sampleCode: false,
    licensed: false,
    package: false,
    entrypoint: '',
    entrypointTypes: '',
    release: false,
    depsUpgrade: false,
    eslint: false,
    prettier: false,
    typescriptVersion: VERSIONS.typescript,
    projenDevDependency: false,
    deps: options.deps,
    devDeps: [`@types/node@${VERSIONS.nodeTypes}`, ...(options.devDeps ?? [])],
    minNodeVersion: MIN_NODE_VERSION,
    tsconfig: {
      include: options.include,
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'node16',
        moduleResolution: javascript.TypeScriptModuleResolution.NODE16,
        esModuleInterop: true,
        skipLibCheck: true,
      },
    },
    jestOptions: {
      jestVersion: VERSIONS.jest,
      // CI must fail on a changed snapshot, never rewrite it.
      updateSnapshot: javascript.UpdateSnapshot.NEVER,
      jestConfig: {
        testMatch: ['<rootDir>/test/**/*.test.ts'],
        ...options.jestConfig,
      },
    },
    // @swc/jest transpiles each test file on its own (tsc type-checks in compile); isolatedModules makes tsc
    // refuse what a file-by-file transpiler cannot get right.
    tsconfigDev: { compilerOptions: { isolatedModules: true } },
  });
  project.package.addField('private', true);
  useFastTests(project);
  if (options.sampleCode) {
    addSamples(project, path.join(SAMPLES_DIR, options.dir));
  }
  return project;
}

/**
 * `compile` type-checks the whole package as one tsc program: the test tsconfig (it extends the package's)
 * with `dirs` added. A program for the sources and another for the tests checked every source file twice,
 * the tests importing them, and paid tsc's start-up and the standard library's types twice. It runs TypeScript 7's
 * native tsc (see TYPESCRIPT_NATIVE): the same checks, in a fraction of 6.0's time.
 */
export function typeCheckInOneProgram(project: typescript.TypeScriptProject, dirs: string[], name: string): void {
  for (const dir of dirs) project.tsconfigDev.addInclude(`../${dir}/**/*.ts`);
  project.compileTask.reset(`${TSC_NATIVE} --noEmit -p test/tsconfig.json`, { name });
}
