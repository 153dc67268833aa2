// rules.md §4.7 UserEdit — `{username}` → `UserEditResponse {success, error?, username?, is_admin?,
// is_shared?, enabled?, permissions?}`. Check order: ADM-EDIT-1 variant A (the reference, rules.md §8) or B (UND-1).
import type { UserEditBody } from '../../protocol/messages.ts';
import type { ChoicePoint, Ctx, Request } from '../ctx.ts';
import { nameKey } from '../state.ts';
import { checkName, findAccount, refuse, requester } from './common.ts';

/**
 * ADM-EDIT-1 / UND-1 [UNDETERMINED]: where VAL-USERNAME sits. Variant A (the reference, rules.md
 * §8): GEN-1 → VAL-USERNAME → GEN-2 → self → permission → not found → admin. Variant B: GEN-1 →
 * GEN-2 → self → permission → VAL-USERNAME → not found → admin. Only a request that fails
 * VAL-USERNAME and one of GEN-2, self or permission tells them apart.
 */
const VALIDATION_POSITION: ChoicePoint = {
  id: 'UND-1',
  rules: ['ADM-EDIT-1', 'UND-1'],
  options: [
    { value: 'A', label: 'variant A (username validated first)' },
    { value: 'B', label: 'variant B (username validated after GEN-2, self and permission)' },
  ],
};

export function userEdit(ctx: Ctx, req: Request<UserEditBody>): void {
  const { username } = req.body;
  // ADM-EDIT-1: GEN-1 (step.ts) → VAL-USERNAME (variant A) or later (variant B).
  const invalid = checkName(ctx, 'username', 'username', username);
  const variantBDiffers =
    invalid !== null &&
    (req.conn.phase === 'removed' || !req.session || nameKey(username) === req.session.accountKey || !ctx.holds(req.session, 'user_edit'));
  const variant = variantBDiffers ? ctx.choose(VALIDATION_POSITION) : 'A';
  if (variant === 'A' && refuse(ctx, req, invalid, 'T', ['ADM-EDIT-1', 'VAL-USERNAME', 'UND-1'])) return;
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
  // Variant B validates the username here.
  if (refuse(ctx, req, invalid, 'T', ['ADM-EDIT-1', 'VAL-USERNAME', 'UND-1'])) return;
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
