// Target addresses as the CLI takes them: `host:port`, `1.2.3.4:port`, `[v6]:port`.
import { isIP } from 'node:net';

export interface Target {
  /** Hostname, IPv4 literal, or IPv6 literal without brackets. */
  host: string;
  port: number;
}

export class TargetError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid target ${JSON.stringify(input)}: ${reason} (expected host:port, 1.2.3.4:port or [v6]:port)`);
    this.name = 'TargetError';
  }
}

// RFC 1123 labels: letters, digits, inner hyphens; at most 63 bytes each, 253 overall.
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function parsePort(input: string, s: string): number {
  if (s === '') throw new TargetError(input, 'missing port');
  if (!/^[0-9]{1,5}$/.test(s)) throw new TargetError(input, `port ${JSON.stringify(s)} is not a decimal number`);
  const port = Number(s);
  if (port < 1 || port > 65535) throw new TargetError(input, `port ${port} out of range 1..65535`);
  return port;
}

export function parseTarget(input: string): Target {
  const s = input.trim();
  if (s === '') throw new TargetError(input, 'empty');
  if (s.includes('://')) throw new TargetError(input, 'URL schemes are not accepted');
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw new TargetError(input, "missing ']'");
    const host = s.slice(1, close);
    if (isIP(host) !== 6) throw new TargetError(input, `${JSON.stringify(host)} is not an IPv6 address`);
    const rest = s.slice(close + 1);
    if (!rest.startsWith(':')) throw new TargetError(input, 'missing port');
    return { host, port: parsePort(input, rest.slice(1)) };
  }
  const colon = s.lastIndexOf(':');
  if (colon < 0) throw new TargetError(input, 'missing port');
  const host = s.slice(0, colon);
  // A bare IPv6 literal (several colons) is ambiguous without brackets.
  if (host.includes(':')) throw new TargetError(input, 'IPv6 addresses must be written as [addr]:port');
  if (host === '') throw new TargetError(input, 'missing host');
  const port = parsePort(input, s.slice(colon + 1));
  if (isIP(host) === 4) return { host, port };
  // Dotted all-numeric names that are not valid IPv4 (e.g. 1.2.3.999) are typos, not hostnames.
  if (/^[0-9.]+$/.test(host)) throw new TargetError(input, `${JSON.stringify(host)} is not an IPv4 address`);
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253 || !name.split('.').every((l) => LABEL.test(l))) {
    throw new TargetError(input, `${JSON.stringify(host)} is not a valid hostname`);
  }
  return { host, port };
}

/** Inverse of parseTarget (brackets IPv6 literals). */
export function formatTarget(t: Target): string {
  return isIP(t.host) === 6 ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}
