import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, waitForOk } from './http';
import { PACKAGE_DIR } from '../../build-tools/site-build';

/** The package's nginx configuration, as the Dockerfile copies it to /etc/nginx. */
export const NGINX_CONFIG_DIR = path.join(PACKAGE_DIR, 'nginx');

const INSTALL_HINT =
  "Install Debian's nginx (apt-get install -y nginx; .ci/run and the GitHub workflow do), or set SLIPWAY_NGINX to an nginx binary.";

/** A real nginx serving a folder with the package's configuration. */
export interface NginxServer {
  /** e.g. "http://127.0.0.1:41234" (no trailing slash). */
  readonly origin: string;
  /** What nginx wrote to stderr so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

/** Options for {@link startNginx}. */
export interface NginxOptions {
  /** The built site (what the image has in /usr/share/nginx/html). */
  readonly siteDir: string;
  /** When set, nginx/local/api-proxy.conf is added with this upstream, e.g. "http://127.0.0.1:8123". */
  readonly apiUpstream?: string;
}

/** The nginx binary: SLIPWAY_NGINX, Debian's /usr/sbin/nginx, or nginx on the PATH. */
export function findNginx(): string {
  const candidates = [
    process.env.SLIPWAY_NGINX,
    '/usr/sbin/nginx',
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'nginx')),
  ];
  const found = candidates.find((candidate): candidate is string => !!candidate && isExecutable(candidate));
  if (!found) throw new Error(`nginx not found. ${INSTALL_HINT}`);
  return found;
}

/**
 * Starts nginx with the production configuration, changed only where a test
 * must differ from the container: a loopback port instead of 8080, the test's
 * folders instead of /tmp and /usr/share/nginx/html, and (optionally) the API
 * proxy that the load balancer replaces in AWS.
 */
export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  const nginx = findNginx();
  const mimeTypes = [
    '/etc/nginx/mime.types',
    '/usr/local/etc/nginx/mime.types',
    '/opt/homebrew/etc/nginx/mime.types',
  ].find((file) => fs.existsSync(file));
  if (!mimeTypes) throw new Error(`nginx's mime.types not found next to an installed nginx. ${INSTALL_HINT}`);

  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-nginx-'));
  fs.chmodSync(prefix, 0o755);
  const confDir = path.join(prefix, 'conf');
  const tmpDir = path.join(prefix, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  for (const entry of ['nginx.conf', 'conf.d', 'snippets']) {
    fs.cpSync(path.join(NGINX_CONFIG_DIR, entry), path.join(confDir, entry), { recursive: true });
  }
  fs.copyFileSync(mimeTypes, path.join(confDir, 'mime.types'));

  const port = await freePort();
  rewrite(path.join(confDir, 'nginx.conf'), [[/\/tmp\//g, `${tmpDir}/`]]);
  rewrite(path.join(confDir, 'conf.d', 'default.conf'), [
    [/^(\s*)listen 8080;$/m, `$1listen 127.0.0.1:${port};`],
    [/^(\s*)root \/usr\/share\/nginx\/html;$/m, `$1root ${options.siteDir};`],
  ]);
  if (options.apiUpstream) {
    const serverDir = path.join(confDir, 'server.d');
    fs.mkdirSync(serverDir);
    fs.copyFileSync(path.join(NGINX_CONFIG_DIR, 'local', 'api-proxy.conf'), path.join(serverDir, 'api-proxy.conf'));
    rewrite(path.join(serverDir, 'api-proxy.conf'), [[/http:\/\/host\.docker\.internal:8000/, options.apiUpstream]]);
  }

  let stderr = '';
  let exit: string | undefined;
  const child: ChildProcess = spawn(
    nginx,
    ['-e', 'stderr', '-p', prefix, '-c', path.join(confDir, 'nginx.conf'), '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = `nginx exited (${signal ?? code}) before it served /healthz:\n${stderr}`;
      resolve();
    }),
  );
  child.on('error', (error) => (exit = `nginx failed to start: ${error.message}`));

  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(prefix, { recursive: true, force: true });
  };
  try {
    await waitForOk(`${origin}/healthz`, 10_000, () => exit);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, errorLog: () => stderr, stop };
}

/** Applies each replacement to a config file; one that matches nothing means the config changed under the test. */
function rewrite(file: string, replacements: [RegExp, string][]): void {
  let text = fs.readFileSync(file, 'utf8');
  for (const [pattern, replacement] of replacements) {
    if (!pattern.test(text)) {
      throw new Error(
        `${file}: expected to find ${pattern} to adapt the config for the test; update test/helpers/nginx.ts with the config.`,
      );
    }
    pattern.lastIndex = 0;
    text = text.replace(pattern, replacement);
  }
  fs.writeFileSync(file, text);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
