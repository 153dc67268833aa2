// rules.md §4.6 UserCreate — `{username, password, is_admin, is_shared?, enabled, permissions}` →
// `UserCreateResponse {success, error?, username?}`.
import type { UserCreateBody } from '../../protocol/messages.ts';
import type { Ctx, Request } from '../ctx.ts';
import { delegateCreate, firstUnknown, restrictShared } from '../merge.ts';
import { passwordDigest } from '../password.ts';
import { nameKey } from '../state.ts';
import { validatePassword, validatePermissionsFormat } from '../validators.ts';
import { checkName, findAccount, refuse, requester } from './common.ts';

export function userCreate(ctx: Ctx, req: Request<UserCreateBody>): void {
  // ADM-CREATE-1: GEN-1 in step.ts.
  const { username, password, is_admin: isAdmin, enabled, permissions } = req.body;
  const isShared = req.body.is_shared === true;
  const p = ctx.profile;
  // ADM-CREATE-2..4: format validation, all before GEN-2.
  if (refuse(ctx, req, checkName(ctx, 'username', 'username', username), 'T', ['ADM-CREATE-2', 'VAL-USERNAME'])) return;
  if (refuse(ctx, req, validatePassword(password, p), 'T', ['ADM-CREATE-3', 'VAL-PASSWORD'])) return;
  if (refuse(ctx, req, validatePermissionsFormat(permissions, p), 'T', ['ADM-CREATE-4', 'VAL-PERMISSIONS'])) return;
  // ADM-CREATE-5: GEN-2, then user_create.
  const who = requester(ctx, req, ['ADM-CREATE-5']);
  if (!who) return;
  if (!ctx.holds(who.session, 'user_create')) {
    ctx.fail(req, 'E-PERMISSION-DENIED', {}, { spec: 'T', nexusd: 'E' }, { rules: ['ADM-CREATE-5', 'GEN-4'] });
    return;
  }
  // ADM-CREATE-6 [DIVERGENT], MERGE-6: only admins create admins. `nexusd` disconnects (E!);
  // `spec` accepts T, E or E! — the reference answers T and keeps the connection.
  if (isAdmin && !who.account.isAdmin) {
    ctx.fail(
      req,
      'E-CANNOT-CREATE-ADMIN',
      {},
      { spec: 'T', nexusd: 'E!' },
      {
        rules: ['ADM-CREATE-6', 'MERGE-6', 'ADMP-4'],
        alsoAllowed: p === 'spec' ? ['E', 'E!'] : [],
        closeOptional: p === 'spec',
      },
    );
    return;
  }
  // ADM-CREATE-7: a shared account is never admin.
  if (isShared && isAdmin) {
    ctx.fail(req, 'E-SHARED-CANNOT-BE-ADMIN', {}, 'T', { rules: ['ADM-CREATE-7', 'SHARED-1'] });
    return;
  }
  // ADM-CREATE-8, MERGE-5 [DIVERGENT]: shared-forbidden names removed (`spec`) or refused (`nexusd`).
  let requested = [...permissions];
  if (isShared) {
    const shared = restrictShared(requested, p);
    if (!shared.ok) {
      ctx.fail(req, shared.key, shared.params, 'T', { rules: ['ADM-CREATE-8', 'MERGE-5'] });
      return;
    }
    requested = shared.permissions;
  }
  // ADM-CREATE-9, MERGE-4: every remaining name must be known (first unknown in request order).
  const unknown = firstUnknown(requested);
  if (unknown !== undefined) {
    ctx.fail(req, 'E-UNKNOWN-PERMISSION', { permission: unknown }, 'T', { rules: ['ADM-CREATE-9', 'MERGE-4'] });
    return;
  }
  // ADM-CREATE-10, MERGE-1 [DIVERGENT] / MERGE-3: delegation.
  const merged = delegateCreate(requested, who.account, p);
  if (!merged.ok) {
    ctx.fail(req, merged.key, merged.params, 'E', { rules: ['ADM-CREATE-10', 'MERGE-1', 'GEN-4'] });
    return;
  }
  // ADM-CREATE-11: the name is free, case-insensitively (`guest` counts).
  if (findAccount(ctx, username)) {
    ctx.fail(req, 'E-USERNAME-EXISTS', { username }, 'T', { rules: ['ADM-CREATE-11', 'GEN-7', 'GUEST-1'] });
    return;
  }
  // ADM-CREATE-12: create with the casing as sent. ADM-CREATE-13/14: no broadcast, no side effect.
  ctx.putAccount(nameKey(username), {
    username,
    passwordDigest: passwordDigest(password),
    isAdmin,
    isShared,
    enabled,
    permissions: merged.permissions,
    createdAt: ctx.now,
  });
  ctx.respond(req, { username }, ['ADM-CREATE-12', 'ADM-CREATE-13']);
}
