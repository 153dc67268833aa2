// What the parts of the lockstep engine share: its options, the model mirror, the harness
// connections, the pending fork, the mismatch record, and the one way a model output becomes an
// expectation on the connection it addresses. The facade (engine.ts) owns one; forks, arrivals and
// waiting work on it.
import { allAccountsList, nameKey, sessionHolds } from '../../model/index.ts';
import type { Event, Output, SendOutput, State } from '../../model/index.ts';
import type { ConnId, Profile } from '../../protocol/types.ts';
import { seededIds, type IdSource } from '../../protocol/ids.ts';
import type { NexusConnection, Received } from '../../net/connection.ts';
import { matchMessage, type CompareContext } from '../compare.ts';
import { causeOf, CLOSING_ERROR } from '../outcomes.ts';
import { describeExpectation, type ExpectedOutcomes } from '../render.ts';
import type { TrafficStats } from '../results.ts';
import { nowSeconds } from '../clock.ts';
import { describeKind, type AudienceSide, type OutputKind } from './absent-outputs.ts';
import { AnswerTime } from './answer-time.ts';
import { HarnessConn, outputKind } from './conn.ts';
import type { Expectation } from './conn.ts';
import type { Fork } from './forks.ts';
import { Mirror } from './mirror.ts';
import { Mismatches } from './mismatches.ts';
import type { LockstepOptions } from './types.ts';
import { RunAborted } from './types.ts';

export class Core {
  readonly mirror: Mirror;
  readonly record: Mismatches;
  readonly conns = new Map<ConnId, HarnessConn>();
  readonly stats: TrafficStats = { roundTrips: 0, connections: 0, logins: 0 };
  /** Several allowed outcomes of the last thing written, not told apart yet: arrivals wait for `decide`. */
  fork: Fork | null = null;
  /** The outcome the target's traffic chose, when the last exchange or client close allowed several. */
  lastOutcome: string | undefined;
  /**
   * Exchanges whose predicted outcome the target did not take: a direct answer that differed from
   * every allowed outcome, a close after a closing error proven missing, or a close nothing
   * predicted. The check has failed on it, and the broadcasts the model predicted after it rest on
   * an outcome that did not happen: those still missing are not waited for (waiting.ts). Keyed by
   * the exchange's list of request ids (Expectation.requestIds, one array per exchange), not by the
   * ids, which repeat: raw frames carry fixed ones.
   */
  readonly notTaken = new WeakSet<readonly string[]>();
  /**
   * Checks that wait for the target's own deadlines (`slow`) let it close connections that are
   * subject to a timer (WIRE-TMO-1/2); the model has no clock, so it is told when the target acts.
   */
  serverTimeouts = false;
  /**
   * The failures of the check in progress that rest on a presumed absence (absent-outputs.ts),
   * and their kinds (by describeKind).
   */
  readonly presumedInCheck = { kinds: new Map<string, OutputKind>(), failures: 0 };
  /** How long exchanges take on this target: when an overdue answer is proven missing (answer-time.ts). */
  readonly answerTime = new AnswerTime();
  /** Wakes the operation waiting for arrivals (a frame arrived, a connection closed, the run was aborted). */
  private waker: (() => void) | null = null;
  private connCounter = 0;
  /** Request ids derive from the run seed. */
  private readonly ids: IdSource;

  constructor(
    readonly opts: LockstepOptions,
    initial: ConstructorParameters<typeof Mirror>[0],
  ) {
    this.mirror = new Mirror(initial);
    this.record = new Mismatches(opts.logger);
    this.ids = seededIds(opts.seed ^ 0x5bd1e995);
    this.proofId = seededIds(opts.seed ^ 0x27d4eb2f);
    opts.signal?.addEventListener('abort', () => this.wake(), { once: true });
  }

  freshId(): string {
    return this.ids();
  }

  /**
   * Ids of the barriers that prove a late answer missing (steps.ts awaitAnswers): their own seeded
   * sequence, since whether one goes out depends on timing, and the ids of every other request
   * must repeat for a seed.
   */
  readonly proofId: IdSource;

  throwIfAborted(): void {
    if (this.opts.signal?.aborted) throw new RunAborted();
  }

  /** A new harness connection, listened to at once when its socket is already open. */
  newConn(label: string, conn: NexusConnection | null): HarnessConn {
    this.connCounter += 1;
    const hc = new HarnessConn(`h${this.connCounter}`, label, this.opts.profile);
    if (conn) this.listen(hc, conn);
    this.conns.set(hc.id, hc);
    return hc;
  }

  /** Frames and closes on `conn` reach `hc`'s inbox and wake the waiting operation. */
  listen(hc: HarnessConn, conn: NexusConnection): void {
    const absent = this.opts.absent;
    hc.attach(
      conn,
      () => this.wake(),
      this.opts.onTraffic,
      absent ? (frame) => absent.arrived(frame, () => this.holdsUserList(hc.id)) : undefined,
    );
  }

  wake(): void {
    this.waker?.();
  }

  /**
   * `hc` is handled as closed from here on (HarnessConn.markClosed). If a removal close was reported
   * missing on it and the target has closed it by now, late, the target makes that kind after all.
   */
  markClosed(hc: HarnessConn): void {
    const reason = hc.conn?.closeInfo?.reason;
    if (hc.lateClose !== null && (reason === 'eof' || reason === 'reset')) this.opts.absent?.answered(hc.lateClose);
    hc.markClosed();
  }

  /** Resolves after `ms` or at the next arrival, whichever comes first. */
  activity(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.waker === done) this.waker = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waker = done;
    });
  }

  isOwnName(name: string): boolean {
    return this.opts.isRunName(name) || nameKey(name) === nameKey(this.opts.adminUsername);
  }

  compareContext(): CompareContext {
    return {
      profile: this.opts.profile,
      match: this.opts.match,
      ids: this.mirror.ids,
      now: nowSeconds(),
      isOwnName: (name) => this.isOwnName(name),
      ...(this.opts.isSiblingName ? { isTransientName: this.opts.isSiblingName } : {}),
      model: this.mirror.state,
    };
  }

  /**
   * Steps the mirror with an event that leaves no choice and queues its outputs as expectations;
   * `cause` defaults to the event's (causeOf).
   */
  apply(event: Event, sent: string, requestIds: string[] = [], cause?: string): Output[] {
    const before = this.mirror.state;
    const outputs = this.mirror.step(event);
    cause ??= causeOf(event, outputs);
    for (const o of outputs) this.expect(o, cause, before, sent, requestIds, false);
    return outputs;
  }

  /**
   * Tells the model a connection is gone, if it still knows it. `closedBy`: `unpredicted`, the
   * target closed it where nothing allowed a close (a failure already), so what the model predicts
   * after it is not waited for (notTaken); `tolerated`, the target closed it where the spec allowed
   * a close after an error, so what follows follows a closing error (CLOSING_ERROR), as it does
   * where the close was required.
   */
  forgetInModel(hc: HarnessConn, sent: string, closedBy: 'unpredicted' | 'tolerated' | null = null): void {
    if (!this.mirror.state.connections[hc.id]) return;
    const requestIds: string[] = [];
    if (closedBy === 'unpredicted') this.notTaken.add(requestIds);
    const cause = closedBy === 'tolerated' ? CLOSING_ERROR : undefined;
    this.apply({ kind: 'close', conn: hc.id, now: nowSeconds() }, sent, requestIds, cause);
  }

  /**
   * One model output becomes an expectation on the (still open) harness connection it addresses;
   * `before`: the mirror's state before the step that predicted it (the mirror holds the state after).
   */
  expect(
    output: Output,
    cause: string,
    before: State,
    sent: string,
    requestIds: string[],
    probe: boolean,
    request?: Record<string, unknown>,
  ): void {
    const hc = this.conns.get(output.conn);
    if (!hc || hc.closed) return;
    if (output.kind === 'send') this.addLenientAlternatives(output, request);
    // Kinds are kept only while absences are presumed.
    const kind = this.opts.absent
      ? outputKind({ output, cause, requestIds }, () => this.audienceSide(hc.id, before, this.mirror.state))
      : null;
    const e: Expectation = { output, cause, kind, conn: hc.id, sent, requestIds, probe, matched: null };
    if (request) e.request = request;
    hc.queue.push(e);
    for (const c of this.collectors) c.push(e);
  }

  /** Where the session on `conn` stands to `user_list` across a step, from the states before and after it. */
  audienceSide(conn: ConnId, before: State, after: State): AudienceSide {
    const was = this.holdsUserList(conn, before);
    const is = this.holdsUserList(conn, after);
    return was === is ? (is ? 'holder' : 'other') : is ? 'gaining' : 'losing';
  }

  /** Whether the model's session on `conn` holds `user_list` (the line most broadcast audiences follow). */
  holdsUserList(conn: ConnId, state: State = this.mirror.state): boolean {
    const id = state.connections[conn]?.sessionId;
    const session = id == null ? undefined : state.sessions[String(id)];
    return session !== undefined && sessionHolds(state, session, 'user_list');
  }

  /** Expectation lists of the operations in progress (what one exchange produced, for its answers). */
  readonly collectors = new Set<Expectation[]>();

  /** USR-LIST-4 `lenient`: `all:true` may follow either profile. */
  private addLenientAlternatives(output: SendOutput, request?: Record<string, unknown>): void {
    if (this.opts.match !== 'lenient' || output.message.type !== 'UserListResponse') return;
    if (output.message.body.success !== true || request?.all !== true) return;
    const other: Profile = this.opts.profile === 'spec' ? 'nexusd' : 'spec';
    const body = { ...output.message.body, users: allAccountsList(this.mirror.state, other) };
    output.accept = { ...output.accept, alternatives: [...(output.accept?.alternatives ?? []), { type: 'UserListResponse', body }] };
  }

  /** A failure on `hc`'s account (see Mismatches.record). */
  fail(hc: HarnessConn, rules: readonly string[], sent: string, expected: ExpectedOutcomes | string, actual: string): void {
    this.record.record(hc.label, rules, sent, expected, actual);
  }

  /** An output presumed absent (absent-outputs.ts) fails without being waited for; its note says why. */
  failPresumed(hc: HarnessConn, e: Expectation, kind: OutputKind, actual: string): void {
    this.presumedInCheck.kinds.set(describeKind(kind), kind);
    this.presumedInCheck.failures += 1;
    const late = this.watchForLate(hc, e, kind);
    if (late) this.opts.absent?.reportMissing(kind, late);
    const expected = describeExpectation(e.output);
    const note = [expected.note, this.opts.absent?.note(kind)].filter((n) => n !== undefined).join('; ');
    this.fail(hc, e.output.rules, e.sent, { ...expected, note }, actual);
  }

  /** A wait of the whole timeout missed `e` (of `kind`): one full miss more. */
  missedInFullWait(hc: HarnessConn, e: Expectation, kind: OutputKind): void {
    this.opts.absent?.missedInFullWait(kind, this.watchForLate(hc, e, kind));
  }

  /**
   * From now on, `e` (reported missing) counts as seen should it come late. A removal close: when
   * the target closes `hc` after all (HarnessConn.lateClose, read by markClosed); nothing returned.
   * A broadcast: by a frame, on any connection, that the comparator would have matched then; the
   * recogniser is returned for AbsentOutputs to offer every frame to.
   */
  private watchForLate(hc: HarnessConn, e: Expectation, kind: OutputKind): ((frame: Received) => boolean) | undefined {
    if (e.output.kind === 'close') {
      hc.lateClose = kind;
      return undefined;
    }
    const ctx = this.compareContext();
    const out = e.output;
    return (frame) => matchMessage(out, frame, ctx).differences.length === 0;
  }
}
