// rules.md §4.3–§4.5 UserAway / UserBack / UserStatus: per-session away flag and status, then
// the BC-4 `UserUpdated` to `user_list` holders.
import type { UserAwayBody, UserBackBody, UserStatusBody } from '../../protocol/messages.ts';
import type { ChoicePoint, Ctx, Request } from '../ctx.ts';
import type { SendAccept } from '../events.ts';
import type { Session } from '../state.ts';
import { validateStatus } from '../validators.ts';
import { accountOf, groupOf, userInfo } from '../views.ts';
import { ownCopiesAfterResponse, present, refuse, requester, type Verdict } from './common.ts';

/**
 * USR-AWAY-4 / UND-4 [UNDETERMINED]: `""` as away message or status is stored as no status (the
 * reference, rules.md §8) or as an empty status; later broadcasts, lists and UserInfo follow.
 */
const EMPTY_STATUS: ChoicePoint = {
  id: 'UND-4',
  rules: ['USR-AWAY-4', 'UND-4'],
  options: [
    { value: 'none', label: '"" stored as no status' },
    { value: 'empty', label: '"" stored as an empty status' },
  ],
};

/** What a session stores for a message / status: null/absent → none; `""` per UND-4. */
function storedStatus(ctx: Ctx, text: string | null | undefined): string | null {
  if (!present(text)) return null;
  if (text !== '') return text;
  return ctx.choose(EMPTY_STATUS) === 'empty' ? '' : null;
}

/**
 * VAL-STATUS / UND-2 [UNDETERMINED]: `spec` counts characters (firm); `nexusd` may count bytes or
 * characters (reference: characters, rules.md §8) — a choice only where the two units disagree.
 */
const STATUS_UNIT: ChoicePoint = {
  id: 'UND-2',
  rules: ['VAL-STATUS', 'UND-2'],
  options: [
    { value: 'chars', label: 'status length counted in characters' },
    { value: 'bytes', label: 'status length counted in bytes' },
  ],
};

function checkStatus(ctx: Ctx, text: string): Verdict {
  const byChars = validateStatus(text, ctx.profile, 'chars');
  if (ctx.profile !== 'nexusd') return byChars;
  const byBytes = validateStatus(text, ctx.profile, 'bytes');
  if (JSON.stringify(byChars) === JSON.stringify(byBytes)) return byChars;
  return ctx.choose(STATUS_UNIT) === 'bytes' ? byBytes : byChars;
}

/**
 * BC-4: `UserUpdated {previous_username: current username, user}` to every live session holding
 * `user_list` (the requester only if it holds it). `user` is the aggregated account view, or the
 * session itself when shared.
 */
function broadcastPresence(ctx: Ctx, session: Session, rules: string[], accept: SendAccept): void {
  const user = userInfo(ctx.state, groupOf(ctx.state, session));
  const previous = accountOf(ctx.state, session)?.username ?? session.accountKey;
  ctx.broadcast(
    'UserUpdated',
    { previous_username: previous, user },
    (r) => ctx.holds(r, 'user_list'),
    ['BC-4', ...rules],
    Object.keys(accept).length > 0 ? accept : undefined,
  );
}

export function userAway(ctx: Ctx, req: Request<UserAwayBody>): void {
  // USR-AWAY-1: GEN-1 in step.ts; no permission.
  const { message } = req.body;
  // USR-AWAY-2: VAL-STATUS on a string message, before GEN-2.
  if (present(message) && refuse(ctx, req, checkStatus(ctx, message), 'T', ['USR-AWAY-2', 'VAL-STATUS'])) {
    return;
  }
  // USR-AWAY-3: GEN-2.
  const who = requester(ctx, req, ['USR-AWAY-3']);
  if (!who) return;
  // USR-AWAY-4: this session only; null/absent → no status; repeating is fine.
  const from = ctx.outputs.length;
  const session = ctx.editSession(who.session.id);
  session.isAway = true;
  session.status = storedStatus(ctx, message);
  // USR-AWAY-5: response, then BC-4 (own copy per WIRE-ORD-2).
  ctx.respond(req, {}, ['USR-AWAY-5']);
  broadcastPresence(ctx, session, ['USR-AWAY-5', 'USR-AWAY-6'], {});
  ownCopiesAfterResponse(ctx, req, from);
}

export function userBack(ctx: Ctx, req: Request<UserBackBody>): void {
  // USR-BACK-1: GEN-1 in step.ts, GEN-2; no permission, no validation.
  const who = requester(ctx, req, ['USR-BACK-1']);
  if (!who) return;
  const from = ctx.outputs.length;
  // USR-BACK-2: clears away and status; succeeds even when not away.
  const changed = who.session.isAway || who.session.status !== null;
  const session = ctx.editSession(who.session.id);
  session.isAway = false;
  session.status = null;
  ctx.respond(req, {}, ['USR-BACK-2']);
  // USR-BACK-2: in `spec` a UserBack that changed nothing may or may not broadcast; the reference does.
  broadcastPresence(ctx, session, ['USR-BACK-2'], !changed && ctx.profile === 'spec' ? { optional: true } : {});
  ownCopiesAfterResponse(ctx, req, from);
}

export function userStatus(ctx: Ctx, req: Request<UserStatusBody>): void {
  // USR-STATUS-1: GEN-1 in step.ts, VAL-STATUS (T), then GEN-2.
  const { status } = req.body;
  if (present(status) && refuse(ctx, req, checkStatus(ctx, status), 'T', ['USR-STATUS-1', 'VAL-STATUS'])) {
    return;
  }
  const who = requester(ctx, req, ['USR-STATUS-1']);
  if (!who) return;
  const from = ctx.outputs.length;
  // USR-STATUS-2: set or clear the status (UND-4: "" stored as none or as an empty status).
  const session = ctx.editSession(who.session.id);
  session.status = storedStatus(ctx, status);
  // USR-STATUS-3 [DIVERGENT]: `spec` keeps the away flag; `nexusd` always clears it.
  if (ctx.profile === 'nexusd') session.isAway = false;
  ctx.respond(req, {}, ['USR-STATUS-2']);
  broadcastPresence(ctx, session, ['USR-STATUS-2', 'USR-STATUS-3'], {});
  ownCopiesAfterResponse(ctx, req, from);
}
