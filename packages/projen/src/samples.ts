import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project, SampleDir, SampleFile } from 'projen';
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
      new SampleDir(project, relative, { sourceDir: source });
    } else {
      new SampleFile(project, relative, { sourcePath: source });
    }
  }
}
