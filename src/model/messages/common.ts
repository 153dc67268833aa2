// Helpers the message handlers share: the GEN-2 gate, requester lookups, the WIRE-ORD-2 ordering
// of the requester's own broadcast copies, and the forced removal of sessions (SES-KICK-1..3,
// SES-FORCE-1/2). Pure: everything goes through the Ctx.
import type { Ctx, Request } from '../ctx.ts';
import type { ErrorKey, ErrorParams, SendOutput } from '../events.ts';
import type { Account, Session } from '../state.ts';
import { nameKey } from '../state.ts';
import { hasPathChars, validateNickname, validateUsername } from '../validators.ts';

/** The requester as handlers use it after GEN-2: its live session and its account. */
export interface Requester {
  session: Session;
  account: Account;
}

/**
 * GEN-2 at the position the rule table gives. Returns the requester, or null after answering
 * E-AUTHENTICATION (the session was removed by someone else, or its account vanished under it).
 */
export function requester(ctx: Ctx, req: Request<unknown>, rules: string[]): Requester | null {
  if (ctx.rejectIfRemoved(req, rules)) return null;
  const session = req.session;
  const account = session ? ctx.state.accounts[session.accountKey] : undefined;
  if (!session || !account) {
    // step.ts answers GEN-1 before dispatch, so this is a session without a usable account.
    ctx.fail(req, 'E-AUTHENTICATION', {}, req.type === 'ServerInfoUpdate' ? { spec: 'E!', nexusd: 'E' } : 'E!', {
      rules: ['GEN-2', ...rules],
      closeOptional: req.type === 'ServerInfoUpdate',
    });
    return null;
  }
  return { session, account };
}

/** GEN-7: account lookup by name, case-insensitively. */
export function findAccount(ctx: Ctx, username: string): Account | undefined {
  return ctx.state.accounts[nameKey(username)];
}

/**
 * A live session by nickname, case-insensitively (GEN-7). UND-15 reference choice: a shared
 * session wins over a regular account whose name only collides with it.
 */
export function findSessionByNickname(ctx: Ctx, nickname: string): Session | undefined {
  const key = nameKey(nickname);
  const matches = ctx.liveSessions().filter((s) => nameKey(s.nickname) === key);
  return matches.find((s) => s.isShared) ?? matches[0];
}

/** Sessions of any enabled admin account other than `exceptKey` exist (ADMP-6). */
export function otherEnabledAdminExists(ctx: Ctx, exceptKey: string): boolean {
  return Object.entries(ctx.state.accounts).some(([key, a]) => key !== exceptKey && a.isAdmin && a.enabled);
}

/** Optional request members: absent and `null` are the same (WIRE-JSON-4). */
export function present<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

/** Blank = empty or whitespace only (VAL-PASSWORD: UserUpdate treats it as "no change"). */
export function isBlank(value: string): boolean {
  return value.trim() === '';
}

/**
 * WIRE-ORD-2: broadcast copies addressed to the requester's own connection come after the direct
 * response in `nexusd` and in either order in `spec`. Call once the response has been emitted:
 * every copy emitted since `from` for the requester's connection is moved behind the response and,
 * in `spec`, marked `anyOrderWithResponse`. Reference order: response first (rules.md §8).
 */
export function ownCopiesAfterResponse(ctx: Ctx, req: Request<unknown>, from: number): void {
  const outs = ctx.outputs;
  const responseAt = outs.findIndex((o, i) => i >= from && o.kind === 'send' && o.conn === req.conn.id && o.message.id === req.id);
  const own = (o: (typeof outs)[number]): o is SendOutput => o.kind === 'send' && o.conn === req.conn.id && o.message.id !== req.id;
  if (ctx.profile === 'spec') {
    for (let i = from; i < outs.length; i++) {
      const o = outs[i]!;
      if (own(o)) o.accept = { ...o.accept, anyOrderWithResponse: true };
    }
  }
  if (responseAt < 0) return;
  const before = outs.slice(from, responseAt).filter(own);
  if (before.length === 0) return;
  const rest = outs.slice(from).filter((o) => !before.includes(o as SendOutput));
  const response = outs[responseAt]!;
  const at = rest.indexOf(response);
  rest.splice(at + 1, 0, ...before);
  outs.splice(from, outs.length - from, ...rest);
}

/**
 * Removes a session because someone else acted on it (SES-KICK-1, SES-FORCE-1/2, BC-7): the
 * notice first, then the session ends (BC-2 `UserDisconnected` to the remaining `user_list`
 * holders), then the socket: a prompt close in `spec`; in `nexusd` the close may lag until the
 * next request (SES-KICK-3, UND-6) — the reference server still closes promptly.
 */
export function forceRemove(
  ctx: Ctx,
  session: Session,
  key: ErrorKey,
  params: ErrorParams,
  command: string | undefined,
  rules: string[],
): void {
  ctx.notice(session.conn, key, params, command, ['BC-7', ...rules]);
  ctx.endSession(session.id, rules);
  ctx.close(session.conn, 'removed', ['SES-KICK-3', ...rules], ctx.byProfile({ spec: undefined, nexusd: { lazy: true } }));
}

/** A validator verdict (validators.ts): null when the value passes. */
export type Verdict = { key: ErrorKey; params: ErrorParams } | null;

/**
 * VAL-USERNAME / VAL-NICKNAME of one request field, then VAL-PATHCHARS (UND-3) [UNDETERMINED]: a
 * name that is otherwise valid but holds a path-sensitive character may be accepted (the seed era,
 * the reference) or refused as invalid characters (later upstream). Each field is its own point.
 */
export function checkName(ctx: Ctx, kind: 'username' | 'nickname', field: string, value: string): Verdict {
  const verdict = kind === 'username' ? validateUsername(value, ctx.profile) : validateNickname(value, ctx.profile);
  if (verdict !== null || !hasPathChars(value, kind)) return verdict;
  const choice = ctx.choose({
    id: `VAL-PATHCHARS:${field}`,
    rules: ['VAL-PATHCHARS', 'UND-3'],
    options: [
      { value: 'accepted', label: `path characters in ${field} accepted` },
      { value: 'rejected', label: `path characters in ${field} rejected` },
    ],
  });
  return choice === 'accepted' ? null : { key: kind === 'username' ? 'E-USERNAME-INVALID' : 'E-NICKNAME-INVALID', params: {} };
}

/** Answers a failed validation through `carrier`; true when the request was refused. */
export function refuse(ctx: Ctx, req: Request<unknown>, verdict: Verdict, carrier: Parameters<Ctx['fail']>[3], rules: string[]): boolean {
  if (verdict === null) return false;
  ctx.fail(req, verdict.key, verdict.params, carrier, { rules });
  return true;
}
