import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSite, PACKAGE_DIR, SiteBuild, writeSite } from '../../build-tools/site-build';

/** A production build of the real sources, written to a fresh temporary folder. */
export interface BuiltSite {
  readonly dir: string;
  readonly build: SiteBuild;
  remove(): void;
}

/** Builds the site as `npx projen bundle` does, into a temporary folder instead of dist/. */
export async function buildSiteToTempDir(): Promise<BuiltSite> {
  const build = await buildSite({ mode: 'production' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-site-'));
  writeSite(build, dir);
  // nginx's workers may run as another user (nobody, when the tests run as root): let them read it.
  fs.chmodSync(dir, 0o755);
  return { dir, build, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A scratch copy of src/ for tests that change sources. It sits in test-output/
 * (inside the package) so that bare imports a framework adds still resolve from node_modules.
 */
export function copySources(): { dir: string; remove(): void } {
  const parent = path.join(PACKAGE_DIR, 'test-output');
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, 'src-'));
  fs.cpSync(path.join(PACKAGE_DIR, 'src'), dir, { recursive: true });
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
