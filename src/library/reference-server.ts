// The library's reference server: the same server `nexus-conform serve` runs, started in-process
// for a server author's tests (a known-good peer, or the embedded target of runSuite).
import type { Logger } from 'pino';
import type { Profile } from '../protocol/types.ts';
import { startServer } from '../server/server.ts';
import { formatTarget } from '../net/address.ts';

export interface ReferenceServerOptions {
  /** Behaviour and wording profile (default `spec`). */
  profile?: Profile;
  /** Serve TLS with a fresh self-signed certificate (default plain TCP). */
  tls?: boolean;
  /** 0 (default) = any free port. */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  logger?: Logger;
}

export interface RunningReferenceServer {
  host: string;
  port: number;
  /** `host:port` (`[v6]:port`), as runSuite's `target` takes it. */
  address: string;
  tls: boolean;
  /** SHA-256 certificate fingerprint (`AA:BB:…`), with `tls` only. */
  fingerprint?: string;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

export async function startReferenceServer(opts: ReferenceServerOptions = {}): Promise<RunningReferenceServer> {
  const server = await startServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    tls: opts.tls === true,
    profile: opts.profile ?? 'spec',
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return {
    host: server.host,
    port: server.port,
    address: formatTarget(server),
    tls: server.tls,
    ...(server.fingerprint !== undefined ? { fingerprint: server.fingerprint } : {}),
    close: () => server.close(),
  };
}
