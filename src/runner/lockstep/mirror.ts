// The model mirror: the state the target is believed to be in, the other states it may be in
// (shadow worlds the traffic has not told apart yet, outcomes.ts), the map between the target's
// session ids and the model's, and what the mirror knows about strangers' sessions (snapshot
// strangers, strangers seen later, accounts that lost one of several sessions, SES-BC-4).
import { step } from '../../model/index.ts';
import type { Event, Output, State } from '../../model/index.ts';
import type { ConnId } from '../../protocol/types.ts';
import type { Received } from '../../net/connection.ts';
import { SessionIdMap } from '../session-ids.ts';
import type { Outcome, World } from '../outcomes.ts';
import { explainStranger, strangerConn } from '../strangers.ts';

/** What `save` keeps and `restore` puts back (the mirror before bytes the target never read). */
export interface MirrorSave {
  state: State;
  shadows: World[];
  label: string;
}

export class Mirror {
  readonly ids = new SessionIdMap();
  private state_: State;
  /**
   * Other states the target may be in: outcomes its traffic fitted as completely as the adopted one
   * (e.g. UND-7 in `nexusd`, where the renamed session's nickname shows only later). Stepped along
   * with the mirror; a later exchange that tells them apart decides. Dropped at the next check.
   */
  private shadows: World[] = [];
  /** What the adopted world is called while shadows exist. */
  private label = '';
  /** Model ids of sessions the harness does not own (snapshot strangers and strangers seen later). */
  private readonly foreignSessions = new Set<number>();
  /** Regular accounts that lost a session while keeping others (SES-BC-4 tolerance), per check. */
  private readonly recentLogouts = new Set<string>();

  constructor(initial: State) {
    this.state_ = initial;
  }

  get state(): State {
    return this.state_;
  }

  /**
   * Replaces the mirror (start of run, resync after a failed check). Snapshot sessions keep their
   * target ids as model ids (stateFromSnapshot), so they map onto themselves and count as strangers.
   */
  reset(input: State): void {
    // States share unchanged parts with the states they came from (step's structural sharing):
    // change a copy of the tables, never the given ones.
    const state: State = { ...input, connections: { ...input.connections } };
    this.state_ = state;
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
        state.connections[strangerConn(s.id)] = {
          id: strangerConn(s.id),
          ip: s.ip,
          port: s.port,
          phase: 'auth',
          sessionId: null,
          locale: s.locale,
        };
      }
    }
  }

  /** Hands a session the mirror holds as a stranger's to a live harness connection (the control session). */
  attachSession(conn: ConnId, address: { ip: string; port: number }, sessionId: number, locale: string): void {
    const session = this.state_.sessions[String(sessionId)];
    if (!session) throw new Error(`attachSession: no session ${sessionId} in the mirror`);
    this.foreignSessions.delete(sessionId);
    // Copies, never in place: the tables and entries may be shared with earlier states (step.ts).
    const connections = { ...this.state_.connections };
    delete connections[strangerConn(sessionId)];
    connections[conn] = { id: conn, ip: address.ip, port: address.port, phase: 'auth', sessionId, locale };
    this.state_ = { ...this.state_, sessions: { ...this.state_.sessions, [String(sessionId)]: { ...session, conn } }, connections };
  }

  /** A new check: logouts of the last one no longer explain frames; undecided outcomes are settled as adopted. */
  beginCheck(): void {
    this.recentLogouts.clear();
    this.dropShadows();
  }

  /**
   * Feeds one event to the model (the reference's outcome: events other than what the harness
   * writes or closes leave no choice). Shadow worlds that would answer differently cannot be
   * checked here and are dropped.
   */
  step(event: Event): Output[] {
    const before = this.state_;
    const { state, outputs } = step(before, event);
    this.state_ = state;
    this.noteLogouts(before, state);
    if (this.shadows.length > 0) {
      const want = signature(outputs);
      this.shadows = this.shadows.flatMap((w) => {
        const r = step(w.state, event);
        return signature(r.outputs) === want ? [{ ...w, state: r.state }] : [];
      });
      if (this.shadows.length === 0) this.label = '';
    }
    return outputs;
  }

  /** The adopted world first, then the shadows. */
  worlds(): World[] {
    return [{ state: this.state_, label: this.label, rules: [] }, ...this.shadows];
  }

  /**
   * Makes `adopted` the mirror's state; outcomes the traffic fitted just as well stay possible
   * (same decoder: they read the bytes alike), each distinct state once.
   */
  adopt(adopted: Outcome, equivalent: readonly Outcome[]): void {
    const before = this.state_;
    this.state_ = adopted.state;
    this.shadows = [];
    // Serialised only when an equivalent outcome has a state of its own (most exchanges have none).
    let seen: Set<string> | null = null;
    for (const e of equivalent) {
      if (e.decoder !== adopted.decoder || e.state === adopted.state) continue;
      seen ??= new Set([JSON.stringify(adopted.state)]);
      const key = JSON.stringify(e.state);
      if (seen.has(key)) continue;
      seen.add(key);
      this.shadows.push({ state: e.state, label: e.label, rules: e.rules });
    }
    this.label = this.shadows.length > 0 ? adopted.label : '';
    this.noteLogouts(before, adopted.state);
  }

  save(): MirrorSave {
    return { state: this.state_, shadows: this.shadows, label: this.label };
  }

  restore(saved: MirrorSave): void {
    this.state_ = saved.state;
    this.shadows = saved.shadows;
    this.label = saved.label;
  }

  /** Puts back the state before a settling probe the target never read (it closed instead). */
  undoTo(state: State): void {
    this.state_ = state;
  }

  /**
   * A close the model applied did not happen (arrivals.ts provenOpen): the connection, and its
   * session, are back as `before` had them, in every world that lost them.
   */
  reinstate(conn: ConnId, before: State): void {
    const c = before.connections[conn];
    if (c === undefined) return;
    const session = c.sessionId === null ? undefined : before.sessions[String(c.sessionId)];
    const back = (state: State): State => {
      if (state.connections[conn] !== undefined) return state;
      const out = { ...state, connections: { ...state.connections, [conn]: c } };
      if (session !== undefined && state.sessions[String(session.id)] === undefined)
        out.sessions = { ...state.sessions, [String(session.id)]: session };
      return out;
    };
    this.state_ = back(this.state_);
    this.shadows = this.shadows.map((w) => ({ ...w, state: back(w.state) }));
  }

  /** Test seam: makes the mirror diverge from the target on purpose (runner tests of mismatches). */
  alter(change: (state: State) => void): void {
    change(this.state_);
  }

  // --- strangers (strangers.ts) -------------------------------------------------------------------------

  /** What a frame about someone else means: ours, explained, a stranger's login or logout. */
  strangerVerdict(
    frame: Received,
    isRunName: (name: string) => boolean,
    isSiblingName?: (name: string) => boolean,
  ): ReturnType<typeof explainStranger> {
    return explainStranger(frame.message!, {
      state: this.state_,
      ids: this.ids,
      foreignSessions: this.foreignSessions,
      recentLogouts: this.recentLogouts,
      isRunName,
      ...(isSiblingName ? { isSiblingName } : {}),
    });
  }

  /** A stranger's session seen for the first time (its target id mapped to the model's). */
  addStranger(targetId: number, modelId: number): void {
    this.ids.link(targetId, modelId);
    this.foreignSessions.add(modelId);
  }

  /** Drops a stranger's account that has no session left (another lane's, see LockstepOptions.isSiblingName). */
  forgetIdleAccount(accountKey: string): void {
    if (Object.values(this.state_.sessions).some((s) => s.accountKey === accountKey)) return;
    delete this.state_.accounts[accountKey];
  }

  /** A stranger's socket slot from our address goes with its session (see `reset`). */
  dropStrangerSlot(modelId: number): void {
    delete this.state_.connections[strangerConn(modelId)];
  }

  private dropShadows(): void {
    this.shadows = [];
    this.label = '';
  }

  /** SES-BC-4: a regular account that lost a session but still has others may get an extra UserUpdated. */
  private noteLogouts(before: State, after: State): void {
    if (before.sessions === after.sessions) return; // step shares an unchanged table
    for (const [id, s] of Object.entries(before.sessions)) {
      if (after.sessions[id] || s.isShared) continue;
      if (Object.values(after.sessions).some((o) => o.accountKey === s.accountKey)) this.recentLogouts.add(s.accountKey);
    }
  }
}

/** Outputs as the comparator sees them (fresh ids aside): do two worlds answer alike? */
function signature(outputs: Output[]): string {
  return JSON.stringify(
    outputs.map((o) =>
      o.kind === 'send'
        ? [o.conn, o.message.type, o.error ? null : o.message.body, o.error?.key ?? null, o.accept ?? null]
        : [o.conn, 'close', o.accept ?? null],
    ),
  );
}
