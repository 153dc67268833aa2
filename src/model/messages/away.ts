// rules.md §4.3–§4.5 UserAway / UserBack / UserStatus: per-session away flag and status, then
// the BC-4 `UserUpdated` to `user_list` holders.
import type { UserAwayBody, UserBackBody, UserStatusBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import type { SendAccept } from '../events.ts';
import type { Session } from '../state.ts';
import { validateStatus } from '../validators.ts';
import { accountOf, groupOf, userInfo } from '../views.ts';
import { ownCopiesAfterResponse, present, refuse, requester } from './common.ts';

/** UND-4 reference: `""` is stored as no status (rules.md §8). */
function storedStatus(text: string | null | undefined): string | null {
  return present(text) && text !== '' ? text : null;
}

/**
 * BC-4: `UserUpdated {previous_username: current username, user}` to every live session holding
 * `user_list` (the requester only if it holds it). `user` is the aggregated account view, or the
 * session itself when shared. `emptyKept`: the request carried `""`, which UND-4 lets a server
 * keep as an empty status — that view is accepted as an alternative.
 */
function broadcastPresence(ctx: Ctx, session: Session, rules: string[], accept: SendAccept, emptyKept: boolean): void {
  const view = () => userInfo(ctx.state, groupOf(ctx.state, session));
  const user = view();
  const previous = accountOf(ctx.state, session)?.username ?? session.accountKey;
  const alternatives: SendAccept['alternatives'] = [];
  if (emptyKept) {
    const saved = session.status;
    session.status = '';
    const alt = view();
    session.status = saved;
    if (JSON.stringify(alt) !== JSON.stringify(user)) {
      alternatives.push({ type: 'UserUpdated', body: { type: 'UserUpdated', previous_username: previous, user: alt } });
    }
  }
  const tolerances: SendAccept = { ...accept, ...(alternatives.length > 0 ? { alternatives } : {}) };
  ctx.broadcast(
    'UserUpdated',
    { previous_username: previous, user },
    (r) => ctx.holds(r, 'user_list'),
    ['BC-4', ...rules],
    Object.keys(tolerances).length > 0 ? tolerances : undefined,
  );
}

export function userAway(ctx: Ctx, req: Request<UserAwayBody>): void {
  // USR-AWAY-1: GEN-1 in step.ts; no permission.
  const { message } = req.body;
  // USR-AWAY-2: VAL-STATUS on a string message, before GEN-2.
  if (present(message) && refuse(ctx, req, validateStatus(message, ctx.profile), 'T', ['USR-AWAY-2', 'VAL-STATUS'])) {
    return;
  }
  // USR-AWAY-3: GEN-2.
  const who = requester(ctx, req, ['USR-AWAY-3']);
  if (!who) return;
  // USR-AWAY-4: this session only; null/absent → no status; repeating is fine.
  const from = ctx.outputs.length;
  who.session.isAway = true;
  who.session.status = storedStatus(message);
  // USR-AWAY-5: response, then BC-4 (own copy per WIRE-ORD-2).
  ctx.respond(req, {}, ['USR-AWAY-5']);
  broadcastPresence(ctx, who.session, ['USR-AWAY-5', 'USR-AWAY-6'], {}, message === '');
  ownCopiesAfterResponse(ctx, req, from);
}

export function userBack(ctx: Ctx, req: Request<UserBackBody>): void {
  // USR-BACK-1: GEN-1 in step.ts, GEN-2; no permission, no validation.
  const who = requester(ctx, req, ['USR-BACK-1']);
  if (!who) return;
  const from = ctx.outputs.length;
  // USR-BACK-2: clears away and status; succeeds even when not away.
  const changed = who.session.isAway || who.session.status !== null;
  who.session.isAway = false;
  who.session.status = null;
  ctx.respond(req, {}, ['USR-BACK-2']);
  // USR-BACK-2: in `spec` a UserBack that changed nothing may or may not broadcast; the reference does.
  broadcastPresence(ctx, who.session, ['USR-BACK-2'], !changed && ctx.profile === 'spec' ? { optional: true } : {}, false);
  ownCopiesAfterResponse(ctx, req, from);
}

export function userStatus(ctx: Ctx, req: Request<UserStatusBody>): void {
  // USR-STATUS-1: GEN-1 in step.ts, VAL-STATUS (T), then GEN-2.
  const { status } = req.body;
  if (present(status) && refuse(ctx, req, validateStatus(status, ctx.profile), 'T', ['USR-STATUS-1', 'VAL-STATUS'])) {
    return;
  }
  const who = requester(ctx, req, ['USR-STATUS-1']);
  if (!who) return;
  const from = ctx.outputs.length;
  // USR-STATUS-2: set or clear the status (UND-4: "" stored as none).
  who.session.status = storedStatus(status);
  // USR-STATUS-3 [DIVERGENT]: `spec` keeps the away flag; `nexusd` always clears it.
  if (ctx.profile === 'nexusd') who.session.isAway = false;
  ctx.respond(req, {}, ['USR-STATUS-2']);
  broadcastPresence(ctx, who.session, ['USR-STATUS-2', 'USR-STATUS-3'], {}, status === '');
  ownCopiesAfterResponse(ctx, req, from);
}
