import helmet from 'helmet';

/**
 * helmet, configured for a JSON API rather than for web pages.
 *
 * Kept: the headers that protect API responses (OWASP REST Security cheat
 * sheet): a content security policy that lets nothing load and no page frame
 * a response, `X-Frame-Options: DENY` for browsers without CSP,
 * `X-Content-Type-Options: nosniff`, HSTS, `Referrer-Policy` and
 * `Cross-Origin-Resource-Policy`.
 *
 * Off: headers that only mean something for HTML documents, Internet
 * Explorer 8 or Flash (Origin-Agent-Cluster, Cross-Origin-Opener-Policy,
 * X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection). Each would cost a
 * header on every response and protect nothing: no response here is a
 * document. Whatever serves the web pages is where those belong.
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    xFrameOptions: { action: 'deny' },
    originAgentCluster: false,
    crossOriginOpenerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    // app.ts disables the header at the source; helmet need not remove it again.
    xPoweredBy: false,
  });
}
