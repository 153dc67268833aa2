// Peer addresses as the model and the comparator read them: one place that knows IPv4-mapped IPv6.

const DOTTED_IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Lower-cased, with an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) reduced to `a.b.c.d`. */
export function unmapIPv4(ip: string): string {
  const lower = ip.toLowerCase();
  return lower.startsWith('::ffff:') && DOTTED_IPV4.test(lower.slice(7)) ? lower.slice(7) : lower;
}

/** The dotted IPv4 address of a plain or IPv4-mapped peer, else null. */
export function dottedIPv4(ip: string): string | null {
  const bare = unmapIPv4(ip);
  return DOTTED_IPV4.test(bare) ? bare : null;
}

export function isLoopback(ip: string): boolean {
  const bare = unmapIPv4(ip);
  return bare === '::1' || bare.startsWith('127.');
}
