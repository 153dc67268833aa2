// Faults of the account-management messages (UserCreate, UserEdit, UserUpdate, UserDelete, UserKick,
// ServerInfoUpdate): the admin protections (ADMP-*), the self-operation rules (SELF-1), the shared
// and guest restrictions and the delegation rules (MERGE-*). The permission rules: permissions.ts.
import {
  ALL_PERMISSIONS,
  charLength,
  LIMITS,
  nameKey,
  passwordDigest,
  passwordMatches,
  utf8Length,
  type State,
} from '../../model/index.ts';
import type { ServerFault } from '../fault.ts';
import {
  BOTH,
  SPEC,
  SUITE,
  altered,
  holds,
  inheritedNameFound,
  isAdminReq,
  isSelf,
  onRequest,
  runAs,
  withBody,
  type FaultEntry,
  type Req,
} from './kit.ts';

const protections = 'admin protections';
const self = 'self-operation rules';
const restricted = 'shared and guest restrictions';
const seed = 'seed messages (UserCreate, UserEdit, UserUpdate, UserDelete, UserKick)';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The handler of `type` runs as if the (non-admin) requester were an admin when `when` holds. */
const asAdminWhen = (type: string, when: (req: Req, state: State) => boolean): ServerFault =>
  onRequest(type, (req, state, event, next) =>
    req.session && req.account && !isAdminReq(req) && when(req, state)
      ? runAs(state, event, next, req.session.accountKey, { isAdmin: true })
      : undefined,
  );

const targetAccount = (state: State, req: Req, member = 'username') => state.accounts[nameKey(str(req.body[member]))];

/** A non-admin holding `perm` may act on an admin account with `type` (an admin protection missing). */
const adminTargetAllowed = (
  name: string,
  type: string,
  perm: string,
  rules: string[],
  what: string,
  when: (req: Req) => boolean = () => true,
): FaultEntry => ({
  name,
  family: protections,
  description: `a non-admin holding ${perm} can ${what}`,
  rules,
  profiles: BOTH,
  detection: SUITE,
  make: () => asAdminWhen(type, (req, state) => holds(req, perm) && targetAccount(state, req)?.isAdmin === true && when(req)),
});

export const ADMIN_FAULTS: FaultEntry[] = [
  // --- admin protections ----------------------------------------------------------------------
  {
    name: 'kick-admin-allowed',
    family: protections,
    description: 'admins can be kicked like anyone else',
    rules: ['ADM-KICK-7', 'ADMP-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserKick', (req, state, event, next) => {
        const target = Object.values(state.sessions).find((s) => nameKey(s.nickname) === nameKey(str(req.body.nickname)));
        if (
          !target ||
          target.isShared ||
          !state.accounts[target.accountKey]?.isAdmin ||
          !req.session ||
          target.accountKey === req.session.accountKey
        )
          return undefined;
        return runAs(state, event, next, target.accountKey, { isAdmin: false });
      }),
  },
  adminTargetAllowed('delete-admin-by-non-admin', 'UserDelete', 'user_delete', ['ADM-DELETE-8', 'ADMP-2'], 'delete an admin'),
  adminTargetAllowed('edit-admin-by-non-admin', 'UserEdit', 'user_edit', ['ADM-EDIT-5', 'ADMP-3'], 'fetch an admin account'),
  // Not a change of its admin flag (update-grants-admin-by-non-admin) and not oneself (SELF-1).
  adminTargetAllowed(
    'update-admin-by-non-admin',
    'UserUpdate',
    'user_edit',
    ['ADM-UPDATE-5', 'ADMP-3'],
    'update an admin account',
    (req) => !isSelf(req) && req.body.requested_is_admin === undefined,
  ),
  {
    name: 'create-admin-by-non-admin',
    family: protections,
    description: 'a non-admin holding user_create can create an admin account',
    rules: ['ADM-CREATE-6', 'ADMP-4', 'MERGE-6'],
    profiles: BOTH,
    detection: SUITE,
    make: () => asAdminWhen('UserCreate', (req) => holds(req, 'user_create') && req.body.is_admin === true),
  },
  {
    name: 'update-grants-admin-by-non-admin',
    family: protections,
    description: 'a non-admin holding user_edit can set requested_is_admin',
    rules: ['ADM-UPDATE-9', 'ADMP-4', 'MERGE-6'],
    profiles: BOTH,
    detection: SUITE,
    make: () => asAdminWhen('UserUpdate', (req) => holds(req, 'user_edit') && !isSelf(req) && req.body.requested_is_admin !== undefined),
  },
  {
    name: 'server-info-by-non-admin',
    family: protections,
    description: 'ServerInfoUpdate is allowed to any session holding every permission',
    rules: ['ADM-SINFO-3', 'ADMP-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      asAdminWhen('ServerInfoUpdate', (req) => req.account !== undefined && !req.account.isShared && req.account.permissions.length > 0),
  },
  // --- self-operation rules -------------------------------------------------------------------
  {
    name: 'edit-self-allowed',
    family: self,
    description: 'UserEdit of oneself returns the own account instead of "cannot edit self"',
    rules: ['ADM-EDIT-2', 'SELF-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserEdit', (req, state, event, next) => {
        if (!req.session || !isSelf(req) || !holds(req, 'user_edit')) return undefined;
        // The self check compares against a session record that lost its account link.
        const r = next(
          altered(state, (s) => {
            s.accounts['\u0000self'] = { ...structuredClone(req.account!), username: '\u0000self', isAdmin: true };
            s.sessions[String(req.session!.id)]!.accountKey = '\u0000self';
          }),
          event,
        );
        return { ...r, state };
      }),
  },
  {
    name: 'delete-self-checked-after-permission',
    family: self,
    description: 'UserDelete of oneself without user_delete says "permission denied" instead of "cannot delete self"',
    rules: ['ADM-DELETE-4', 'GEN-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserDelete', (req, state, event, next) =>
        isSelf(req) && !holds(req, 'user_delete') ? next(state, withBody(event, { ...req.body, username: 'nobody-here' })) : undefined,
      ),
  },
  {
    name: 'kick-self-checked-after-permission',
    family: self,
    description: 'UserKick of oneself without user_kick says "permission denied" instead of "cannot kick self"',
    rules: ['ADM-KICK-4', 'GEN-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserKick', (req, state, event, next) =>
        req.session && nameKey(str(req.body.nickname)) === nameKey(req.session.nickname) && !holds(req, 'user_kick')
          ? next(state, withBody(event, { ...req.body, nickname: 'nobody-here' }))
          : undefined,
      ),
  },
  {
    name: 'self-password-change-ignores-current-password',
    family: self,
    description: 'a self password change is applied without checking current_password',
    rules: ['ADM-UPDATE-4'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (req, state, event, next) => {
        if (!req.account || !req.session || req.account.isShared || !isSelf(req)) return undefined;
        const current = req.body.current_password;
        if (typeof current === 'string' && passwordMatches(req.account, current)) return undefined;
        const key = req.session.accountKey;
        const r = next(
          altered(state, (s) => (s.accounts[key]!.passwordDigest = passwordDigest('\u0000any'))),
          withBody(event, { ...req.body, current_password: '\u0000any' }),
        );
        const after = r.state.accounts[key];
        if (!after || after.passwordDigest !== passwordDigest('\u0000any')) return r;
        return { ...r, state: altered(r.state, (s) => (s.accounts[key]!.passwordDigest = req.account!.passwordDigest)) };
      }),
  },
  // --- shared and guest restrictions ------------------------------------------------------------
  {
    name: 'create-shared-admin-allowed',
    family: restricted,
    description: 'an admin can create a shared account with is_admin:true',
    rules: ['ADM-CREATE-7', 'SHARED-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () => sharedCreatedAsRegular((body) => body.is_admin === true),
  },
  {
    name: 'create-shared-keeps-forbidden-permissions',
    family: restricted,
    description: 'a shared account is created with shared-forbidden permissions (neither removed nor refused)',
    rules: ['MERGE-5', 'ADM-CREATE-8', 'PERM-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () => sharedCreatedAsRegular((body) => body.is_admin !== true),
  },
  {
    name: 'update-shared-keeps-forbidden-permissions',
    family: restricted,
    description: 'UserUpdate stores shared-forbidden permissions on a shared account (guest included)',
    rules: ['MERGE-5', 'ADM-UPDATE-11', 'PERM-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (req, state, event, next) => {
        const target = targetAccount(state, req);
        if (!target?.isShared || !Array.isArray(req.body.requested_permissions) || req.body.requested_is_admin !== undefined)
          return undefined;
        return runAs(state, event, next, nameKey(target.username), { isShared: false });
      }),
  },
  {
    name: 'shared-session-password-change-allowed',
    family: restricted,
    description: 'a shared session updating its own account is treated like a regular self-update (asks for current_password)',
    rules: ['ADM-UPDATE-4', 'SHARED-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (req, state, event, next) =>
        req.account?.isShared && isSelf(req) ? runAs(state, event, next, req.session!.accountKey, { isShared: false }) : undefined,
      ),
  },
  {
    name: 'guest-password-change-ignored',
    family: restricted,
    description: 'a requested_password for the guest account is silently ignored instead of refused',
    rules: ['ADM-UPDATE-8', 'GUEST-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (req, state, event, next) => {
        if (nameKey(str(req.body.username)) !== 'guest' || str(req.body.requested_password).trim() === '') return undefined;
        const body = { ...req.body };
        delete body.requested_password;
        return next(state, withBody(event, body));
      }),
  },
  {
    name: 'guest-rename-to-other-casing-allowed',
    family: restricted,
    description: 'spec: renaming guest to GUEST is accepted as "no rename"',
    rules: ['ADM-UPDATE-7', 'GUEST-1'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (req, state, event, next) => {
        const wanted = str(req.body.requested_username);
        if (nameKey(str(req.body.username)) !== 'guest' || wanted === 'guest' || nameKey(wanted) !== 'guest') return undefined;
        const body = { ...req.body };
        delete body.requested_username;
        return next(state, withBody(event, body));
      }),
  },
  {
    name: 'shared-promotion-allowed-in-spec',
    family: restricted,
    description: 'spec: requested_is_admin:true on a shared account (guest included) succeeds',
    rules: ['ADM-UPDATE-17', 'SHARED-1', 'GUEST-1'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (req, state, event, next) => {
        const target = targetAccount(state, req);
        return target?.isShared && req.body.requested_is_admin === true
          ? runAs(state, event, next, nameKey(target.username), { isShared: false })
          : undefined;
      }),
  },
  // --- delegation and the seed messages' own rules ---------------------------------------------
  {
    name: 'create-unknown-permission-ignored',
    family: seed,
    description: 'UserCreate silently drops unknown permission names instead of refusing them',
    rules: ['ADM-CREATE-9', 'MERGE-4'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserCreate', (req, state, event, next) => {
        const perms = req.body.permissions;
        if (!Array.isArray(perms) || perms.every((p) => (ALL_PERMISSIONS as readonly unknown[]).includes(p))) return undefined;
        // Only names that pass the format check are dropped, so format errors still surface.
        if (perms.some((p) => typeof p !== 'string' || p === '' || p.length > 32 || /[\u0000-\u001f\u007f]/.test(p))) return undefined;
        return next(
          state,
          withBody(event, { ...req.body, permissions: perms.filter((p) => (ALL_PERMISSIONS as readonly unknown[]).includes(p)) }),
        );
      }),
  },
  {
    name: 'create-no-delegation-limit',
    family: seed,
    description: 'a non-admin creating an account grants permissions it does not hold itself',
    rules: ['MERGE-1', 'ADM-CREATE-10'],
    profiles: BOTH,
    detection: SUITE,
    make: () => asAdminWhen('UserCreate', (req) => holds(req, 'user_create') && req.body.is_admin !== true),
  },
  {
    name: 'update-no-delegation-limit',
    family: seed,
    description: 'a non-admin updating permissions grants names it does not hold itself',
    rules: ['MERGE-2', 'ADM-UPDATE-11'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      asAdminWhen(
        'UserUpdate',
        (req, state) =>
          holds(req, 'user_edit') &&
          !isSelf(req) &&
          Array.isArray(req.body.requested_permissions) &&
          req.body.requested_is_admin === undefined &&
          targetAccount(state, req)?.isAdmin !== true,
      ),
  },
  {
    name: 'create-case-variant-overwrites',
    family: seed,
    description: 'UserCreate of an existing name in another casing replaces that account instead of refusing',
    rules: ['ADM-CREATE-11', 'GEN-7'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserCreate', (req, state, event, next) => {
        const existing = targetAccount(state, req);
        if (!existing || existing.username === str(req.body.username) || nameKey(existing.username) === 'guest') return undefined;
        return next(
          altered(state, (s) => delete s.accounts[nameKey(existing.username)]),
          event,
        );
      }),
  },
  {
    name: 'inherited-names-taken',
    family: seed,
    description:
      'UserCreate and renames refuse the usernames "constructor" and "__proto__" (any casing) as taken, as a server keeping accounts in a plain JavaScript object does',
    rules: ['ADM-CREATE-11', 'ADM-UPDATE-13', 'GEN-7'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      inheritedNameFound(['UserCreate', 'UserUpdate'], (req) =>
        req.type === 'UserCreate' ? req.body.username : req.body.requested_username,
      ),
  },
  {
    name: 'username-limit-in-bytes',
    family: 'validators at their boundaries',
    // The validator fuzzer's checked-in fixture (fixtures/validators/) was found against this server.
    description: 'UserCreate counts the username limit in UTF-8 bytes, so 32 two-byte characters are refused as too long',
    rules: ['VAL-USERNAME', 'ADM-CREATE-12'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserCreate', (req, state, event, next) => {
        const name = str(req.body.username);
        return charLength(name) <= LIMITS.username && utf8Length(name) > LIMITS.username
          ? next(state, withBody(event, { ...req.body, username: 'x'.repeat(LIMITS.username + 1) }))
          : undefined;
      }),
  },
];

/**
 * A shared-account UserCreate (matching `when`) handled as if it created a regular account, which is
 * then marked shared: every check the model makes for shared accounts is skipped.
 */
function sharedCreatedAsRegular(when: (body: Record<string, unknown>) => boolean): ServerFault {
  return onRequest('UserCreate', (req, state, event, next) => {
    if (req.body.is_shared !== true || !when(req.body)) return undefined;
    const r = next(state, withBody(event, { ...req.body, is_shared: false }));
    const key = nameKey(str(req.body.username));
    return r.state.accounts[key] && !state.accounts[key] ? { ...r, state: altered(r.state, (s) => (s.accounts[key]!.isShared = true)) } : r;
  });
}
