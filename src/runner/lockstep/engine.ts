// The lockstep engine's facade: a model mirror of the target plus every harness connection. Every
// byte the harness writes is also decoded as the target must decode it and fed to `step`; every
// output of the model becomes an expectation on the harness connection it addresses; the engine
// then waits until each required expectation is met by what the target actually sent, in order
// per connection (arrivals.ts, waiting.ts). Absence on a connection is proven by a round trip
// (`barrier`), not by waiting; a broadcast to another connection can only be waited out
// (WIRE-ORD-3), unless its kind is presumed absent (absent-outputs.ts). Where the spec lets the
// target choose an outcome that changes what happens next, every allowed outcome is predicted and
// the first one the traffic shows is adopted (forks.ts). Operations run one at a time (`serial`);
// each is a sequence of top-level steps.
import type { State } from '../../model/index.ts';
import type { NexusConnection } from '../../net/connection.ts';
import type { Failure, TrafficStats } from '../results.ts';
import { mapSessionIds } from '../session-ids.ts';
import type { OutputKind } from './absent-outputs.ts';
import { Core } from './core.ts';
import { harnessAddress } from './conn.ts';
import type { HarnessConn } from './conn.ts';
import { awaitCloseStep, barrierItem, clientClose, exchangeStep, openStep } from './steps.ts';
import type { Answer, LockstepOptions, Outgoing } from './types.ts';

export class Lockstep {
  private readonly core: Core;
  /** The end of the chain of serialised operations (see `serial`). */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly opts: LockstepOptions,
    initial: State,
  ) {
    this.core = new Core(opts, initial);
    this.core.mirror.reset(initial);
  }

  // --- the run loop's questions and settings -----------------------------------------------------------

  /** Round trips and connections so far. */
  get stats(): TrafficStats {
    return { ...this.core.stats };
  }

  /** The failures of the check in progress (a copy). */
  get failures(): Failure[] {
    return this.core.record.all();
  }

  /** The failures of the check in progress that rest on a presumed absence, and their kinds (absent-outputs.ts). */
  get presumedAbsent(): { kinds: OutputKind[]; failures: number } {
    const p = this.core.presumedInCheck;
    return { kinds: [...p.kinds.values()], failures: p.failures };
  }

  /** The outcome the target's traffic chose, when the last exchange or client close allowed several. */
  get lastOutcome(): string | undefined {
    return this.core.lastOutcome;
  }

  /** Read-only view of the mirror (after the last step). */
  model(): Readonly<State> {
    return this.core.mirror.state;
  }

  /** Replaces the mirror (start of run, resync after a failed check). */
  reset(state: State): void {
    this.core.fork = null;
    this.core.mirror.reset(state);
  }

  /**
   * Starts a check: its failures start empty and cite its rules; `serverTimeouts` lets the target's
   * own deadlines close connections (WIRE-TMO-4, slow checks).
   */
  beginCheck(rules: string[], opts: { serverTimeouts?: boolean } = {}): void {
    this.core.record.begin(rules);
    this.core.presumedInCheck.kinds.clear();
    this.core.presumedInCheck.failures = 0;
    this.core.serverTimeouts = opts.serverTimeouts ?? false;
    this.core.mirror.beginCheck();
  }

  /** Failures found outside the engine (assertions, runner steps) join the check's record. */
  report(...failures: Failure[]): void {
    this.core.record.add(...failures);
  }

  /** Changes how long a wait for an expected frame may take. */
  setTimeout(ms: number): void {
    this.opts.timeoutMs = ms;
  }

  /** Test seam: makes the mirror diverge from the target on purpose (runner tests of mismatches). */
  alterMirror(change: (state: State) => void): void {
    this.core.mirror.alter(change);
  }

  freshId(): string {
    return this.core.freshId();
  }

  isOwnName(name: string): boolean {
    return this.core.isOwnName(name);
  }

  /** A target body with its session ids rewritten to the model's. */
  toModelIds(body: Record<string, unknown>): Record<string, unknown> {
    return mapSessionIds(body, this.core.mirror.ids) as Record<string, unknown>;
  }

  // --- questions about one connection ------------------------------------------------------------------

  /** The engine still tracks `hc` (not closed by the client or discarded). */
  isTracked(hc: HarnessConn): boolean {
    return this.core.conns.get(hc.id) === hc;
  }

  /** No close of `hc` has been handled (the target may still be about to close it). */
  isOpen(hc: HarnessConn): boolean {
    return !hc.closed;
  }

  /** SES-KICK-3 `nexusd`: the session was removed and the socket may close at any time. */
  isRemoved(hc: HarnessConn): boolean {
    return hc.removed;
  }

  /** The model's phase of the connection (undefined once the model forgot it). */
  phaseOf(hc: HarnessConn): State['connections'][string]['phase'] | undefined {
    return this.core.mirror.state.connections[hc.id]?.phase;
  }

  /** The model's session id on `hc`. */
  sessionOf(hc: HarnessConn): number | undefined {
    return this.core.mirror.state.connections[hc.id]?.sessionId ?? undefined;
  }

  /** Why the connection ended, as the socket saw it. */
  closeReason(hc: HarnessConn): string {
    return hc.conn?.closeInfo?.reason ?? 'closed';
  }

  harnessConnections(): HarnessConn[] {
    return [...this.core.conns.values()];
  }

  // --- connections -------------------------------------------------------------------------------------

  /** Registers a connection opened and logged in outside the lockstep (the control connection). */
  adopt(label: string, conn: NexusConnection): HarnessConn {
    this.core.stats.connections += 1;
    return this.core.newConn(label, conn);
  }

  /** Attaches a live harness connection to a session the mirror holds as a stranger (the control session). */
  attachSession(hc: HarnessConn, sessionId: number, locale: string): void {
    if (!hc.conn) throw new Error(`attachSession: ${hc.label} has no socket`);
    this.core.mirror.attachSession(hc.id, { ip: harnessAddress(hc.conn), port: hc.conn.localPort }, sessionId, locale);
  }

  /**
   * Opens a connection in lockstep: the model is told (it may predict a WIRE-IP-2 drop), then the
   * socket is opened. A refused TLS handshake is the drop when the model predicted one.
   */
  open(label: string): Promise<HarnessConn> {
    return this.serial(() => openStep(this.core, label));
  }

  /** Drops a connection without telling the model (raw cleanup after a failed check). */
  async discard(hc: HarnessConn): Promise<void> {
    this.core.markClosed(hc);
    hc.forget();
    this.core.conns.delete(hc.id);
    if (hc.conn) await hc.conn.close();
  }

  // --- exchanges ---------------------------------------------------------------------------------------

  /**
   * Writes `items` in one write, steps the model with what the target will decode, and waits until
   * every harness connection shows what the model predicts. Returns one Answer per request.
   */
  exchange(hc: HarnessConn, items: Outgoing[]): Promise<Answer[]> {
    return this.serial(() => exchangeStep(this.core, hc, items, false));
  }

  /** Convenience: one request, one answer. */
  async request(hc: HarnessConn, type: string, body: Record<string, unknown> = {}, id?: string): Promise<Answer> {
    const item: Outgoing = id === undefined ? { kind: 'message', type, body } : { kind: 'message', type, body, id };
    const [answer] = await this.exchange(hc, [item]);
    return answer!;
  }

  /** A causal barrier on an authenticated connection (BARRIER_REQUEST). */
  async barrier(hc: HarnessConn): Promise<void> {
    await this.exchange(hc, [barrierItem()]);
  }

  /**
   * One operation at a time: the model is stepped in the order the harness writes, and a Reply the
   * scenario did not await yet must not interleave its waiting with the next request's.
   */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.tail.then(f, f);
    this.tail = run.catch(() => {});
    return run;
  }

  // --- closes ------------------------------------------------------------------------------------------

  /** Client-side close: the model is told, the logout broadcasts (SES-BC-3) are checked. */
  closeFromClient(hc: HarnessConn): Promise<void> {
    return this.serial(() => clientClose(this.core, hc));
  }

  /**
   * Waits until the target closes `hc` (SES-KICK-3 `spec`, expectClosed). A lazily removed session
   * (SES-KICK-3 `nexusd`) is settled by a request: E-AUTHENTICATION and close, or the close itself.
   */
  awaitClose(hc: HarnessConn, waitMs: number = this.opts.timeoutMs): Promise<void> {
    return this.serial(() => awaitCloseStep(this.core, hc, waitMs));
  }
}
