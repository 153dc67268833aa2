// Tier 1 of the frame fuzzer: the same cases as the model-checked tier (index.ts), written over
// several raw connections in flight with no model, the way throughput fuzzers triage. Each case
// runs on a connection in its state (new; handshaken; logged in as a regular, shared, guest or
// admin session, with Handshake and Login written ahead of the case's bytes), and a logged-in
// connection whose bytes end on a frame boundary is reused once a cheap request on it is answered.
// What this tier judges is only whether the target survives: after each batch a long-lived
// logged-in connection must answer a round trip and a new connection must handshake and log in
// (asked while the next batch is written: the driver, index.ts, suspects both batches on a miss).
// Crash (target gone), hang (no answer within the timeout) and leak (liveness broken) are found
// here; the model-checked tier replays a suspect batch to classify, shrink and record it. The
// accounts belong to the run (run-family names of a lane no check uses, so the lockstep lanes see
// them as strangers; the final sweep deletes them).
import { NexusConnection, TimeoutError, type OpenOptions } from '../../net/connection.ts';
import { RawClient } from '../../net/raw-client.ts';
import { encodeRequest, FrameDecoder } from '../../protocol/frame.ts';
import { seededIds } from '../../protocol/ids.ts';
import { frameLimitFor } from '../../protocol/limits.ts';
import { isClientType, type Profile } from '../../protocol/types.ts';
import { GUEST_USERNAME } from '../../model/index.ts';
import { MAX_LANES, NameSource, passwordSource } from '../../runner/names.ts';
import type { RunSession } from '../../runner/session.ts';
import { controlIds, openControl, rawSuccess } from '../../runner/target.ts';
import { isLoggedIn, type ConnState, type FrameCase } from './cases.ts';

/** A lane letter the fuzz run's checks never use (they run on lane 0): its names are strangers to lane 0. */
const FAST_LANE = MAX_LANES - 1;
/** Connections writing cases at once. */
export const IN_FLIGHT = 8;
/** Connections the target is still letting go of (half-closed by tier 1, not yet closed by the target). */
const CLOSING = 8;
/** Idle logged-in connections kept for reuse, all states together. */
const POOL_MAX = 8;
/** A name no run creates: the cheap request (UserInfo of nobody) is answered without a change. */
const NOBODY = 'fz-nobody';

/** What tier 1 saw go wrong after a batch. */
export interface FastFinding {
  class: 'crash' | 'hang' | 'leak';
  /** One line: what the liveness round trip or login did. */
  detail: string;
}

interface Creds {
  username: string;
  password: string;
}

/** A connection of tier 1 and how many cases it served. */
interface Lease {
  client: RawClient;
  state: ConnState;
  uses: number;
  /** Handshake and Login not written yet: they go out with the first case's first write (one write, not three). */
  ahead: Buffer | null;
}

/** A request's answer: its body (empty when the payload is not a JSON object) and what to call it in a finding. */
async function ask(
  client: RawClient,
  type: string,
  body: Record<string, unknown>,
  timeoutMs: number,
): Promise<{ ok: boolean; what: string }> {
  const r = await client.request(type, body, timeoutMs);
  const b = r.message?.body ?? {};
  return { ok: b.success === true, what: JSON.stringify(b.error ?? r.raw.type) };
}

/** Whether the case's bytes end on a frame boundary with no framing error (what a reused connection needs). */
function endsOnBoundary(c: FrameCase, profile: Profile): boolean {
  const d = new FrameDecoder({ isKnownType: isClientType, limitFor: frameLimitFor(profile) });
  for (const w of c.writes) if (d.push(w).error) return false;
  return !d.midFrame;
}

/** A promise with its resolve at hand. */
class Signal {
  resolve!: () => void;
  readonly promise = new Promise<void>((r) => (this.resolve = r));
}

/** A batch in the queue: how many of its cases are still to settle, and what each settling waits for. */
class QueuedBatch {
  readonly taken = new Signal();
  readonly drained = new Signal();
  /** A connection the target refused: the batch's remaining cases are dropped. */
  lost = false;
  private readonly settling: Array<Promise<void>> = [];

  constructor(private remaining: number) {
    if (remaining === 0) {
      this.taken.resolve();
      this.drained.resolve();
    }
  }

  settle(done: Promise<void>): void {
    this.settling.push(done);
    if (--this.remaining === 0) void Promise.allSettled(this.settling).then(() => this.drained.resolve());
  }
}

export class FastTier {
  private readonly names: NameSource;
  private readonly ids: () => string;
  private readonly pool = new Map<ConnState, Lease[]>();
  private pooled = 0;
  private live: RawClient | null = null;
  private readonly closing = new Set<Promise<void>>();
  /** Cases queued by `write` and not yet on a connection, in order. */
  private readonly queue: Array<{ c: FrameCase; batch: QueuedBatch }> = [];
  private workers = 0;
  /** Cases written so far (for the bench: tier 1's own figure). */
  cases = 0;

  private constructor(
    readonly session: RunSession,
    private readonly version: string,
    private readonly accounts: Record<'reg' | 'sh' | 'adm' | 'live', Creds>,
    names: NameSource,
  ) {
    this.names = names;
    this.ids = seededIds((session.settings.seed ^ 0x1f3a5c7) >>> 0);
  }

  private get timeoutMs(): number {
    return this.session.settings.timeoutMs;
  }

  private get open(): OpenOptions {
    const t = this.session.targetOpts;
    const o: OpenOptions = { host: t.host, port: t.port, transport: this.session.transport, timeoutMs: t.timeoutMs };
    if (this.session.fingerprint !== undefined) o.fingerprint = this.session.fingerprint;
    return o;
  }

  /** Creates tier 1's accounts over an admin connection of its own; they are the run's (swept at the end). */
  static async create(session: RunSession, version: string): Promise<FastTier> {
    const { seed, admin, timeoutMs } = session.settings;
    const names = new NameSource(seed, FAST_LANE);
    const password = passwordSource((seed ^ 0x6a09e667) >>> 0);
    const control = await openControl(session.targetOpts, admin, { ids: controlIds((seed ^ 0x3c6ef372) >>> 0) });
    try {
      const make = async (base: string, o: { admin?: boolean; shared?: boolean }): Promise<Creds> => {
        const c = { username: names.make(base), password: password() };
        const body: Record<string, unknown> = { ...c, is_admin: o.admin === true, enabled: true, permissions: [] };
        if (o.shared) body.is_shared = true;
        await rawSuccess(control.raw, 'UserCreate', body, timeoutMs);
        session.createdByChecks.add(c.username);
        return c;
      };
      const accounts = {
        reg: await make('reg', {}),
        sh: await make('sh', { shared: true }),
        adm: await make('adm', { admin: true }),
        live: await make('live', {}),
      };
      return new FastTier(session, version, accounts, names);
    } finally {
      await control.conn.close();
    }
  }

  private loginBody(state: ConnState): Record<string, unknown> {
    const common = { features: ['chat'], locale: 'en' };
    const a = this.accounts;
    switch (state) {
      case 'shared':
        return { username: a.sh.username, password: a.sh.password, nickname: this.names.make('s'), ...common };
      case 'guest':
        return { username: GUEST_USERNAME, password: '', nickname: this.names.make('g'), ...common };
      case 'admin':
        return { username: a.adm.username, password: a.adm.password, ...common };
      default:
        return { username: a.reg.username, password: a.reg.password, ...common };
    }
  }

  /** A new connection for `state`: Handshake and Login go ahead of the case's bytes, their answers not awaited. */
  private async connect(state: ConnState): Promise<Lease> {
    const client = await RawClient.open(this.open, this.ids);
    const ahead: Buffer[] = [];
    if (state !== 'new') ahead.push(this.frame('Handshake', { version: this.version }));
    if (isLoggedIn(state)) ahead.push(this.frame('Login', this.loginBody(state)));
    return { client, state, uses: 0, ahead: ahead.length > 0 ? Buffer.concat(ahead) : null };
  }

  private frame(type: string, body: Record<string, unknown>): Buffer {
    return encodeRequest(type, this.ids(), body);
  }

  /** Opens the long-lived logged-in session whose round trip proves liveness after every batch. */
  async begin(): Promise<void> {
    const live = await RawClient.open(this.open, this.ids);
    this.live = live;
    await live.request('Handshake', { version: this.version }, this.timeoutMs);
    const { username, password } = this.accounts.live;
    const r = await ask(live, 'Login', { username, password, features: [], locale: 'en' }, this.timeoutMs);
    if (!r.ok) throw new Error(`tier 1 could not log in its long-lived session: ${r.what}`);
    live.conn.inbox.discardPending();
  }

  /** Closes every connection of tier 1 (the model-checked tier then has the target to itself). */
  async end(): Promise<void> {
    const all = [...this.pool.values()].flat().map((l) => l.client);
    this.pool.clear();
    this.pooled = 0;
    if (this.live) all.push(this.live);
    this.live = null;
    await Promise.all(all.map((c) => c.close()));
  }

  /**
   * Queues a batch behind the ones already queued; IN_FLIGHT connections write the queue's cases
   * in order. `taken`: every case of the batch is on a connection (the next batch may be queued
   * without leaving a connection idle). `drained`: the target has let go of every connection of
   * the batch that tier 1 closed, so it has read every byte of the batch.
   */
  write(cases: readonly FrameCase[]): { taken: Promise<void>; drained: Promise<void> } {
    const batch = new QueuedBatch(cases.length);
    for (const c of cases) this.queue.push({ c, batch });
    this.spawnWorkers();
    return { taken: batch.taken.promise, drained: batch.drained.promise };
  }

  private spawnWorkers(): void {
    while (this.workers < IN_FLIGHT && this.workers < this.queue.length) {
      this.workers++;
      void this.work().finally(() => this.workers--);
    }
  }

  private async work(): Promise<void> {
    for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
      const { c, batch } = item;
      if (this.queue[0]?.batch !== batch) batch.taken.resolve();
      if (batch.lost) {
        batch.settle(Promise.resolve());
        continue;
      }
      try {
        batch.settle((await this.runCase(c)).settled);
      } catch {
        // A connection the target refused: the liveness check after the batch says what that means.
        batch.lost = true;
        batch.settle(Promise.resolve());
      }
    }
  }

  /** Writes one case; `settled`: its connection is pooled or destroyed, or the target let go of it. */
  private async runCase(c: FrameCase): Promise<{ settled: Promise<void> }> {
    const lease = this.pool.get(c.state)?.pop() ?? (await this.connect(c.state));
    if (lease.uses > 0) this.pooled--;
    lease.uses++;
    this.cases++;
    const { client } = lease;
    for (const [k, w] of c.writes.entries()) client.sendRaw(k === 0 && lease.ahead !== null ? Buffer.concat([lease.ahead, w]) : w);
    lease.ahead = null;
    const reuse = isLoggedIn(c.state) && this.pooled < POOL_MAX;
    if (reuse && endsOnBoundary(c, this.session.settings.profile)) {
      try {
        // Answered: the target read the case and kept the connection, on a frame boundary.
        await client.request('UserInfo', { nickname: NOBODY }, this.timeoutMs);
        client.conn.inbox.discardPending();
        if (!client.isClosed) {
          const list = this.pool.get(c.state) ?? [];
          list.push(lease);
          this.pool.set(c.state, list);
          this.pooled++;
          return { settled: Promise.resolve() };
        }
      } catch {
        // Closed (the case asked for it) or no answer: a new connection serves the next case.
      }
      client.destroy();
      return { settled: Promise.resolve() };
    }
    // Half-close: the target reads every byte, then sees the end. The worker moves on while it lets
    // go, up to CLOSING connections at once (the per-IP limit counts them until the target closes).
    const closing = client.close().finally(() => this.closing.delete(closing));
    this.closing.add(closing);
    while (this.closing.size >= CLOSING) await Promise.race(this.closing);
    return { settled: closing };
  }

  /** Whether the target still accepts connections. */
  private async reachable(): Promise<boolean> {
    try {
      const c = await NexusConnection.open(this.open);
      c.destroy();
      return true;
    } catch {
      return false;
    }
  }

  private async failure(what: string, e: unknown): Promise<FastFinding> {
    const msg = (e as Error).message ?? String(e);
    if (e instanceof TimeoutError) return { class: 'hang', detail: `${what}: ${msg}` };
    if (!(await this.reachable())) return { class: 'crash', detail: `${what}: ${msg}; the target no longer accepts connections` };
    return { class: 'leak', detail: `${what}: ${msg}` };
  }

  /** The long-lived session answers a round trip, and a new connection can handshake and log in (both at once). */
  async liveness(): Promise<FastFinding | null> {
    const [answers, logsIn] = await Promise.all([this.liveAnswers(), this.newLogin()]);
    return answers ?? logsIn;
  }

  private async liveAnswers(): Promise<FastFinding | null> {
    const live = this.live;
    if (live === null) throw new Error('tier 1 liveness before begin()');
    try {
      await live.request('UserInfo', { nickname: NOBODY }, this.timeoutMs);
      live.conn.inbox.discardPending();
      return null;
    } catch (e) {
      return this.failure('the long-lived session did not answer UserInfo', e);
    }
  }

  private async newLogin(): Promise<FastFinding | null> {
    let probe: RawClient;
    try {
      probe = await RawClient.open(this.open, this.ids);
    } catch (e) {
      return this.failure('a new connection could not be opened', e);
    }
    try {
      const hs = await ask(probe, 'Handshake', { version: this.version }, this.timeoutMs);
      if (!hs.ok) return { class: 'leak', detail: `a new connection's Handshake failed: ${hs.what}` };
      const { username, password } = this.accounts.reg;
      const lr = await ask(probe, 'Login', { username, password, features: ['chat'], locale: 'en' }, this.timeoutMs);
      if (!lr.ok) return { class: 'leak', detail: `a new connection's Login failed: ${lr.what}` };
      return null;
    } catch (e) {
      return this.failure('a new connection did not complete Handshake and Login', e);
    } finally {
      probe.destroy();
    }
  }
}
