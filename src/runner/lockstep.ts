// The lockstep engine: a model mirror of the target plus every harness connection. Every byte the
// harness writes is also decoded as the target must decode it and fed to `step`; every output of the
// model becomes an expectation on the harness connection it addresses; the engine then waits until
// each required expectation is met by what the target actually sent (compare.ts), in order per
// connection. Frames nobody predicted are either explained (strangers on a live target, SES-BC-4)
// or reported. Absence is never proven by waiting: `barrier` makes a round trip instead.
// Where the spec lets the target choose an outcome that changes what happens next, every allowed
// outcome is predicted and the first one the traffic shows is adopted (outcomes.ts).
import type { Logger } from 'pino';
import { allAccountsList, classifyError, nameKey, step } from '../model/index.ts';
import type { CloseOutput, Event, Output, SendOutput, State } from '../model/index.ts';
import { encodeFrame, FrameDecoder } from '../protocol/frame.ts';
import { createRng, randomMessageId } from '../protocol/ids.ts';
import { frameLimitFor } from '../protocol/limits.ts';
import type { ConnId, MatchMode, Profile } from '../protocol/types.ts';
import { isClientType } from '../protocol/types.ts';
import type { Received } from '../net/connection.ts';
import { NexusConnection } from '../net/connection.ts';
import type { Failure } from '../report/types.ts';
import type { CompareContext, Learned } from './compare.ts';
import { matchMessage, SessionIdMap } from './compare.ts';
import type { ConnView, Judge, Outcome, World } from './outcomes.ts';
import { afterTaking, decide, decodings, eligible, errorMayClose, isOptional, outcomeNote, predict, stepAll } from './outcomes.ts';
import { diagnose } from './diagnose.ts';
import { explainStranger, strangerConn } from './strangers.ts';
import { renderBytes, renderExpectation, renderMessage } from './render.ts';
import { isLoopback } from '../model/ip.ts';
import { nowSeconds } from './clock.ts';

// --- public shapes ------------------------------------------------------------------------------------

export interface TargetAddress {
  host: string;
  port: number;
  transport: 'tls' | 'plain';
  fingerprint?: string;
}

export interface LockstepOptions {
  profile: Profile;
  match: MatchMode;
  timeoutMs: number;
  target: TargetAddress;
  /** Run-prefixed names: the run's own accounts and nicknames (strangers never use the prefix). */
  isRunName: (name: string) => boolean;
  /** The admin username (the control session belongs to the run too). */
  adminUsername: string;
  seed: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** Hears every frame the harness writes and receives and every open and close (transcripts, traces). */
  onTraffic?: (e: TrafficEvent) => void;
}

/** One event of a connection's traffic, rendered with passwords masked (render.ts). */
export interface TrafficEvent {
  /** ms since the epoch */
  at: number;
  conn: ConnId;
  actor: string;
  dir: 'opened' | 'sent' | 'received' | 'closed';
  type?: string;
  id?: string;
  /** The rendered frame (`Type#id {json}`) or bytes; empty for opens and closes. */
  text: string;
}

/** One thing to write: a well-formed request (the `type` member is added) or raw bytes. */
export type Outgoing =
  | { kind: 'message'; type: string; body: Record<string, unknown>; id?: string }
  | { kind: 'raw'; bytes: Uint8Array | string };

/** The outcome of one request of an exchange. */
export interface Answer {
  /** The request id written. */
  id: string;
  type: string;
  /** What the model predicts as the direct answer (null: none, e.g. a silent close). */
  predicted: SendOutput | null;
  /** The frame the target answered with (null: none arrived, e.g. the connection closed). */
  observed: Received | null;
  /** The connection was already gone or closed instead of answering, which the spec allowed (SES-KICK-3). */
  closedInstead: boolean;
  /** When the spec allowed several outcomes of the exchange: the one the target's traffic showed (outcomes.ts). */
  outcome?: string;
}

export interface HarnessConn {
  readonly id: ConnId;
  /** Actor name, for failure messages. */
  label: string;
  conn: NexusConnection | null;
  /**
   * Decodes what the harness writes as the target does (one per connection: raw bytes may split
   * frames); replaced by the adopted outcome's copy when a target may decode differently (UND-11).
   */
  decoder: FrameDecoder;
  /** Frames received and not handled yet. */
  inbox: Received[];
  queue: Expectation[];
  closeHandled: boolean;
  /** SES-KICK-3 `nexusd`: the session was removed, the socket may close at any time or stay open. */
  lazyRemoved: boolean;
  /** A close the spec allows but does not require (E! among the carriers, optional close). */
  closeTolerated: boolean;
  /** The model before a settling probe, restored when the probe is answered by a close. */
  probeState: State | null;
  unsubscribe: () => void;
}

/** Thrown after an exchange that produced failures: the mirror can no longer be trusted for this check. */
export class LockstepMismatch extends Error {
  constructor(readonly failures: Failure[]) {
    super(failures.map((f) => `${f.rule}: expected ${firstLine(f.expected)}, got ${firstLine(f.actual)}`).join('; '));
    this.name = 'LockstepMismatch';
  }
}

/** The run was interrupted (SIGINT/SIGTERM). */
export class RunAborted extends Error {
  constructor() {
    super('run interrupted');
    this.name = 'RunAborted';
  }
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

interface Expectation {
  output: SendOutput | CloseOutput;
  conn: ConnId;
  /** Rendered frames of the exchange that produced it. */
  sent: string;
  /** Request ids written by that exchange (direct answers echo one of them). */
  requestIds: string[];
  /** Part of a settling probe (may be dropped if the connection closes instead, see `probeState`). */
  probe: boolean;
  matched: Received | null;
  /** The body of the request this output answers (diagnoses read it). */
  request?: Record<string, unknown>;
}

export const BARRIER_REQUEST = { type: 'UserInfo', body: { nickname: '' } } as const;


/**
 * The address the target sees for a harness connection. Loopback targets see the loopback address
 * of the same family; for remote targets the local address is used when the connection exposes
 * it — the comparator learns the NAT-translated address on first sight anyway (compare.ts).
 */
function harnessAddress(conn: NexusConnection): string {
  if (conn.localAddress !== '') return conn.localAddress;
  return isLoopback(conn.remoteAddress) ? conn.remoteAddress : '0.0.0.0';
}

// --- the engine ---------------------------------------------------------------------------------------

export class Lockstep {
  state: State;
  readonly ids = new SessionIdMap();
  readonly stats = { roundTrips: 0, connections: 0 };
  /** Failures of the current check; run.ts swaps the array per check. */
  failures: Failure[] = [];
  /** Rules of the current check, the fallback rule of a failure. */
  checkRules: string[] = [];

  private readonly conns = new Map<ConnId, HarnessConn>();
  private connCounter = 0;
  private readonly rng: () => number;
  /** Model ids of sessions the harness does not own (snapshot strangers and strangers seen later). */
  private readonly foreignSessions = new Set<number>();
  /** Regular accounts that lost a session while keeping others (SES-BC-4 tolerance), per check. */
  private readonly recentLogouts = new Set<string>();
  private lastSent = '(nothing sent yet)';
  /** Wakes the exchange waiting in `drain` (a frame arrived, a connection closed, the run was aborted). */
  private wake: (() => void) | null = null;
  /** The end of the chain of serialised operations (see `serial`). */
  private tail: Promise<unknown> = Promise.resolve();
  /** Expectation lists of the exchanges in progress (a settling probe runs inside another exchange). */
  private readonly collectors = new Set<Expectation[]>();
  /** Several allowed outcomes of the last thing written, not told apart yet: arrivals wait for `decide`. */
  private fork: Fork | null = null;
  /**
   * Other states the target may be in: outcomes its traffic fitted as completely as the adopted one
   * (e.g. UND-7 in `nexusd`, where the renamed session's nickname shows only later). Stepped along
   * with the mirror; a later exchange that tells them apart decides. Dropped at the next check.
   */
  private shadows: World[] = [];
  /** What the adopted world is called while shadows exist. */
  private worldLabel = '';
  /** Optional expectations a settling probe is out to settle (see `settle`). */
  private readonly settling = new Set<Expectation>();
  /** Connections a settling probe is running on (a tolerated close is probed for once). */
  private readonly settlingConns = new Set<HarnessConn>();
  /** Appended to failures of the exchange whose outcome was chosen among several (see `record`). */
  private note: string | null = null;
  /** The outcome the target's traffic chose, when the last exchange or client close allowed several. */
  lastOutcome: string | undefined;

  constructor(
    readonly opts: LockstepOptions,
    initial: State,
  ) {
    this.state = initial;
    this.rng = createRng(opts.seed ^ 0x5bd1e995);
    opts.signal?.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  // --- model state -------------------------------------------------------------------------------------

  /**
   * Replaces the mirror (start of run, resync after a failed check). Snapshot sessions keep their
   * target ids as model ids (stateFromSnapshot), so they map onto themselves and count as strangers.
   */
  reset(state: State): void {
    this.state = state;
    this.fork = null;
    this.dropShadows();
    this.ids.clear();
    this.foreignSessions.clear();
    for (const s of Object.values(state.sessions)) {
      this.ids.link(s.id, s.id);
      if (s.conn !== null) continue;
      this.foreignSessions.add(s.id);
      // WIRE-IP-1 counts every open connection from an address: a stranger's socket from our own
      // address takes a slot the model must know about. The record carries no session, so no
      // handler sends to it; it goes when the stranger logs out.
      if (s.ip !== '') {
        state.connections[strangerConn(s.id)] = { id: strangerConn(s.id), ip: s.ip, port: s.port, phase: 'auth', sessionId: null, locale: s.locale };
      }
    }
  }

  /** Attaches a live harness connection to a session the mirror holds as a stranger (the control session). */
  attachSession(hc: HarnessConn, sessionId: number, locale: string): void {
    const session = this.state.sessions[String(sessionId)];
    if (!session || !hc.conn) throw new Error(`attachSession: no session ${sessionId} in the mirror`);
    session.conn = hc.id;
    this.foreignSessions.delete(sessionId);
    delete this.state.connections[strangerConn(sessionId)];
    this.state.connections[hc.id] = {
      id: hc.id,
      ip: harnessAddress(hc.conn),
      port: hc.conn.localPort,
      phase: 'auth',
      sessionId,
      locale,
    };
  }

  beginCheck(rules: string[]): Failure[] {
    this.failures = [];
    this.checkRules = rules;
    this.recentLogouts.clear();
    // An outcome the previous check's traffic never told apart is settled as adopted.
    this.dropShadows();
    return this.failures;
  }

  freshId(): string {
    return randomMessageId(this.rng);
  }

  connection(id: ConnId): HarnessConn | undefined {
    return this.conns.get(id);
  }

  harnessConnections(): HarnessConn[] {
    return [...this.conns.values()];
  }

  private compareContext(): CompareContext {
    return {
      profile: this.opts.profile,
      match: this.opts.match,
      ids: this.ids,
      now: nowSeconds(),
      isOwnName: (name) => this.isOwnName(name),
      model: this.state,
    };
  }

  isOwnName(name: string): boolean {
    return this.opts.isRunName(name) || nameKey(name) === nameKey(this.opts.adminUsername);
  }

  /**
   * Feeds one event to the model and queues its outputs (the reference's outcome: events other
   * than what the harness writes or closes leave no choice). Shadow worlds that would answer
   * differently cannot be checked here and are dropped.
   */
  private apply(event: Event, sent: string, requestIds: string[], probe = false, request?: Record<string, unknown>): Output[] {
    const before = this.state;
    const { state, outputs } = step(before, event);
    this.state = state;
    this.noteLogouts(before, state);
    for (const o of outputs) this.expect(o, sent, requestIds, probe, request);
    if (this.shadows.length > 0) {
      const want = signature(outputs);
      this.shadows = this.shadows.flatMap((w) => {
        const r = step(w.state, event);
        return signature(r.outputs) === want ? [{ ...w, state: r.state }] : [];
      });
      if (this.shadows.length === 0) this.worldLabel = '';
    }
    return outputs;
  }

  // --- alternative outcomes (outcomes.ts) ---------------------------------------------------------------

  private worlds(): World[] {
    return [{ state: this.state, label: this.worldLabel, rules: [] }, ...this.shadows];
  }

  private dropShadows(): void {
    this.shadows = [];
    this.worldLabel = '';
  }

  /** One outcome is expected at once; several become a fork that `drain` decides. */
  private begin(hc: HarnessConn, outcomes: Outcome[], sent: string, requestIds: string[], probe: boolean): Fork {
    const fork: Fork = { requester: hc.id, outcomes, sent, requestIds, probe, adopted: null };
    if (outcomes.length === 1) this.adoptOutcome(fork, 0, []);
    else this.fork = fork;
    return fork;
  }

  /** Decides the pending fork from what arrived so far (`final`: the wait is over). */
  private resolveFork(final: boolean): void {
    const fork = this.fork;
    if (!fork) return;
    const views: ConnView[] = [];
    for (const hc of this.conns.values()) {
      if (hc.closeHandled) continue;
      views.push({
        id: hc.id,
        queue: hc.queue,
        inbox: hc.inbox,
        closed: hc.conn?.closeInfo != null,
        closeTolerated: hc.closeTolerated,
        lazyRemoved: hc.lazyRemoved,
      });
    }
    const judge: Judge = {
      matches: (out, frame, state) => matchMessage(out, frame, { ...this.compareContext(), model: state }).differences.length === 0,
      neutral: (frame) => this.strangerVerdict(frame).kind !== 'ours',
    };
    const d = decide(fork.outcomes, fork.requester, views, judge, final);
    if (d.kind === 'wait') return;
    this.fork = null;
    this.note = outcomeNote(fork.outcomes, d.index, d.matched);
    if (!fork.probe) this.lastOutcome = fork.outcomes[d.index]!.label || '(reference outcome)';
    this.adoptOutcome(fork, d.index, d.equivalent);
  }

  /** Makes `fork.outcomes[index]` the mirror's: its state, its decoder, its outputs as expectations. */
  private adoptOutcome(fork: Fork, index: number, equivalent: number[]): void {
    const o = fork.outcomes[index]!;
    fork.adopted = o.label;
    const hc = this.conns.get(fork.requester);
    if (hc) hc.decoder = o.decoder;
    const before = this.state;
    this.state = o.state;
    // Outcomes the traffic fitted just as well stay possible (same decoder: they read the bytes
    // alike), each distinct state once.
    this.shadows = [];
    if (equivalent.length > 0) {
      const seen = new Set([JSON.stringify(o.state)]);
      for (const e of equivalent.map((i) => fork.outcomes[i]!)) {
        const key = JSON.stringify(e.state);
        if (e.decoder !== o.decoder || seen.has(key)) continue;
        seen.add(key);
        this.shadows.push({ state: e.state, label: e.label, rules: e.rules });
      }
    }
    this.worldLabel = this.shadows.length > 0 ? o.label : '';
    this.noteLogouts(before, o.state);
    for (const { output, request } of o.outputs) this.expect(output, fork.sent, fork.requestIds, fork.probe, request);
  }

  /** SES-BC-4: a regular account that lost a session but still has others may get an extra UserUpdated. */
  private noteLogouts(before: State, after: State): void {
    for (const [id, s] of Object.entries(before.sessions)) {
      if (after.sessions[id] || s.isShared) continue;
      if (Object.values(after.sessions).some((o) => o.accountKey === s.accountKey)) this.recentLogouts.add(s.accountKey);
    }
  }

  private expect(output: Output, sent: string, requestIds: string[], probe: boolean, request?: Record<string, unknown>): void {
    const hc = this.conns.get(output.conn);
    if (!hc || hc.closeHandled) return;
    if (output.kind === 'send') this.addLenientAlternatives(output, request);
    const e: Expectation = { output, conn: hc.id, sent, requestIds, probe, matched: null };
    if (request) e.request = request;
    hc.queue.push(e);
    for (const c of this.collectors) c.push(e);
  }

  /** USR-LIST-4 `lenient`: `all:true` may follow either profile. */
  private addLenientAlternatives(output: SendOutput, request?: Record<string, unknown>): void {
    if (this.opts.match !== 'lenient' || output.message.type !== 'UserListResponse') return;
    if (output.message.body.success !== true || request?.all !== true) return;
    const other: Profile = this.opts.profile === 'spec' ? 'nexusd' : 'spec';
    const body = { ...output.message.body, users: allAccountsList(this.state, other) };
    output.accept = { ...output.accept, alternatives: [...(output.accept?.alternatives ?? []), { type: 'UserListResponse', body }] };
  }

  // --- connections -------------------------------------------------------------------------------------

  private newHarnessConn(label: string, conn: NexusConnection | null): HarnessConn {
    this.connCounter += 1;
    const hc: HarnessConn = {
      id: `h${this.connCounter}`,
      label,
      conn,
      decoder: new FrameDecoder({
        isKnownType: isClientType,
        limitFor: frameLimitFor(this.opts.profile),
      }),
      inbox: [],
      queue: [],
      closeHandled: false,
      lazyRemoved: false,
      closeTolerated: false,
      probeState: null,
      unsubscribe: () => {},
    };
    if (conn) this.listen(hc, conn);
    this.conns.set(hc.id, hc);
    return hc;
  }

  private listen(hc: HarnessConn, conn: NexusConnection): void {
    const tap = this.opts.onTraffic;
    tap?.({ at: Date.now(), conn: hc.id, actor: hc.label, dir: 'opened', text: '' });
    hc.unsubscribe = conn.onReceive((r) => {
      tap?.({
        at: r.at,
        conn: hc.id,
        actor: hc.label,
        dir: 'received',
        type: r.raw.type,
        id: r.raw.id,
        text: r.message ? renderMessage(r.message) : renderBytes(r.raw.payload),
      });
      hc.inbox.push(r);
      this.wake?.();
    });
    void conn.closed.then(() => {
      tap?.({ at: Date.now(), conn: hc.id, actor: hc.label, dir: 'closed', text: '' });
      this.wake?.();
    });
  }

  /** Registers a connection opened and logged in outside the lockstep (the control connection). */
  adopt(label: string, conn: NexusConnection): HarnessConn {
    this.stats.connections += 1;
    return this.newHarnessConn(label, conn);
  }

  /**
   * Opens a connection in lockstep: the model is told (it may predict a WIRE-IP-2 drop), then the
   * socket is opened. A refused TLS handshake is the drop when the model predicted one.
   */
  open(label: string): Promise<HarnessConn> {
    return this.serial(() => this.doOpen(label));
  }

  private async doOpen(label: string): Promise<HarnessConn> {
    this.throwIfAborted();
    const startFailures = this.failures.length;
    const hc = this.newHarnessConn(label, null);
    const sent = `(connect ${label})`;
    this.lastSent = sent;
    const { target, timeoutMs } = this.opts;
    let conn: NexusConnection | null = null;
    let openError: Error | null = null;
    try {
      const o: Parameters<typeof NexusConnection.open>[0] = { host: target.host, port: target.port, transport: target.transport, timeoutMs };
      if (target.fingerprint !== undefined) o.fingerprint = target.fingerprint;
      conn = await NexusConnection.open(o);
    } catch (e) {
      openError = e as Error;
    }
    this.stats.connections += 1;
    const ip = conn ? harnessAddress(conn) : isLoopback(target.host) ? target.host : '0.0.0.0';
    const outputs = this.apply({ kind: 'connect', conn: hc.id, ip, port: conn?.localPort ?? 0, now: nowSeconds() }, sent, []);
    const dropped = outputs.some((o) => o.kind === 'close' && o.conn === hc.id);
    if (conn) {
      hc.conn = conn;
      this.listen(hc, conn);
      if (dropped) await this.drain(this.opts.timeoutMs);
      this.raiseSince(startFailures);
      return hc;
    }
    hc.closeHandled = true;
    hc.queue = [];
    if (!dropped) {
      // The model accepted a connection the target refused: forget it there too.
      if (this.state.connections[hc.id]) this.apply({ kind: 'close', conn: hc.id, now: nowSeconds() }, sent, []);
      this.record(hc, ['WIRE-IP-1'], sent, 'the connection is accepted', `could not connect: ${openError?.message ?? 'unknown error'}`);
      this.raiseSince(startFailures);
    }
    return hc;
  }

  // --- exchanges ---------------------------------------------------------------------------------------

  /**
   * Writes `items` in one write, steps the model with what the target will decode, and waits until
   * every harness connection shows what the model predicts. Returns one Answer per request.
   */
  exchange(hc: HarnessConn, items: Outgoing[]): Promise<Answer[]> {
    return this.serial(() => this.doExchange(hc, items, {}));
  }

  /**
   * One exchange at a time: the model is stepped in the order the harness writes, and a Reply the
   * scenario did not await yet must not interleave its waiting with the next request's.
   */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.tail.then(f, f);
    this.tail = run.catch(() => {});
    return run;
  }

  private async doExchange(hc: HarnessConn, items: Outgoing[], opts: { probe?: boolean }): Promise<Answer[]> {
    this.throwIfAborted();
    const startFailures = this.failures.length;
    if (!opts.probe) {
      this.note = null;
      this.lastOutcome = undefined;
    }
    // Catch up first: a close that already happened must be known before the model sees new frames.
    this.processArrivals();

    const chunks: Buffer[] = [];
    const requests: Array<{ id: string; type: string; body: Record<string, unknown> }> = [];
    const writes: Array<{ type?: string; id?: string; text: string }> = [];
    for (const item of items) {
      if (item.kind === 'message') {
        const id = item.id ?? this.freshId();
        const body = { type: item.type, ...item.body };
        chunks.push(encodeFrame(item.type, id, JSON.stringify(body)));
        requests.push({ id, type: item.type, body });
        writes.push({ type: item.type, id, text: renderMessage({ type: item.type, id, body }) });
      } else {
        chunks.push(typeof item.bytes === 'string' ? Buffer.from(item.bytes, 'utf8') : Buffer.from(item.bytes));
        writes.push({ text: renderBytes(item.bytes) });
      }
    }
    const lines = writes.map((w) => w.text);
    const bytes = Buffer.concat(chunks);
    const sent = lines.join('\n');
    this.lastSent = sent;

    const mine: Expectation[] = [];
    this.collectors.add(mine);
    let fork: Fork;
    try {
      const wasGone = hc.conn === null || hc.closeHandled || hc.conn.isClosed;
      if (opts.probe) hc.probeState = this.state;
      const before = { state: this.state, shadows: this.shadows, worldLabel: this.worldLabel };

      // Decode as the target does (as each target may, where the spec leaves the decoder a choice)
      // and step the model frame by frame, in every world; several outcomes wait for `drain`.
      const probe = opts.probe ?? false;
      const requestIds = requests.map((r) => r.id);
      const bodyOf = (id: string): Record<string, unknown> | undefined => requests.find((r) => r.id === id)?.body;
      const outcomes = predict(this.worlds(), hc.id, decodings(hc.decoder, bytes, this.opts.profile), nowSeconds(), bodyOf);
      fork = this.begin(hc, outcomes, sent, requestIds, probe);

      this.stats.roundTrips += requests.length > 0 ? requests.length : items.length > 0 ? 1 : 0;
      const written = !wasGone && hc.conn!.sendRaw(bytes);
      if (written && this.opts.onTraffic) {
        for (const w of writes) this.opts.onTraffic({ at: Date.now(), conn: hc.id, actor: hc.label, dir: 'sent', ...w });
      }
      if (!written) {
        // Nothing was read: whichever outcome is adopted, it is undone.
        if (this.fork === fork) {
          this.fork = null;
          this.adoptOutcome(fork, 0, []);
        }
        this.handleGoneBeforeWrite(hc, before, mine, sent);
      }

      await this.drain(this.opts.timeoutMs);
      await this.settle();
    } finally {
      this.collectors.delete(mine);
    }

    const answers = requests.map((r): Answer => {
      const exp = mine.find(
        (e) => e.conn === hc.id && e.output.kind === 'send' && e.output.message.id === r.id && e.output.error?.carriers[0] !== 'N',
      );
      const observed = exp?.matched ?? null;
      return {
        id: r.id,
        type: r.type,
        predicted: exp ? (exp.output as SendOutput) : null,
        observed,
        closedInstead: observed === null && hc.closeHandled && (hc.lazyRemoved || hc.closeTolerated),
        ...(fork.outcomes.length > 1 && fork.adopted !== null ? { outcome: fork.adopted || '(reference outcome)' } : {}),
      };
    });
    if (this.failures.length > startFailures) throw new LockstepMismatch(this.failures.slice(startFailures));
    return answers;
  }

  /**
   * Nothing reached the target: the socket was already gone. The model must not keep what it
   * predicted for bytes the target never read; the connection is forgotten instead. That is
   * allowed after a lazy removal or a tolerated close (SES-KICK-3), a failure otherwise.
   */
  private handleGoneBeforeWrite(hc: HarnessConn, before: { state: State; shadows: World[]; worldLabel: string }, mine: Expectation[], sent: string): void {
    const allowed = hc.lazyRemoved || hc.closeTolerated;
    for (const c of this.conns.values()) c.queue = c.queue.filter((e) => !mine.includes(e));
    if (!allowed) {
      for (const e of mine) {
        if (e.conn === hc.id && !isOptional(e.output)) {
          this.record(hc, e.output.rules, e.sent, renderExpectation(e.output), 'nothing: the connection was already closed');
        }
      }
    }
    this.state = before.state;
    this.shadows = before.shadows;
    this.worldLabel = before.worldLabel;
    hc.closeHandled = true;
    hc.unsubscribe();
    if (this.state.connections[hc.id]) this.apply({ kind: 'close', conn: hc.id, now: nowSeconds() }, sent, []);
  }

  /** Convenience: one request, one answer. */
  async request(hc: HarnessConn, type: string, body: Record<string, unknown> = {}, id?: string): Promise<Answer> {
    const item: Outgoing = id === undefined ? { kind: 'message', type, body } : { kind: 'message', type, body, id };
    const [answer] = await this.exchange(hc, [item]);
    return answer!;
  }

  /**
   * A causal barrier on an authenticated connection: `UserInfo {nickname: ""}` is answered with
   * E-NICKNAME-EMPTY by every profile, needs no permission and changes nothing (USR-INFO-2). Its
   * answer proves that everything the target sent earlier on this connection has been checked.
   */
  async barrier(hc: HarnessConn): Promise<void> {
    await this.exchange(hc, [{ kind: 'message', type: BARRIER_REQUEST.type, body: { ...BARRIER_REQUEST.body } }]);
  }

  /** Client-side close: the model is told, the logout broadcasts (SES-BC-3) are checked. */
  closeFromClient(hc: HarnessConn): Promise<void> {
    return this.serial(() => {
      this.note = null;
      this.lastOutcome = undefined;
      return this.doCloseFromClient(hc);
    });
  }

  private async doCloseFromClient(hc: HarnessConn): Promise<void> {
    this.throwIfAborted();
    const startFailures = this.failures.length;
    this.processArrivals();
    if (hc.conn && !hc.closeHandled) {
      const tail = hc.decoder.end(); // WIRE-BAD-13: a partial frame left behind
      const sent = `(${hc.label} closes its connection)`;
      this.lastSent = sent;
      if (tail && this.state.connections[hc.id]) {
        this.apply({ kind: 'malformed', conn: hc.id, error: tail.info, now: nowSeconds() }, sent, []);
      }
      hc.queue = hc.queue.filter((e) => e.output.kind !== 'send'); // nothing more can be read
      await hc.conn.close();
      hc.closeHandled = true;
      hc.queue = [];
      hc.unsubscribe();
      hc.inbox = [];
      if (this.state.connections[hc.id]) {
        // The logout broadcasts may tell undecided worlds apart (UND-7: the nickname in UserDisconnected).
        const event: Event = { kind: 'close', conn: hc.id, now: nowSeconds() };
        const outcomes = this.worlds().flatMap((w) => stepAll({ label: w.label, rules: w.rules, state: w.state, outputs: [], decoder: hc.decoder }, [{ event }]));
        this.begin(hc, outcomes, sent, [], false);
      }
      await this.drain(this.opts.timeoutMs);
      await this.settle();
    }
    this.conns.delete(hc.id);
    if (this.failures.length > startFailures) throw new LockstepMismatch(this.failures.slice(startFailures));
  }

  /**
   * Waits until the target closes `hc` (SES-KICK-3 `spec`, expectClosed). A lazily removed session
   * (SES-KICK-3 `nexusd`) is settled by a request: E-AUTHENTICATION and close, or the close itself.
   */
  awaitClose(hc: HarnessConn, waitMs: number = this.opts.timeoutMs): Promise<void> {
    return this.serial(() => this.doAwaitClose(hc, waitMs));
  }

  private async doAwaitClose(hc: HarnessConn, waitMs: number): Promise<void> {
    const startFailures = this.failures.length;
    this.processArrivals();
    if (!hc.closeHandled && hc.lazyRemoved) {
      // UserList checks GEN-2 before anything else (USR-LIST-1): E-AUTHENTICATION and close, or
      // the close the target already made. (The barrier's UserInfo validates first, USR-INFO-2.)
      await this.doExchange(hc, [{ kind: 'message', type: 'UserList', body: {} }], {});
    }
    const deadline = Date.now() + waitMs;
    while (!hc.closeHandled) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.opts.signal?.aborted) break;
      await this.activity(remaining);
      this.processArrivals();
    }
    this.throwIfAborted();
    if (hc.closeHandled) {
      // What the close caused elsewhere (SES-BC-3) is checked now, not in the next exchange.
      await this.drain(this.opts.timeoutMs);
      await this.settle();
    } else {
      this.record(hc, this.checkRules, this.lastSent, 'the server closes the connection', `still open after ${waitMs} ms`);
    }
    this.raiseSince(startFailures);
  }

  /** Drops a connection without telling the model (raw cleanup after a failed check). */
  async discard(hc: HarnessConn): Promise<void> {
    hc.unsubscribe();
    hc.inbox = [];
    hc.queue = [];
    hc.closeHandled = true;
    this.conns.delete(hc.id);
    if (hc.conn) await hc.conn.close();
  }

  /** Forgets every frame received on `hc` so far (after raw requests made outside the lockstep). */
  discardInbox(hc: HarnessConn): void {
    hc.inbox = [];
    hc.queue = [];
  }

  // --- waiting -----------------------------------------------------------------------------------------

  private throwIfAborted(): void {
    if (this.opts.signal?.aborted) throw new RunAborted();
  }

  private activity(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private required(): Expectation[] {
    const out: Expectation[] = [];
    for (const hc of this.conns.values()) {
      for (const e of hc.queue) {
        if (!isOptional(e.output)) out.push(e);
      }
    }
    return out;
  }

  /** Handles arrivals until every required expectation is met or the timeout expires. */
  private async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.resolveFork(false);
      this.processArrivals();
      const pending = this.required();
      if (pending.length === 0 && this.fork === null) return;
      const remaining = deadline - Date.now();
      if (this.opts.signal?.aborted) throw new RunAborted();
      if (remaining <= 0) {
        if (this.fork) {
          this.resolveFork(true);
          this.processArrivals();
        }
        for (const e of this.required()) {
          const hc = this.conns.get(e.conn)!;
          this.record(hc, e.output.rules, e.sent, renderExpectation(e.output), `nothing within ${timeoutMs} ms`);
          hc.queue = hc.queue.filter((x) => x !== e);
        }
        return;
      }
      await this.activity(remaining);
    }
  }

  /** Resolves what the spec leaves open once the required part is done (optional frames and closes). */
  private async settle(): Promise<void> {
    for (const hc of [...this.conns.values()]) {
      if (hc.closeHandled) continue;
      const leftovers = hc.queue;
      if (leftovers.length === 0 && !hc.closeTolerated) continue;
      if (leftovers.some((e) => e.output.kind === 'close' && e.output.accept?.lazy)) {
        hc.lazyRemoved = true;
        hc.closeTolerated = false;
      }
      const optionalClose = leftovers.some((e) => e.output.kind === 'close' && e.output.accept?.optional);
      // Optional frames an outer settle is already probing for are not probed for again.
      const pendingSends = leftovers.filter((e) => e.output.kind === 'send' && !this.settling.has(e));
      const optionalSends = pendingSends.length > 0;
      hc.queue = leftovers.filter((e) => e.output.kind === 'send');
      if (optionalClose) hc.closeTolerated = true;
      const phase = this.state.connections[hc.id]?.phase;
      // A tolerated close is settled by one probe: the probe's own exchange does not probe again.
      const closeToSettle = hc.closeTolerated && !this.settlingConns.has(hc);
      if (!closeToSettle && !optionalSends) continue;
      if (phase === 'auth' && !hc.lazyRemoved) {
        // A round trip settles both: earlier optional frames arrive before its answer, and a
        // connection the target meant to close is closed before it reads the probe (WIRE-SEQ-8).
        for (const e of pendingSends) this.settling.add(e);
        const outer = this.settlingConns.has(hc);
        this.settlingConns.add(hc);
        try {
          await this.doExchange(hc, [{ kind: 'message', type: BARRIER_REQUEST.type, body: { ...BARRIER_REQUEST.body } }], { probe: true });
        } finally {
          for (const e of pendingSends) this.settling.delete(e);
          if (!outer) this.settlingConns.delete(hc);
        }
        // Optional frames that did not come before the probe's answer are not coming; afterTaking
        // drops the others that way, those that may precede a response (WIRE-ORD-2) are dropped here.
        hc.queue = hc.queue.filter((e) => !pendingSends.includes(e));
        if (!hc.closeHandled) hc.closeTolerated = false;
        hc.probeState = null;
      } else if (hc.closeTolerated && !hc.lazyRemoved) {
        // Before login a probe would have side effects; closing ourselves makes both outcomes equal.
        hc.queue = [];
        await this.doCloseFromClient(hc);
      } else {
        hc.queue = [];
      }
    }
  }

  // --- arrivals ----------------------------------------------------------------------------------------

  /** Handles every buffered frame and close of every connection, in the order they arrived. */
  private processArrivals(): void {
    for (;;) {
      if (this.fork) return; // nothing is handled before the outcome is known (resolveFork)
      let next: { hc: HarnessConn; frame: Received | null; seq: number } | null = null;
      for (const hc of this.conns.values()) {
        if (hc.closeHandled) continue;
        const f = hc.inbox[0];
        if (f && (next === null || f.seq < next.seq)) next = { hc, frame: f, seq: f.seq };
        else if (!f && hc.conn?.closeInfo && (next === null || hc.conn.closeInfo.seq < next.seq)) {
          next = { hc, frame: null, seq: hc.conn.closeInfo.seq };
        }
      }
      if (next === null) return;
      if (next.frame) {
        next.hc.inbox.shift();
        this.onFrame(next.hc, next.frame);
      } else {
        this.onClose(next.hc);
      }
    }
  }

  private onFrame(hc: HarnessConn, frame: Received): void {
    if (!frame.message) {
      this.record(hc, ['WIRE-JSON-1'], this.lastSent, 'a JSON object payload', `${frame.parseError ?? 'unparseable payload'}: ${renderBytes(frame.raw.payload)}`);
      return;
    }
    const ctx = this.compareContext();
    const candidates = eligible(hc.queue);
    for (const i of candidates) {
      const e = hc.queue[i]!;
      const outcome = matchMessage(e.output as SendOutput, frame, ctx);
      if (outcome.differences.length === 0) return this.consume(hc, i, frame, outcome.learned);
    }
    if (this.absorb(frame)) return;
    if (this.recognizeTimeouts(hc, frame)) {
      for (const i of eligible(hc.queue)) {
        const outcome = matchMessage(hc.queue[i]!.output as SendOutput, frame, ctx);
        if (outcome.differences.length === 0) return this.consume(hc, i, frame, outcome.learned);
      }
    }

    // The closest prediction: same type, or the same request id for a direct answer.
    let best: { index: number; diffs: string[] } | null = null;
    for (const i of candidates) {
      const out = hc.queue[i]!.output as SendOutput;
      if (!corresponds(out, frame)) continue;
      const diffs = matchMessage(out, frame, ctx).differences;
      if (best === null || diffs.length < best.diffs.length) best = { index: i, diffs };
    }
    const shown = renderMessage(frame.message);
    if (best) {
      const e = hc.queue[best.index]!;
      const out = e.output as SendOutput;
      // A known, named deviation (diagnose.ts) is reported as such, under the rule it breaks.
      const why = diagnose(out, frame.message, e.request, this.state);
      const actual = `${why ? `${why.note}: ` : ''}${shown}\n  ${best.diffs.join('\n  ')}`;
      this.record(hc, why ? [why.rule, ...out.rules] : out.rules, e.sent, renderExpectation(out), actual);
      this.consume(hc, best.index, frame, null);
      return;
    }
    // Out of order? A later prediction that matches cleanly.
    const later = hc.queue.findIndex((e, i) => !candidates.includes(i) && e.output.kind === 'send' && matchMessage(e.output, frame, ctx).differences.length === 0);
    if (later >= 0) {
      const first = hc.queue.find((e) => e.output.kind === 'close' || !isOptional(e.output))!;
      this.record(
        hc,
        (hc.queue[later]!.output as SendOutput).rules,
        hc.queue[later]!.sent,
        `first: ${renderExpectation(first.output)}`,
        `${shown} arrived out of order`,
      );
      hc.queue.splice(later, 1);
      return;
    }
    this.record(hc, this.checkRules, this.lastSent, 'no frame on this connection (none predicted)', `unexpected ${shown}`);
  }

  private consume(hc: HarnessConn, index: number, frame: Received, learned: Learned | null): void {
    const e = hc.queue[index]!;
    const out = e.output as SendOutput;
    if (learned) this.ids.apply(learned);
    // Optional predecessors that did not come are gone now (unless they may come in any order).
    hc.queue = afterTaking(hc.queue, index);
    e.matched = frame;
    // An Error in place of a carrier that may close (E! among the carriers) may be followed by a close.
    if (errorMayClose(out, frame, hc.queue)) hc.closeTolerated = true;
  }

  private onClose(hc: HarnessConn): void {
    if (this.allowServerTimeouts && this.underTimer(hc)) this.applyTimeout(hc);
    hc.closeHandled = true;
    const info = hc.conn?.closeInfo;
    const how = `connection closed (${info?.reason ?? 'closed'}${info?.detail ? `: ${info.detail}` : ''})`;
    const closeIndex = hc.queue.findIndex((e) => e.output.kind === 'close');
    const before = closeIndex < 0 ? hc.queue : hc.queue.slice(0, closeIndex);
    const missing = before.filter((e) => e.output.kind === 'send' && !isOptional(e.output));
    const probeOnly = missing.length > 0 && missing.every((e) => e.probe);

    if (probeOnly && hc.probeState && hc.closeTolerated) {
      // The target closed after an error that allowed it; the probe was never processed: undo it.
      this.state = hc.probeState;
      hc.probeState = null;
    } else if (hc.lazyRemoved) {
      // SES-KICK-3 `nexusd`: a removed session's socket may close at any time; what was pending is moot.
    } else if (closeIndex >= 0 || hc.closeTolerated) {
      for (const e of missing) this.record(hc, (e.output as SendOutput).rules, e.sent, renderExpectation(e.output), how);
    } else {
      const what = missing.length > 0 ? missing.map((e) => renderExpectation(e.output)).join('\n') : 'the connection stays open';
      const rules = missing.length > 0 ? (missing[0]!.output as SendOutput).rules : this.checkRules;
      this.record(hc, rules, missing[0]?.sent ?? this.lastSent, what, how);
    }
    hc.queue = [];
    hc.unsubscribe();
    if (this.state.connections[hc.id]) this.apply({ kind: 'close', conn: hc.id, now: nowSeconds() }, `(${hc.label}: ${how})`, []);
  }

  // --- server timers (WIRE-TMO-1/2) --------------------------------------------------------------------

  /**
   * Checks that wait for the target's own deadlines (`slow`) let it close connections that are
   * subject to a timer; the model has no clock, so it is told when the target acts.
   */
  allowServerTimeouts = false;

  /** Pre-login (WIRE-TMO-1) or in the middle of a frame (WIRE-TMO-2), with nothing else pending. */
  private underTimer(hc: HarnessConn): boolean {
    const c = this.state.connections[hc.id];
    return c !== undefined && hc.queue.length === 0 && (c.phase === 'new' || c.phase === 'shaken' || hc.decoder.midFrame);
  }

  private applyTimeout(hc: HarnessConn): void {
    this.apply({ kind: 'timeout', conn: hc.id, now: nowSeconds() }, `(${hc.label}: the server's timer expired)`, []);
  }

  /**
   * An unpredicted `frame` on `hc` may be the first sign of a timer that expired on the target: its
   * E-INVALID-MESSAGE-FORMAT notice, or (on another connection) a broadcast caused by a timed-out
   * session whose socket has already closed. Returns whether the model was told anything.
   */
  private recognizeTimeouts(hc: HarnessConn, frame: Received): boolean {
    if (!this.allowServerTimeouts) return false;
    let told = false;
    if (this.underTimer(hc) && isTimeoutNotice(frame)) {
      this.applyTimeout(hc);
      told = true;
    }
    for (const other of this.conns.values()) {
      if (other === hc || other.closeHandled || !this.underTimer(other)) continue;
      const head = other.inbox[0];
      if (head ? isTimeoutNotice(head) : other.conn?.closeInfo) {
        this.applyTimeout(other);
        told = true;
      }
    }
    return told;
  }

  // --- strangers ---------------------------------------------------------------------------------------

  /** Explains a frame about someone else (strangers.ts) and tells the model what it learnt. */
  private absorb(frame: Received): boolean {
    const verdict = this.strangerVerdict(frame);
    switch (verdict.kind) {
      case 'ours':
        return false;
      case 'explained':
        return true;
      case 'login':
        this.ids.link(verdict.targetId, verdict.event.session.id);
        this.foreignSessions.add(verdict.event.session.id);
        this.apply(verdict.event, '(a stranger logged in)', []);
        return true;
      case 'logout':
        if (this.state.sessions[String(verdict.modelId)]) {
          this.apply({ kind: 'foreign-logout', sessionId: verdict.modelId, now: nowSeconds() }, '(a stranger logged out)', []);
        }
        delete this.state.connections[strangerConn(verdict.modelId)];
        return true;
    }
  }

  private strangerVerdict(frame: Received): ReturnType<typeof explainStranger> {
    return explainStranger(frame.message!, {
      state: this.state,
      ids: this.ids,
      foreignSessions: this.foreignSessions,
      recentLogouts: this.recentLogouts,
      isRunName: this.opts.isRunName,
    });
  }

  // --- failures ----------------------------------------------------------------------------------------

  private record(hc: HarnessConn, rules: string[], sent: string, expected: string, actual: string): void {
    const rule = rules[0] ?? this.checkRules[0] ?? 'GEN-3';
    // A failure of an exchange with several allowed outcomes names all of them (outcomes.ts).
    const f: Failure = { rule, sent, expected: this.note ? `${expected}\n  (${this.note})` : expected, actual, actor: hc.label };
    this.failures.push(f);
    this.opts.logger?.debug({ rule, actor: hc.label, expected: firstLine(expected), actual: firstLine(actual) }, 'lockstep mismatch');
  }

  private raiseSince(start: number): void {
    if (this.failures.length > start) throw new LockstepMismatch(this.failures.slice(start));
  }
}

/** The Error a server writes when its idle or frame timer expires (WIRE-TMO-1/2, SES-ERR-1). */
function isTimeoutNotice(r: Received): boolean {
  const m = r.message;
  if (!m || m.type !== 'Error' || (m.body.command ?? null) !== null || typeof m.body.message !== 'string') return false;
  return classifyError(m.body.message).includes('E-INVALID-MESSAGE-FORMAT');
}

/** Could `frame` be the target's (wrong) version of `out`? */
function corresponds(out: SendOutput, frame: Received): boolean {
  const m = frame.message!;
  if (m.type === out.message.type) return true;
  if (out.error && (m.type === 'Error' || m.type.endsWith('Response')) && m.id === out.message.id) return true;
  return out.message.type.endsWith('Response') && m.id === out.message.id;
}

/** Several allowed outcomes of one thing the harness did, until the traffic tells which (outcomes.ts). */
interface Fork {
  /** The connection whose traffic decides first. */
  requester: ConnId;
  outcomes: Outcome[];
  sent: string;
  requestIds: string[];
  probe: boolean;
  /** The label of the adopted outcome, once decided. */
  adopted: string | null;
}

/** Outputs as the comparator sees them (fresh ids aside): do two worlds answer alike? */
function signature(outputs: Output[]): string {
  return JSON.stringify(
    outputs.map((o) => (o.kind === 'send' ? [o.conn, o.message.type, o.error ? null : o.message.body, o.error?.key ?? null, o.accept ?? null] : [o.conn, 'close', o.accept ?? null])),
  );
}
