import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { typescript } from 'projen';
import { Testing } from 'projen/lib/testing';
import * as ts from 'typescript';
import { SlipwayProject } from '../src';
import { LintTsconfig } from '../src/lint-tsconfig';

function tempOutdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-lint-tsconfig-test-'));
}

/** What TypeScript itself makes of a tsconfig: the files of its program and its compiler options. */
function parseWithTypeScript(file: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    file,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`TypeScript could not read ${file}`);
  expect(parsed.errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n'))).toEqual([]);
  return parsed;
}

describe('tsconfig.lint.json of a generated project', () => {
  let outdir: string;
  let lint: ts.ParsedCommandLine;
  beforeAll(() => {
    // GIVEN a project with the sample code / WHEN it is synthesized
    // (synth() itself, not Testing.synth, which removes the files afterwards; no npm install after it)
    outdir = tempOutdir();
    process.env.PROJEN_DISABLE_POST = 'true';
    try {
      new SlipwayProject({ name: 'acme-shop', defaultReleaseBranch: 'main', outdir }).synth();
    } finally {
      delete process.env.PROJEN_DISABLE_POST;
    }
    lint = parseWithTypeScript(path.join(outdir, 'tsconfig.lint.json'));
  });

  test('is the one program every file the lint checks belongs to', () => {
    // THEN every .ts file under the lint's folders, as each package's own tsconfigs cover them, is in it
    const program = new Set(lint.fileNames.map((file) => path.relative(outdir, file)));
    const covered = new Set<string>();
    for (const tsconfig of ['packages/backend', 'packages/frontend', 'packages/infra'].flatMap((dir) => [
      `${dir}/tsconfig.json`,
      `${dir}/test/tsconfig.json`,
    ])) {
      for (const file of parseWithTypeScript(path.join(outdir, tsconfig)).fileNames) {
        covered.add(path.relative(outdir, file));
      }
    }
    expect(covered.size).toBeGreaterThan(50);
    expect([...covered].filter((file) => !program.has(file))).toEqual([]);
    expect(program).toContain('environments/index.ts');
    expect(program).toContain('packages/backend/src/app.ts');
    expect(program).toContain('packages/frontend/src/status-page.ts');
    expect(program).toContain('packages/infra/test/app.test.ts');
  });

  test("takes each package's libraries, types and path aliases, rebased onto the root", () => {
    // THEN the frontend's DOM types, the backend's and the tests' @types are there
    expect(lint.options.lib).toEqual(expect.arrayContaining(['lib.dom.d.ts', 'lib.es2023.d.ts']));
    expect(lint.options.types).toEqual(expect.arrayContaining(['express', 'jest', 'node', 'pg', 'supertest']));
    // AND infra's `#environments` alias resolves from infra's files to the root's environments/ as it does for tsc
    const fromInfra = path.join(outdir, 'packages/infra/src/app.ts');
    const resolved = ts.resolveModuleName('#environments', fromInfra, lint.options, ts.sys).resolvedModule;
    expect(resolved && path.relative(outdir, resolved.resolvedFileName)).toBe('environments/index.ts');
  });
});

test("a subproject's paths are rebased from its baseUrl", () => {
  // GIVEN a root with a subproject whose tsconfig maps an alias relative to a baseUrl
  const outdir = tempOutdir();
  const root = new typescript.TypeScriptProject({ name: 'root', defaultReleaseBranch: 'main', outdir });
  new typescript.TypeScriptProject({
    name: 'app',
    defaultReleaseBranch: 'main',
    parent: root,
    outdir: 'packages/app',
    tsconfig: { compilerOptions: { baseUrl: 'src', paths: { '#shared/*': ['../../shared/*'] } } },
  });
  new LintTsconfig(root);
  // WHEN it is synthesized
  const snapshot = Testing.synth(root);
  // THEN the alias points at the same folder from the root, and the subproject's sources and tests are included
  const lint = snapshot['tsconfig.lint.json'];
  expect(lint.compilerOptions.paths).toEqual({ '#shared/*': ['./packages/shared/*'] });
  expect(lint.include).toEqual(expect.arrayContaining(['packages/app/src/**/*.ts', 'packages/app/test/**/*.ts']));
});
