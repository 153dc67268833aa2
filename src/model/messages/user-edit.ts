// rules.md §4.7 UserEdit — `{username}` → `UserEditResponse {success, error?, username?, is_admin?,
// is_shared?, enabled?, permissions?}`. Check order: variant A of ADM-EDIT-1 (rules.md §8).
import type { UserEditBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import { nameKey } from '../state.ts';
import { acceptLast, checkName, findAccount, refuse, requester, typedFailure } from './common.ts';

export function userEdit(ctx: Ctx, req: Request<UserEditBody>): void {
  const { username } = req.body;
  // ADM-EDIT-1 variant A: GEN-1 (step.ts) → VAL-USERNAME → GEN-2 → self → permission → not found → admin.
  const invalid = checkName(ctx, 'username', 'username', username);
  if (refuse(ctx, req, invalid, 'T', ['ADM-EDIT-1', 'VAL-USERNAME', 'UND-1'])) {
    // UND-1: variant B checks the permission before VAL-USERNAME; a live requester lacking
    // user_edit may get that answer instead (same carrier, no state change).
    const s = req.session;
    if (s && req.conn.phase !== 'removed' && !ctx.holds(s, 'user_edit')) {
      acceptLast(ctx, { alternatives: [typedFailure(ctx, req, 'E-PERMISSION-DENIED')] });
    }
    return;
  }
  const who = requester(ctx, req, ['ADM-EDIT-1']);
  if (!who) return;
  // ADM-EDIT-2, SELF-1: not oneself, even for admins.
  if (nameKey(username) === who.session.accountKey) {
    ctx.fail(req, 'E-CANNOT-EDIT-SELF', {}, 'T', { rules: ['ADM-EDIT-2', 'SELF-1'] });
    return;
  }
  // ADM-EDIT-3: user_edit.
  if (!ctx.holds(who.session, 'user_edit')) {
    ctx.fail(req, 'E-PERMISSION-DENIED', {}, 'T', { rules: ['ADM-EDIT-3'] });
    return;
  }
  // ADM-EDIT-4: the account exists (before admin protection).
  const target = findAccount(ctx, username);
  if (!target) {
    ctx.fail(req, 'E-USER-NOT-FOUND', { username }, 'T', { rules: ['ADM-EDIT-4'] });
    return;
  }
  // ADM-EDIT-5, ADMP-3: only admins fetch admins.
  if (target.isAdmin && !who.account.isAdmin) {
    ctx.fail(req, 'E-CANNOT-EDIT-ADMIN', {}, 'T', { rules: ['ADM-EDIT-5', 'ADMP-3'] });
    return;
  }
  // ADM-EDIT-6: stored values, stored casing.
  ctx.respond(
    req,
    {
      username: target.username,
      is_admin: target.isAdmin,
      is_shared: target.isShared,
      enabled: target.enabled,
      permissions: [...target.permissions],
    },
    ['ADM-EDIT-6'],
  );
}
