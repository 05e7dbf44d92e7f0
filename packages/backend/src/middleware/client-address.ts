import type { Request } from 'express';
import type { ClientAddressSource } from '../config';

/** The client's address as the one proxy in front of the API saw it; never a value the client chose. */
export function clientAddress(req: Request, source: ClientAddressSource): string {
  if (source === 'forwarded') {
    return lastForwardedFor(req.headers.forwarded) ?? req.socket.remoteAddress ?? 'unknown';
  }
  return req.ip ?? 'unknown';
}

/**
 * The `for` parameter of the last element of a `Forwarded` header (RFC 7239 §4): the element the proxy next to the
 * API appended. Quoted values are unquoted, and an IPv6 address loses its brackets and a port its colon suffix.
 */
export function lastForwardedFor(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const elements = header.split(',');
  const pairs = elements[elements.length - 1].split(';');
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator < 0 || pair.slice(0, separator).trim().toLowerCase() !== 'for') continue;
    let value = pair.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
    if (bracketed) return bracketed[1];
    const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
    return (withPort ? withPort[1] : value) || undefined;
  }
  return undefined;
}
