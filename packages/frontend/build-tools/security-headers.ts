import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_DIR } from './site-build';

/** The nginx snippet that holds the site's security headers: the one place they are written down. */
export const SECURITY_HEADERS_FILE = path.join(PACKAGE_DIR, 'nginx', 'snippets', 'security-headers.conf');

const ADD_HEADER = /^add_header\s+([A-Za-z0-9-]+)\s+"([^"]*)"\s+always;$/;

/**
 * Reads the security headers nginx sends, so the dev server sends the same ones
 * and a CSP violation shows up in development, not first in AWS. The snippet
 * must hold only comments and `add_header <Name> "<value>" always;` lines.
 */
export function readSecurityHeaders(file: string = SECURITY_HEADERS_FILE): ReadonlyMap<string, string> {
  const headers = new Map<string, string>();
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const match = ADD_HEADER.exec(line);
      if (!match) {
        throw new Error(`${file}:${index + 1}: expected only lines like add_header Name "value" always; got: ${line}`);
      }
      headers.set(match[1], match[2]);
    });
  if (headers.size === 0) throw new Error(`${file} sets no headers`);
  return headers;
}
