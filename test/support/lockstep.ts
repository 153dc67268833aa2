// A lockstep engine wired to a reference server (optionally a variant that decides the spec's open
// points differently, optionally behind a proxy that perturbs what it sends), for the runner tests.
// Call `cleanupWorlds` from the test file's afterEach.
import net from 'node:net';
import { expect } from 'vitest';
import { encodeFrame, FrameDecoder } from '../../src/protocol/frame.ts';
import type { MatchMode, Profile, RawFrame } from '../../src/protocol/types.ts';
import { createState } from '../../src/model/create.ts';
import type { Account, State } from '../../src/model/state.ts';
import type { HarnessConn } from '../../src/runner/lockstep.ts';
import { Lockstep, LockstepMismatch } from '../../src/runner/lockstep.ts';
import { expectedLines, type Failure } from '../../src/runner/results.ts';
import { startServer, type ReferenceServer, type ServerOptions } from '../../src/server/server.ts';
export { account } from './accounts.ts';
import { account } from './accounts.ts';
import type { AbsentOutputs } from '../../src/runner/lockstep/absent-outputs.ts';

export const NOW = Math.floor(Date.now() / 1000);
const servers: ReferenceServer[] = [];
const engines: Lockstep[] = [];
export const strays: Array<{ destroy(): void }> = [];
const proxies: net.Server[] = [];

export async function cleanupWorlds(): Promise<void> {
  for (const ls of engines.splice(0)) for (const hc of ls.harnessConnections()) await ls.discard(hc);
  for (const c of strays.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(proxies.splice(0).map((p) => new Promise((r) => p.close(r))));
}

/** Returned among a hook's frames: the proxy ends the client connection after the frames before it. */
export const END = Symbol('end the connection');

export type Hook = (frame: RawFrame, conn: number) => Array<RawFrame | typeof END>;

/**
 * A man in the middle that lets a test perturb what the reference server sends (reorder, inject),
 * to produce behaviours the spec allows or forbids but the reference server never shows.
 * Connections are numbered 1, 2, … in the order the harness opens them.
 */
export async function perturb(
  srv: ReferenceServer,
  hook: Hook,
  watch?: (frame: RawFrame, conn: number) => void,
): Promise<{ host: string; port: number }> {
  let n = 0;
  const server = net.createServer((client) => {
    const conn = ++n;
    const up = net.connect(srv.port, srv.host);
    const decoder = new FrameDecoder({ isKnownType: () => true, limitFor: () => 0 });
    client.pipe(up);
    if (watch) {
      // What the client sends, as far as it frames (raw probes may not).
      const requests = new FrameDecoder({ isKnownType: () => true, limitFor: () => 0 });
      let broken = false;
      client.on('data', (chunk: Buffer) => {
        if (broken) return;
        const r = requests.push(chunk);
        for (const f of r.frames) watch(f, conn);
        if (r.error) broken = true;
      });
    }
    let ended = false;
    up.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk).frames) {
        for (const out of hook(f, conn)) {
          if (ended) return;
          if (out === END) {
            ended = true;
            client.end();
            up.destroy();
            return;
          }
          client.write(encodeFrame(out.type, out.id, out.payload));
        }
      }
    });
    up.on('end', () => client.end());
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
    client.on('close', () => up.destroy());
  });
  return listen(server);
}

/** Listens on a free loopback port; closed by cleanupWorlds. */
async function listen(server: net.Server): Promise<{ host: string; port: number }> {
  proxies.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}

/** Rewrites the JSON body of matching frames (the rest of a hook passes frames through). */
export function rewrite(
  when: (body: Record<string, unknown>, frame: RawFrame, conn: number) => boolean,
  change: (body: Record<string, unknown>) => Record<string, unknown>,
): Hook {
  return (f, conn) => {
    const body = JSON.parse(Buffer.from(f.payload).toString('utf8')) as Record<string, unknown>;
    if (!when(body, f, conn)) return [f];
    return [{ ...f, payload: Buffer.from(JSON.stringify(change(body))) }];
  };
}

export function stateWith(profile: Profile, accounts: Account[]): State {
  const s = createState({ profile }, { now: NOW - 2000, idSeed: 5 });
  s.serverInfo.max_connections_per_ip = 50;
  for (const a of accounts) s.accounts[a.username.toLowerCase()] = a;
  return s;
}

export const BASE = [account('root', { isAdmin: true }), account('run_watch', { permissions: ['user_list'] }), account('run_quiet')];

export async function world(o: {
  server: State;
  mirror?: State;
  match?: MatchMode;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  frameTimeoutMs?: number;
  hook?: Hook;
  /** Sees what the harness sends through the hook's proxy (framed). */
  watch?: (frame: RawFrame, conn: number) => void;
  /** A server that decides the spec's open points differently (ServerOptions.variant). */
  variant?: ServerOptions['variant'];
  /** A deliberately broken server (ServerOptions.faults). */
  faults?: ServerOptions['faults'];
  /** A front of the test's own between the harness and the server (instead of `hook`'s proxy). */
  front?: (srv: ReferenceServer) => net.Server;
  /** Broadcasts presumed absent (LockstepOptions.absent). */
  absent?: AbsentOutputs;
}) {
  const srvOpts: ServerOptions = { port: 0, tls: false, initialState: o.server };
  if (o.idleTimeoutMs !== undefined) srvOpts.idleTimeoutMs = o.idleTimeoutMs;
  if (o.frameTimeoutMs !== undefined) srvOpts.frameTimeoutMs = o.frameTimeoutMs;
  if (o.variant !== undefined) srvOpts.variant = o.variant;
  if (o.faults !== undefined) srvOpts.faults = o.faults;
  const srv = await startServer(srvOpts);
  servers.push(srv);
  const at = o.front ? await listen(o.front(srv)) : o.hook ? await perturb(srv, o.hook, o.watch) : { host: srv.host, port: srv.port };
  const mirror = o.mirror ?? structuredClone(o.server);
  const ls = new Lockstep(
    {
      profile: mirror.config.profile,
      match: o.match ?? 'key',
      timeoutMs: o.timeoutMs ?? 3000,
      target: { host: at.host, port: at.port, transport: 'plain' },
      isRunName: (n) => n.toLowerCase().startsWith('run_'),
      adminUsername: 'root',
      seed: 7,
      ...(o.absent ? { absent: o.absent } : {}),
    },
    mirror,
  );
  ls.reset(mirror);
  engines.push(ls);
  return { srv, ls };
}

export async function login(ls: Lockstep, label: string, username: string, extra: Record<string, unknown> = {}): Promise<HarnessConn> {
  const hc = await ls.open(label);
  await ls.request(hc, 'Handshake', { version: '0.5.0' });
  const a = await ls.request(hc, 'Login', { username, password: `pw-${username}`, features: ['chat'], locale: 'en', ...extra });
  expect(a.observed?.message?.body.success).toBe(true);
  return hc;
}

export async function failuresOf(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (e instanceof LockstepMismatch) return e.failures;
    throw e;
  }
  throw new Error('expected a lockstep mismatch');
}

/** A failure's expected side as the reporters print it (every allowed outcome, then the note). */
export function expectedText(f: Failure): string {
  return expectedLines(f).join('\n');
}
