// rules.md §4.9 UserDelete — `{username}` → `UserDeleteResponse {success, error?, username?}`.
import type { UserDeleteBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import { nameKey } from '../state.ts';
import { checkName, findAccount, forceRemove, otherEnabledAdminExists, ownCopiesAfterResponse, refuse, requester } from './common.ts';

export function userDelete(ctx: Ctx, req: Request<UserDeleteBody>): void {
  const { username } = req.body;
  // ADM-DELETE-1: GEN-1 in step.ts. ADM-DELETE-2: VAL-USERNAME. ADM-DELETE-3: GEN-2.
  if (refuse(ctx, req, checkName(ctx, 'username', 'username', username), 'T', ['ADM-DELETE-2', 'VAL-USERNAME'])) return;
  const who = requester(ctx, req, ['ADM-DELETE-3']);
  if (!who) return;
  const key = nameKey(username);
  // ADM-DELETE-4, SELF-1 and ADM-DELETE-5, GUEST-1 win over a missing permission.
  if (key === who.session.accountKey) {
    ctx.fail(req, 'E-CANNOT-DELETE-SELF', {}, 'T', { rules: ['ADM-DELETE-4', 'SELF-1'] });
    return;
  }
  if (key === 'guest') {
    ctx.fail(req, 'E-CANNOT-DELETE-GUEST', {}, 'T', { rules: ['ADM-DELETE-5', 'GUEST-1'] });
    return;
  }
  // ADM-DELETE-6: user_delete.
  if (!ctx.holds(who.session, 'user_delete')) {
    ctx.fail(req, 'E-PERMISSION-DENIED', {}, 'T', { rules: ['ADM-DELETE-6'] });
    return;
  }
  // ADM-DELETE-7: the account exists.
  const target = findAccount(ctx, username);
  if (!target) {
    ctx.fail(req, 'E-USER-NOT-FOUND', { username }, 'T', { rules: ['ADM-DELETE-7'] });
    return;
  }
  // ADM-DELETE-8, ADMP-2: only admins delete admins.
  if (target.isAdmin && !who.account.isAdmin) {
    ctx.fail(req, 'E-CANNOT-DELETE-ADMIN', {}, 'T', { rules: ['ADM-DELETE-8', 'ADMP-2'] });
    return;
  }
  // ADM-DELETE-9, SES-FORCE-1: live sessions go first (GEN-9 exception: even if step 10 refuses).
  const from = ctx.outputs.length;
  for (const s of ctx.sessionsOfAccount(key)) {
    forceRemove(ctx, s, 'E-ACCOUNT-DELETED', {}, undefined, ['ADM-DELETE-9', 'SES-FORCE-1']);
  }
  // ADM-DELETE-10, ADMP-6: never remove the last enabled admin.
  if (target.isAdmin && target.enabled && !otherEnabledAdminExists(ctx, key)) {
    ctx.fail(req, 'E-CANNOT-DELETE-LAST-ADMIN', {}, 'T', { rules: ['ADM-DELETE-10', 'ADMP-6'] });
  } else {
    ctx.removeAccount(key);
    // ADM-DELETE-11: stored casing; no broadcast besides the UserDisconnected of ADM-DELETE-9.
    ctx.respond(req, { username: target.username }, ['ADM-DELETE-11']);
  }
  // WIRE-ORD-2: the requester's own UserDisconnected copies follow its answer.
  ownCopiesAfterResponse(ctx, req, from);
}
