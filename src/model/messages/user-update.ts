// rules.md §4.8 UserUpdate — `{username, current_password?, requested_username?, requested_password?,
// requested_is_admin?, requested_enabled?, requested_permissions?}` → `UserUpdateResponse {success,
// error?, username?}`, then PermissionsUpdated (BC-5), UserUpdated (BC-3) and SES-FORCE-2.
import type { UserUpdateBody } from '../../protocol/messages.ts';
import type { ChoicePoint, Ctx, Request } from '../ctx.ts';
import type { SendAccept } from '../events.ts';
import { delegateUpdate, knownOnly, restrictShared, sameSet } from '../merge.ts';
import { passwordDigest, passwordMatches } from '../password.ts';
import type { Account, Session } from '../state.ts';
import { nameKey } from '../state.ts';
import { validatePassword, validatePermissionsFormat } from '../validators.ts';
import { serverInfoView, userInfo, type Json } from '../views.ts';
import {
  checkName,
  findAccount,
  forceRemove,
  isBlank,
  otherEnabledAdminExists,
  ownCopiesAfterResponse,
  present,
  refuse,
  requester,
} from './common.ts';

const GUEST = 'guest';

/** UND-5 / ADM-UPDATE-17 in `nexusd`: what becomes of `requested_is_admin:true` on a shared account. */
const SHARED_PROMOTION: ChoicePoint = {
  id: 'UND-5',
  rules: ['ADM-UPDATE-17', 'UND-5'],
  options: [
    { value: 'refused', label: 'promotion of a shared account refused (E-SHARED-CANNOT-BE-ADMIN)' },
    { value: 'promoted', label: 'promotion of a shared account carried out' },
  ],
};

/** ADM-UPDATE-13 [UNDETERMINED]: renaming an account to a case variant of its own name. */
const CASE_ONLY_RENAME: ChoicePoint = {
  id: 'ADM-UPDATE-13',
  rules: ['ADM-UPDATE-13', 'GEN-7'],
  options: [
    { value: 'renamed', label: 'case-only rename carried out' },
    { value: 'refused', label: 'case-only rename refused (E-USERNAME-EXISTS)' },
  ],
};

export function userUpdate(ctx: Ctx, req: Request<UserUpdateBody>): void {
  const b = req.body;
  const p = ctx.profile;
  // ADM-UPDATE-1: GEN-1 in step.ts. ADM-UPDATE-2: VAL-USERNAME on the target.
  if (refuse(ctx, req, checkName(ctx, 'username', 'username', b.username), 'T', ['ADM-UPDATE-2', 'VAL-USERNAME'])) return;
  // ADM-UPDATE-3: GEN-2.
  const who = requester(ctx, req, ['ADM-UPDATE-3']);
  if (!who) return;

  if (nameKey(b.username) === who.session.accountKey) {
    // ADM-UPDATE-4, SELF-1: self branch — a password change with the current password, nothing else.
    if (who.account.isShared) {
      ctx.fail(req, 'E-SHARED-CANNOT-CHANGE-PASSWORD', {}, 'T', { rules: ['ADM-UPDATE-4', 'SHARED-1'] });
      return;
    }
    const selfChanges = [b.requested_username, b.requested_is_admin, b.requested_enabled, b.requested_permissions];
    if (selfChanges.some((v) => present(v))) {
      ctx.fail(req, 'E-CANNOT-EDIT-SELF', {}, 'T', { rules: ['ADM-UPDATE-4', 'SELF-1'] });
      return;
    }
    if (!present(b.current_password)) {
      ctx.fail(req, 'E-CURRENT-PASSWORD-REQUIRED', {}, 'T', { rules: ['ADM-UPDATE-4'] });
      return;
    }
    if (!passwordMatches(who.account, b.current_password)) {
      ctx.fail(req, 'E-CURRENT-PASSWORD-INCORRECT', {}, 'T', { rules: ['ADM-UPDATE-4'] });
      return;
    }
  } else {
    // ADM-UPDATE-5: others need user_edit; non-admins then learn "not found" / "admin" here.
    if (!ctx.holds(who.session, 'user_edit')) {
      ctx.fail(req, 'E-PERMISSION-DENIED', {}, { spec: 'T', nexusd: 'E' }, { rules: ['ADM-UPDATE-5', 'GEN-4'] });
      return;
    }
    if (!who.account.isAdmin) {
      const t = findAccount(ctx, b.username);
      if (!t) {
        ctx.fail(req, 'E-USER-NOT-FOUND', { username: b.username }, 'T', { rules: ['ADM-UPDATE-5'] });
        return;
      }
      if (t.isAdmin) {
        ctx.fail(req, 'E-CANNOT-EDIT-ADMIN', {}, 'T', { rules: ['ADM-UPDATE-5', 'ADMP-3'] });
        return;
      }
    }
  }

  // ADM-UPDATE-6: the new name's format.
  const newName = present(b.requested_username) ? b.requested_username : undefined;
  if (
    newName !== undefined &&
    refuse(ctx, req, checkName(ctx, 'username', 'requested_username', newName), 'T', ['ADM-UPDATE-6', 'VAL-USERNAME'])
  ) {
    return;
  }
  // ADM-UPDATE-7 [DIVERGENT], GUEST-1: the guest keeps its name — `spec` byte-wise, `nexusd` case-insensitively.
  const targetIsGuest = nameKey(b.username) === GUEST;
  if (targetIsGuest && newName !== undefined) {
    const stored = findAccount(ctx, GUEST)?.username ?? GUEST;
    const differs = p === 'spec' ? newName !== stored : nameKey(newName) !== GUEST;
    if (differs) {
      ctx.fail(req, 'E-CANNOT-RENAME-GUEST', {}, 'T', { rules: ['ADM-UPDATE-7', 'GUEST-1'] });
      return;
    }
  }
  // ADM-UPDATE-8, GUEST-1: no password for the guest (blank means "no change").
  const newPassword = present(b.requested_password) && !isBlank(b.requested_password) ? b.requested_password : undefined;
  if (targetIsGuest && newPassword !== undefined) {
    ctx.fail(req, 'E-CANNOT-CHANGE-GUEST-PASSWORD', {}, 'T', { rules: ['ADM-UPDATE-8', 'GUEST-1'] });
    return;
  }
  // ADM-UPDATE-9, MERGE-6, ADMP-4: only admins touch the admin flag (either value).
  if (present(b.requested_is_admin) && !who.account.isAdmin) {
    ctx.fail(
      req,
      'E-PERMISSION-DENIED',
      {},
      { spec: 'T', nexusd: 'E' },
      {
        rules: ['ADM-UPDATE-9', 'MERGE-6', 'ADMP-4', 'GEN-4'],
      },
    );
    return;
  }
  // ADM-UPDATE-10: the target exists (admins reach this check here).
  let target = findAccount(ctx, b.username);
  if (!target) {
    ctx.fail(req, 'E-USER-NOT-FOUND', { username: b.username }, 'T', { rules: ['ADM-UPDATE-10'] });
    return;
  }
  // ADM-UPDATE-17, UND-5, SHARED-1, GUEST-1: promoting a shared account is refused in `spec`; in
  // `nexusd` it is [UNDETERMINED] (the era has no such check): refused (the reference, rules.md §8)
  // or carried out like any other promotion.
  if (b.requested_is_admin === true && target.isShared) {
    const refused = p === 'spec' || ctx.choose(SHARED_PROMOTION) === 'refused';
    if (refused) {
      ctx.fail(req, 'E-SHARED-CANNOT-BE-ADMIN', {}, 'T', { rules: ['ADM-UPDATE-17', 'UND-5', 'SHARED-1'] });
      return;
    }
  }
  // ADM-UPDATE-11: MERGE-5 for a shared target → VAL-PERMISSIONS (raw list) → MERGE-4 → MERGE-2/3.
  let newPermissions: string[] | undefined;
  if (present(b.requested_permissions)) {
    let requested = [...b.requested_permissions];
    if (target.isShared) {
      const shared = restrictShared(requested, p);
      if (!shared.ok) {
        ctx.fail(req, shared.key, shared.params, 'T', { rules: ['ADM-UPDATE-11', 'MERGE-5'] });
        return;
      }
      requested = shared.permissions;
    }
    const format = validatePermissionsFormat(b.requested_permissions, p);
    if (refuse(ctx, req, format, 'T', ['ADM-UPDATE-11', 'VAL-PERMISSIONS'])) return;
    const merged = delegateUpdate(knownOnly(requested), who.account, target.permissions, p);
    if (!merged.ok) {
      ctx.fail(
        req,
        merged.key,
        merged.params,
        { spec: 'T', nexusd: 'E' },
        {
          rules: ['ADM-UPDATE-11', 'MERGE-2', 'GEN-4'],
        },
      );
      return;
    }
    newPermissions = merged.permissions;
  }
  // ADM-UPDATE-12: a non-blank new password passes VAL-PASSWORD.
  if (newPassword !== undefined && refuse(ctx, req, validatePassword(newPassword, p), 'T', ['ADM-UPDATE-12'])) return;

  // ADM-UPDATE-13: apply-time failures. A case-only rename [UNDETERMINED] succeeds (the reference,
  // rules.md §8) or is refused as taken.
  const oldName = target.username;
  const oldKey = nameKey(oldName);
  const caseOnly = newName !== undefined && newName !== oldName && nameKey(newName) === oldKey;
  const taken = newName !== undefined && nameKey(newName) !== oldKey && findAccount(ctx, newName) !== undefined;
  if (taken || (caseOnly && ctx.choose(CASE_ONLY_RENAME) === 'refused')) {
    ctx.fail(req, 'E-USERNAME-EXISTS', { username: newName! }, 'T', { rules: ['ADM-UPDATE-13', 'GEN-7'] });
    return;
  }
  const lastAdmin = target.isAdmin && target.enabled && !otherEnabledAdminExists(ctx, oldKey);
  if (lastAdmin && b.requested_is_admin === false) {
    ctx.fail(req, 'E-CANNOT-DEMOTE-LAST-ADMIN', {}, 'T', { rules: ['ADM-UPDATE-13', 'ADMP-6'] });
    return;
  }
  if (lastAdmin && b.requested_enabled === false) {
    ctx.fail(req, 'E-CANNOT-DISABLE-LAST-ADMIN', {}, 'T', { rules: ['ADM-UPDATE-13', 'ADMP-6'] });
    return;
  }

  target = ctx.editAccount(oldKey);
  const before = { isAdmin: target.isAdmin, permissions: [...target.permissions] };
  // ADM-UPDATE-13a: a request that changes nothing at all (a "no-op request", ADM-UPDATE-14).
  const noOp =
    (newName === undefined || newName === oldName) &&
    newPassword === undefined &&
    (!present(b.requested_is_admin) || b.requested_is_admin === target.isAdmin) &&
    (!present(b.requested_enabled) || b.requested_enabled === target.enabled);
  if (newName !== undefined && newName !== oldName) rename(ctx, target, newName);
  if (newPassword !== undefined) target.passwordDigest = passwordDigest(newPassword); // ADM-UPDATE-19
  if (present(b.requested_is_admin)) target.isAdmin = b.requested_is_admin;
  if (present(b.requested_enabled)) target.enabled = b.requested_enabled;
  if (newPermissions !== undefined) target.permissions = newPermissions;

  // ADM-UPDATE-14: the response names the account as the request did (13a: no-ops succeed too).
  // UND-16: in `spec` the stored name after the update is allowed too (the seed's "final username").
  const from = ctx.outputs.length;
  const named = newName ?? b.username;
  const stored: SendAccept | undefined =
    p === 'spec' && named !== target.username
      ? { alternatives: [{ type: 'UserUpdateResponse', body: { type: 'UserUpdateResponse', success: true, username: target.username } }] }
      : undefined;
  ctx.respond(req, { username: named }, ['ADM-UPDATE-14', 'ADM-UPDATE-13a', ...(stored ? ['UND-16'] : [])], stored);
  const key = nameKey(target.username);
  permissionsUpdated(ctx, req.body, target, before, noOp);
  userUpdated(ctx, target, oldName, before.isAdmin);
  // ADM-UPDATE-15, SES-FORCE-2: disabling removes every live session of the account.
  if (b.requested_enabled === false) {
    for (const s of ctx.sessionsOfAccount(key)) {
      forceRemove(ctx, s, 'E-ACCOUNT-DISABLED-BY-ADMIN', {}, undefined, ['ADM-UPDATE-15', 'SES-FORCE-2']);
    }
  }
  ownCopiesAfterResponse(ctx, req, from);
}

/** ADM-UPDATE-18 / UND-7: the nickname of a renamed account's live regular sessions. */
const NICKNAME_AFTER_RENAME: ChoicePoint = {
  id: 'UND-7',
  rules: ['ADM-UPDATE-18', 'UND-7'],
  options: [
    { value: 'new', label: 'renamed sessions take the new username as nickname' },
    { value: 'old', label: 'renamed sessions keep the old nickname' },
  ],
};

/**
 * Re-keys the account under its new name and keeps its sessions pointing at it. ADM-UPDATE-18 /
 * UND-7 [UNDETERMINED]: regular sessions take the new username as nickname (the reference, rules.md
 * §8) or keep the old one; later lists, ConnectionMonitor, UserDisconnected and kicks follow.
 */
function rename(ctx: Ctx, account: Account, newName: string): void {
  const oldKey = nameKey(account.username);
  const newKey = nameKey(newName);
  const sessions = ctx.sessionsOfAccount(oldKey);
  ctx.removeAccount(oldKey);
  account.username = newName;
  ctx.putAccount(newKey, account);
  const regular = sessions.filter((s) => !s.isShared);
  const keepOld = regular.some((s) => s.nickname !== newName) && ctx.choose(NICKNAME_AFTER_RENAME) === 'old';
  for (const s of sessions) {
    const renamed = ctx.editSession(s.id);
    renamed.accountKey = newKey;
    if (!s.isShared && !keepOld) renamed.nickname = newName;
  }
}

/**
 * ADM-UPDATE-14 [DIVERGENT], BC-5: `PermissionsUpdated` to every live session of the target.
 * `nexusd`: whenever an admin / enabled / permissions field was present; `server_info` (only
 * `max_connections_per_ip`) for admins, `chat_info` for admins and `chat_topic` holders. `spec`:
 * only when the effective admin flag or permission set changed (no-ops: not sent, rules.md §8);
 * full `server_info` and `chat_info` only on promotion.
 */
function permissionsUpdated(
  ctx: Ctx,
  body: UserUpdateBody,
  target: Account,
  before: { isAdmin: boolean; permissions: string[] },
  noOpRequest: boolean,
): void {
  const changed = before.isAdmin !== target.isAdmin || (!target.isAdmin && !sameSet(before.permissions, target.permissions));
  const fieldsPresent = present(body.requested_is_admin) || present(body.requested_enabled) || present(body.requested_permissions);
  // `spec`: sent when the effective admin flag or permission set changed; when it did not, a
  // request carrying one of those fields (a no-op for them, or a disable, SES-FORCE-2) or a request
  // that changes nothing at all may send it or not.
  if (!ctx.byProfile({ spec: changed || fieldsPresent || noOpRequest, nexusd: fieldsPresent })) return;
  // `spec` no-op (nothing effectively changed): the suite accepts it sent or not; the reference does not send it.
  const accept: SendAccept | undefined = ctx.profile === 'spec' && !changed ? { notSentByReference: true } : undefined;
  // PERM-4: admins are reported with no stored names.
  const message: Json = { is_admin: target.isAdmin, permissions: target.isAdmin ? [] : [...target.permissions] };
  const chatInfo = { ...ctx.state.chatInfo };
  if (ctx.profile === 'spec') {
    if (!before.isAdmin && target.isAdmin) {
      message.server_info = serverInfoView(ctx.state.serverInfo, 'spec');
      message.chat_info = chatInfo;
    }
  } else {
    if (target.isAdmin) message.server_info = { max_connections_per_ip: ctx.state.serverInfo.max_connections_per_ip };
    if (target.isAdmin || target.permissions.includes('chat_topic')) message.chat_info = chatInfo;
  }
  const key = nameKey(target.username);
  ctx.broadcast('PermissionsUpdated', message, (r) => r.accountKey === key, ['ADM-UPDATE-14', 'BC-5', 'GEN-6'], accept);
}

/**
 * ADM-UPDATE-16 [DIVERGENT], BC-3: `UserUpdated {previous_username, user}`.
 * `spec`: after every successful update of an online account, to every live session, with the live
 * view (one per session for a shared account; a renamed session shows the nickname it has, UND-7).
 * `nexusd`: only when the username or the admin flag changed, to `user_list` holders, offline
 * accounts included, away state reported as cleared.
 */
function userUpdated(ctx: Ctx, target: Account, previous: string, wasAdmin: boolean): void {
  const sessions = ctx.sessionsOfAccount(nameKey(target.username));
  const rules = ['ADM-UPDATE-16', 'BC-3'];
  if (ctx.profile === 'spec') {
    if (sessions.length === 0) return;
    const groups: Session[][] = target.isShared ? sessions.map((s) => [s]) : [sessions];
    for (const group of groups) {
      ctx.broadcast('UserUpdated', { previous_username: previous, user: userInfo(ctx.state, group) }, () => true, rules);
    }
    return;
  }
  if (previous === target.username && wasAdmin === target.isAdmin) return;
  const views: Json[] = [];
  if (sessions.length === 0) views.push(nexusdView(target, [], target.username));
  else if (target.isShared) for (const s of sessions) views.push(nexusdView(target, [s], s.nickname));
  else views.push(nexusdView(target, sessions, target.username));
  for (const user of views) {
    ctx.broadcast('UserUpdated', { previous_username: previous, user }, (r) => ctx.holds(r, 'user_list'), rules);
  }
}

/** ADM-UPDATE-16 `nexusd` view: live ids, earliest login (0 offline), `locale` "en" offline, away cleared. */
function nexusdView(target: Account, sessions: Session[], nickname: string): Json {
  const latest = sessions[sessions.length - 1];
  const view: Json = {
    username: target.username,
    nickname,
    login_time: sessions.length > 0 ? Math.min(...sessions.map((s) => s.loginTime)) : 0,
    is_admin: target.isAdmin,
    is_shared: target.isShared,
    session_ids: sessions.map((s) => s.id).sort((a, b) => a - b),
    locale: latest?.locale ?? 'en',
  };
  if (latest?.avatar) view.avatar = latest.avatar;
  view.is_away = false;
  return view;
}
