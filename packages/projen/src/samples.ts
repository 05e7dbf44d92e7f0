import * as fs from 'node:fs';
import * as path from 'node:path';
import { Component, Project, SampleFile } from 'projen';
import { SlipwayOptionsError } from './errors';

/**
 * Where the sample code lives inside the installed @slipway/projen package.
 * The build copies it there from this repository's own packages (see
 * scripts/copy-samples.mjs), so the samples are never kept twice in git.
 */
export const SAMPLES_DIR = path.join(__dirname, '..', 'samples');

/** Files that only generated projects get (this repository has its own versions of them). */
export const TEMPLATES_DIR = path.join(__dirname, '..', 'templates');

/**
 * Writes every entry of `sourceDir` into `targetDir` of `project` once: a
 * user owns sample code after `projen new`, and re-synth never overwrites it.
 */
export function addSamples(project: Project, sourceDir: string, targetDir = '.'): void {
  const outdir = path.join(project.outdir, targetDir);
  if (!fs.existsSync(sourceDir)) {
    if (fs.existsSync(outdir) && fs.readdirSync(outdir).length > 0) {
      // Running from source in the Slipway repository itself: the samples are
      // the very files already in place, and the build has not copied them yet.
      return;
    }
    throw new SlipwayOptionsError(
      'sampleCode',
      true,
      `The sample sources are missing at ${sourceDir}. Build @slipway/projen first (npx projen build in packages/projen), or set sampleCode: false.`,
    );
  }
  for (const entry of fs.readdirSync(sourceDir, { withFileTypes: true })) {
    const relative = path.posix.join(targetDir, entry.name);
    const source = path.join(sourceDir, entry.name);
    if (entry.isDirectory()) {
      new SampleTree(project, relative, source);
    } else {
      new SampleFile(project, relative, { sourcePath: source });
    }
  }
}

/**
 * A sample folder, written once: only while the folder holds nothing but the
 * files projen generates there. projen's SampleDir looks only at whether the
 * folder exists, and `test/` always does by then (projen writes
 * `test/tsconfig.json` into it), so the sample tests were never written.
 */
class SampleTree extends Component {
  constructor(
    project: Project,
    private readonly dir: string,
    private readonly sourceDir: string,
  ) {
    super(project);
  }

  public synthesize(): void {
    const target = path.join(this.project.outdir, this.dir);
    const generated = new Set(this.project.files.map((file) => path.join(this.project.outdir, file.path)));
    if (listFiles(target).some((file) => !generated.has(file))) {
      return; // the user's code lives here now
    }
    for (const file of listFiles(this.sourceDir)) {
      const to = path.join(target, path.relative(this.sourceDir, file));
      if (generated.has(to)) continue;
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(file, to);
      fs.chmodSync(to, 0o644);
    }
  }
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

/**
 * Where Slipway's own documentation of this version is read: the repository's docs/ at the release tag of
 * @slipway/projen (`main` for an unreleased build). Sample READMEs link there, since a generated project has
 * no copy of Slipway's docs/ (its docs/ is the team's, with the runbook in docs/slipway/).
 */
export function slipwayDocsUrl(): string {
  const version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version;
  return `https://github.com/slipway-dev/slipway/blob/${version === '0.0.0' ? 'main' : `projen-v${version}`}/docs`;
}

/** A sample README as a generated project gets it: links into this repository's docs/ point at Slipway's docs. */
export function sampleReadme(text: string): string {
  return text.replace(/\]\(\.\.\/\.\.\/docs\//g, `](${slipwayDocsUrl()}/`);
}
