// Strangers on a live target (WIRE-ORD-3: other people's sessions come and go during a run). Frames
// about them reach the harness's user_list holders; they must not fail a run, and the model must
// learn about them so later lists, audiences and per-IP counts stay right. Pure: decides, the
// lockstep applies.
import { nameKey } from '../model/index.ts';
import type { Event, State } from '../model/index.ts';
import type { ConnId, Message } from '../protocol/types.ts';
import { isObject } from '../protocol/types.ts';
import type { SessionIdMap } from './session-ids.ts';
import { nowSeconds } from './clock.ts';

export interface StrangerView {
  state: State;
  ids: SessionIdMap;
  /** Model ids of sessions the harness does not own. */
  foreignSessions: ReadonlySet<number>;
  /** Regular accounts of the run that lost a session while keeping others (this check). */
  recentLogouts: ReadonlySet<string>;
  isRunName: (name: string) => boolean;
  /**
   * Names of the run's other lanes (`--jobs`): strangers the mirror need not learn — no list of
   * theirs is ever required, and learning every login of every lane would cost a model step each.
   */
  isSiblingName?: (name: string) => boolean;
}

export type StrangerVerdict =
  /** About the run's own sessions: the comparator's business. */
  | { kind: 'ours' }
  /** Explained without a model change (another copy, an account change of a stranger, SES-BC-4). */
  | { kind: 'explained' }
  /** A new stranger: link `targetId` to the event's session id and feed the event. */
  | { kind: 'login'; targetId: number; event: Extract<Event, { kind: 'foreign-login' }> }
  /** A stranger left. */
  | { kind: 'logout'; modelId: number };

/** The model's placeholder for a stranger's socket (never a harness connection id), see WIRE-IP-1. */
export function strangerConn(sessionId: number): ConnId {
  return `stranger:${sessionId}`;
}

function isRunUser(u: Record<string, unknown>, view: StrangerView): boolean {
  return (typeof u.username === 'string' && view.isRunName(u.username)) || (typeof u.nickname === 'string' && view.isRunName(u.nickname));
}

function isHarnessSession(view: StrangerView, modelId: number | undefined): boolean {
  if (modelId === undefined) return false;
  const s = view.state.sessions[String(modelId)];
  return s !== undefined && s.conn !== null;
}

/**
 * What an unpredicted frame means when it is about someone else. Run-prefixed names are the run's
 * (strangers never use the prefix); the admin account may have strangers' sessions too, so those are
 * told apart by session id.
 */
export function explainStranger(m: Message, view: StrangerView): StrangerVerdict {
  const body = m.body;
  if (m.type === 'UserConnected' && isObject(body.user)) {
    const u = body.user;
    if (isRunUser(u, view)) return { kind: 'ours' };
    if (typeof u.username === 'string' && view.isSiblingName?.(u.username)) return { kind: 'explained' };
    // A guest session of the guest lane (--jobs) has the account `guest` and a sibling's nickname: it
    // is learned like any stranger's, since whether the guest has live sessions decides its entries
    // in an all:true UserList (USR-LIST-4, nexusd: one per session instead of the account's).
    const ids = u.session_ids;
    if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== 'number') return { kind: 'ours' };
    const known = view.ids.toModel(ids[0]);
    if (known !== undefined) return view.foreignSessions.has(known) ? { kind: 'explained' } : { kind: 'ours' };
    return { kind: 'login', targetId: ids[0], event: foreignLogin(u, view.state.nextSessionId, view.state) };
  }
  if (m.type === 'UserDisconnected' && typeof body.session_id === 'number') {
    const modelId = view.ids.toModel(body.session_id);
    // The run's sessions always have known ids (learned at login): an unknown one is a stranger's,
    // or one that ended around a resync.
    if (modelId === undefined) return { kind: 'explained' };
    return view.foreignSessions.has(modelId) ? { kind: 'logout', modelId } : { kind: 'ours' };
  }
  if (m.type === 'UserUpdated' && isObject(body.user)) {
    const u = body.user;
    if (!isRunUser(u, view)) {
      // A stranger's account changed: fine as long as none of its sessions is the run's.
      const ids = Array.isArray(u.session_ids) ? u.session_ids : [];
      const strangersOnly = ids.every((t) => typeof t === 'number' && !isHarnessSession(view, view.ids.toModel(t)));
      return strangersOnly ? { kind: 'explained' } : { kind: 'ours' };
    }
    // SES-BC-4: later builds re-send UserUpdated for a regular account that still has sessions.
    const key = typeof u.username === 'string' ? nameKey(u.username) : '';
    const tolerated =
      u.is_shared === false &&
      view.recentLogouts.has(key) &&
      typeof body.previous_username === 'string' &&
      nameKey(body.previous_username) === key &&
      Object.values(view.state.sessions).some((s) => s.accountKey === key);
    return tolerated ? { kind: 'explained' } : { kind: 'ours' };
  }
  return { kind: 'ours' };
}

/** The model's view of a stranger's new session, from its UserConnected (SES-BC-1). */
function foreignLogin(u: Record<string, unknown>, modelId: number, state: State): Extract<Event, { kind: 'foreign-login' }> {
  const username = String(u.username ?? '');
  const accountKey = nameKey(username);
  const now = nowSeconds();
  const loginTime = typeof u.login_time === 'number' ? u.login_time : now;
  const isShared = u.is_shared === true;
  const event: Extract<Event, { kind: 'foreign-login' }> = {
    kind: 'foreign-login',
    session: {
      id: modelId,
      accountKey,
      nickname: String(u.nickname ?? username),
      isShared,
      loginTime,
      locale: typeof u.locale === 'string' ? u.locale : 'en',
      avatar: typeof u.avatar === 'string' ? u.avatar : null,
      features: [],
      isAway: u.is_away === true,
      status: typeof u.status === 'string' ? u.status : null,
      ip: '',
      port: 0,
    },
    now,
  };
  if (!state.accounts[accountKey]) {
    // An account created by someone else during the run: only what the broadcast shows is known.
    event.account = {
      username,
      passwordDigest: null,
      isAdmin: u.is_admin === true,
      isShared,
      enabled: true,
      permissions: [],
      createdAt: loginTime,
    };
  }
  return event;
}
