// Copies the sample code of a generated Slipway project into samples/ at build
// time, from this repository's own packages: the samples are the very code this
// repository builds, tests and deploys, never a second copy kept in git.
//
// What is copied: the files git tracks (or would track) under each sample
// folder, minus the files projen generates there (listed in .projen/files.json),
// which the project type writes itself; package.json is generated too, though
// projen leaves it out of that list.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const target = join(import.meta.dirname, '..', 'samples');
const SOURCES = { backend: 'packages/backend', frontend: 'packages/frontend', infra: 'packages/infra', environments: 'environments' };
const NEVER = /(^|\/)(node_modules|lib|dist|coverage|cdk\.out|test-reports|test-output|\.projen)(\/|$)|\.tgz$|tsconfig\.tsbuildinfo$|^package(-lock)?\.json$/;

function listFiles(dir) {
  try {
    const out = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', dir], { cwd: repoRoot, encoding: 'utf8' });
    return out.split('\n').filter(Boolean).map((f) => relative(dir, f));
  } catch {
    // Not a git checkout (e.g. a source tarball): walk the folder instead.
    const walk = (d) => readdirSync(join(repoRoot, d)).flatMap((name) => {
      const rel = join(d, name);
      return statSync(join(repoRoot, rel)).isDirectory() ? walk(rel) : [rel];
    });
    return walk(dir).map((f) => relative(dir, f));
  }
}

function generatedFiles(dir) {
  const manifest = join(repoRoot, dir, '.projen', 'files.json');
  return new Set(existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).files : []);
}

rmSync(target, { recursive: true, force: true });
let total = 0;
for (const [name, dir] of Object.entries(SOURCES)) {
  const generated = generatedFiles(dir);
  const files = listFiles(dir).filter((f) => !generated.has(f) && !NEVER.test(f) && existsSync(join(repoRoot, dir, f)));
  for (const file of files) {
    const to = join(target, name, file);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(repoRoot, dir, file), to);
  }
  total += files.length;
  console.log(`samples/${name}: ${files.length} files from ${dir}`);
}
if (total === 0) {
  console.error('copy-samples: found no sample files; is this the Slipway repository?');
  process.exit(1);
}
