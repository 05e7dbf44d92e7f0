import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSecurityHeaders } from '../../build-tools/security-headers';

describe('readSecurityHeaders', () => {
  test('reads the nginx snippet: a CSP that allows nothing inline or foreign, and the other headers', () => {
    const headers = readSecurityHeaders();
    const csp = headers.get('Content-Security-Policy') ?? '';

    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(csp).toMatch(/\bdefault-src 'self'/);
    expect(csp).toMatch(/\bscript-src 'self'/);
    expect(csp).toMatch(/\bstyle-src 'self'/);
    expect(csp).toMatch(/\bframe-ancestors 'none'/);
    expect(csp).toMatch(/\bobject-src 'none'/);
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(headers.get('Referrer-Policy')).toBe('no-referrer');
    // HSTS belongs to the HTTPS listener's environment, not to an image that speaks plain HTTP to the load balancer.
    expect(headers.has('Strict-Transport-Security')).toBe(false);
  });

  test('refuses a snippet line it cannot mirror in the dev server, naming the line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-headers-'));
    const file = path.join(dir, 'security-headers.conf');
    fs.writeFileSync(
      file,
      '# comment\nadd_header X-Content-Type-Options "nosniff" always;\nadd_header X-Frame-Options DENY;\n',
    );
    try {
      expect(() => readSecurityHeaders(file)).toThrow(
        /security-headers\.conf:3: expected only lines like add_header Name "value" always; got: add_header X-Frame-Options DENY;/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
