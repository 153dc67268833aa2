// What the library's runs share: the server under test (a `host:port` with admin credentials, or
// a reference server started for the call and closed after it) and the options every run takes.
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { parseTarget } from '../net/address.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';
import { freshAdmin, splitCredentials, type AdminCredentials } from '../runner/admin-credentials.ts';
import type { SessionOptions } from '../runner/session.ts';
import { startReferenceServer } from './reference-server.ts';

export interface TargetOptions {
  /** `host:port` of the server under test; omitted: a reference server started for this call. */
  target?: string;
  /** Admin credentials, required for a real target (`user:password` or an object). */
  admin?: AdminCredentials | string;
  /** Default `auto` (TLS, else plain TCP) for a real target; `tls` also makes the embedded server speak TLS. */
  transport?: 'auto' | 'tls' | 'plain';
  /** Pin the target's certificate (SHA-256 `AA:BB:…`). */
  fingerprint?: string;
  /** Default `spec`. */
  profile?: Profile;
  /** Default `exact`. */
  match?: MatchMode;
  /** Longest wait for an expected frame, ms (default 2000). */
  timeoutMs?: number;
  /** Seed of everything random (default random; it is in the result). */
  seed?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

function credentials(admin: TargetOptions['admin']): AdminCredentials | undefined {
  if (admin === undefined || typeof admin === 'object') return admin;
  const split = splitCredentials(admin);
  if (split === null) throw new Error('admin must be user:password (non-empty user and password)');
  return split;
}

/** The session options of a call, with the server under test up for the time of `use`. */
export async function withTarget<T>(
  opts: TargetOptions,
  use: (session: Omit<SessionOptions, 'connectionsNeeded'>) => Promise<T>,
): Promise<T> {
  const profile = opts.profile ?? 'spec';
  const target = opts.target === undefined ? undefined : parseTarget(opts.target);
  let admin = credentials(opts.admin);
  if (admin === undefined) {
    if (target !== undefined)
      throw new Error('a real target needs admin credentials (on a fresh server the first login creates this admin)');
    admin = freshAdmin();
  }
  const server = target === undefined ? await startReferenceServer({ profile, tls: opts.transport === 'tls' }) : undefined;
  try {
    return await use({
      target: server
        ? {
            host: server.host,
            port: server.port,
            transport: server.tls ? 'tls' : 'plain',
            embedded: true,
            ...(server.fingerprint ? { fingerprint: server.fingerprint } : {}),
          }
        : {
            host: target!.host,
            port: target!.port,
            transport: opts.transport ?? 'auto',
            embedded: false,
            ...(opts.fingerprint ? { fingerprint: opts.fingerprint } : {}),
          },
      admin,
      profile,
      match: opts.match ?? 'exact',
      timeoutMs: opts.timeoutMs ?? 2000,
      seed: opts.seed ?? randomInt(0, 2 ** 31),
      // The embedded server starts empty: its first login creates the admin (SES-AUTH-2).
      ...(server ? { knownFresh: true } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  } finally {
    await server?.close();
  }
}
