// The check order of every message handler as data (GEN-3, rules.md §4): per message, the ordered
// steps the handler in messages/*.ts already follows, each with its rule ids, the error it answers
// and the faults that make it fail. The handlers stay the oracle; this table restates their order
// so the suite can generate multi-fault requests from it (scenarios/generated/check-order.ts), and
// those checks run against the reference server prove the table and the handlers agree.
import type { ClientType, Profile } from '../protocol/types.ts';
import type { ErrorKey } from './events.ts';
import type { Permission } from './permissions.ts';

/**
 * Who sends the request. `new`: a bare connection, no Handshake yet. `none`: handshaken, not logged in (GEN-1). `removed`: a regular session
 * whose account someone else deleted (GEN-2). `plain`: a regular account without permissions.
 * `holder`: a regular account holding every permission. `shared`, `guest`: a session of a shared
 * account / of the guest account, without permissions. `admin`: an admin account.
 */
export type RequesterState = 'new' | 'none' | 'removed' | 'plain' | 'holder' | 'shared' | 'guest' | 'admin';
export const REQUESTER_STATES: readonly RequesterState[] = ['new', 'none', 'removed', 'plain', 'holder', 'shared', 'guest', 'admin'];
/** The states a request message is tried in unless its order says otherwise (`new` adds nothing over `none` there, WIRE-SEQ-3). */
export const MESSAGE_STATES: readonly RequesterState[] = REQUESTER_STATES.filter((s) => s !== 'new');

/**
 * What a name member of a request refers to: the requester itself, the guest account, a name no
 * account has, an account with no live session, another online regular account, an online admin,
 * an online shared session.
 */
export type NameRef = 'self' | 'guest' | 'missing' | 'offline' | 'online' | 'admin' | 'shared' | 'disabled' | 'shared-offline';

/** A property a named account or session has (what a lookup or protection check tests). */
export type NameProp = 'self' | 'guest' | 'missing' | 'exists' | 'not-online' | 'admin' | 'shared' | 'disabled';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A condition under which a step fails; a step fails when all its faults hold. */
export type Fault =
  | { kind: 'not-logged-in' }
  /** No Handshake yet (Login: SES-LOGIN-2) / a Handshake done (SES-HS-7) / a session on the connection (SES-LOGIN-3). */
  | { kind: 'not-shaken' }
  | { kind: 'shaken' }
  | { kind: 'logged-in' }
  | { kind: 'removed' }
  | { kind: 'lacks'; permission: Permission }
  | { kind: 'not-admin' }
  | { kind: 'is-admin' }
  /** The member has this value (set to make the step fail). */
  | { kind: 'member'; member: string; value: Json }
  /** The member is present with any non-null value; `value` is the one set to make the step fail. */
  | { kind: 'present'; member: string; value: Json }
  /** None of these members is present (null counts as absent, WIRE-JSON-4). */
  | { kind: 'absent'; members: string[] }
  /** The name member refers to something with one of `props`; `set` is the reference that does. */
  | { kind: 'names'; member: string; set: NameRef; props: NameProp[] };

export interface OrderStep {
  /** Short name, unique within the message, used in check ids. */
  id: string;
  rules: string[];
  key: ErrorKey;
  faults: Fault[];
  /** Profiles where the step exists (default both). */
  profiles?: Profile[];
  /** An [UNDETERMINED] position or outcome: a request that fails this step is not asserted to one key. */
  open?: { rule: string; profiles: Profile[] };
  /** The answer may end the requester's connection (besides GEN-1 and GEN-2, which always may). */
  mayClose?: boolean;
}

/**
 * A body member value: a literal, a name reference the generator resolves per requester, the
 * requester's password, the password of the account another member names, or the server's
 * protocol version.
 */
export type BodyValue = { value: Json } | { ref: NameRef } | { requesterPassword: true } | { passwordOf: string } | { serverVersion: true };

export interface MessageOrder {
  /** e.g. `user-update-other`; unique. */
  id: string;
  message: ClientType;
  title: string;
  seed?: string;
  /** The body every generated request starts from (passes every step for an admin requester). */
  base: Record<string, BodyValue>;
  /** Which name members hold usernames and which nicknames. */
  names: Record<string, 'username' | 'nickname'>;
  steps: OrderStep[];
  /** Requester states to try (default MESSAGE_STATES). */
  states?: readonly RequesterState[];
  /** Every failure ends the connection (Handshake, Login): each request gets its own requester. */
  failuresClose?: boolean;
  /** Requests whose member names the requester itself take another branch (another order): not planned here. */
  notSelf?: string;
}

const GEN1 = (rule: string): OrderStep => ({
  id: 'gen-1',
  rules: [rule, 'GEN-1'],
  key: 'E-NOT-LOGGED-IN',
  faults: [{ kind: 'not-logged-in' }],
});
const GEN2 = (rule: string): OrderStep => ({ id: 'gen-2', rules: [rule, 'GEN-2'], key: 'E-AUTHENTICATION', faults: [{ kind: 'removed' }] });
const lacks = (permission: Permission): Fault => ({ kind: 'lacks', permission });
const member = (m: string, value: Json): Fault => ({ kind: 'member', member: m, value });
const names = (m: string, set: NameRef, props: NameProp[]): Fault => ({ kind: 'names', member: m, set, props });
const v = (value: Json): BodyValue => ({ value });
const ref = (r: NameRef): BodyValue => ({ ref: r });

export const CHECK_ORDER: readonly MessageOrder[] = [
  {
    id: 'handshake',
    message: 'Handshake',
    title: 'Handshake',
    base: { version: { serverVersion: true } },
    names: {},
    states: ['new', 'none', 'plain'],
    failuresClose: true,
    steps: [
      { id: 'already-completed', rules: ['SES-HS-7', 'WIRE-SEQ-5'], key: 'E-HANDSHAKE-ALREADY-COMPLETED', faults: [{ kind: 'shaken' }] },
      { id: 'version', rules: ['SES-HS-1', 'VAL-VERSION'], key: 'E-VERSION-EMPTY', faults: [member('version', '')] },
      { id: 'compatibility', rules: ['SES-HS-2'], key: 'E-VERSION-MAJOR-MISMATCH', faults: [member('version', '99.0.0')] },
    ],
  },
  {
    id: 'login',
    message: 'Login',
    title: 'Login',
    base: { username: ref('offline'), password: { passwordOf: 'username' }, features: v(['chat']), locale: v('en') },
    names: { username: 'username', nickname: 'nickname' },
    states: ['new', 'none', 'plain'],
    failuresClose: true,
    steps: [
      { id: 'handshake-required', rules: ['SES-LOGIN-2', 'WIRE-SEQ-2'], key: 'E-HANDSHAKE-REQUIRED', faults: [{ kind: 'not-shaken' }] },
      { id: 'already-logged-in', rules: ['SES-LOGIN-3', 'WIRE-SEQ-7'], key: 'E-ALREADY-LOGGED-IN', faults: [{ kind: 'logged-in' }] },
      { id: 'username', rules: ['SES-LOGIN-4', 'VAL-USERNAME'], key: 'E-USERNAME-INVALID', faults: [member('username', 'has space')] },
      { id: 'password', rules: ['SES-LOGIN-5', 'VAL-PASSWORD'], key: 'E-PASSWORD-TOO-LONG', faults: [member('password', 'p'.repeat(257))] },
      { id: 'locale', rules: ['SES-LOGIN-6', 'VAL-LOCALE'], key: 'E-LOCALE-TOO-LONG', faults: [member('locale', 'l'.repeat(17))] },
      { id: 'features', rules: ['SES-LOGIN-7', 'VAL-FEATURES'], key: 'E-FEATURES-EMPTY-FEATURE', faults: [member('features', [''])] },
      { id: 'avatar', rules: ['SES-LOGIN-8', 'VAL-AVATAR'], key: 'E-AVATAR-INVALID-FORMAT', faults: [member('avatar', 'not a data uri')] },
      {
        id: 'password-wrong',
        rules: ['SES-LOGIN-10', 'SES-AUTH-1'],
        key: 'E-INVALID-CREDENTIALS',
        faults: [names('username', 'offline', ['exists']), member('password', 'Gen-Wrong-Pa55')],
      },
      { id: 'disabled', rules: ['SES-LOGIN-11'], key: 'E-ACCOUNT-DISABLED', faults: [names('username', 'disabled', ['disabled'])] },
      {
        id: 'unknown',
        rules: ['SES-LOGIN-12', 'SES-AUTH-2'],
        key: 'E-INVALID-CREDENTIALS',
        faults: [names('username', 'missing', ['missing'])],
      },
      {
        id: 'nickname-required',
        rules: ['SES-LOGIN-13', 'SES-SHARED-1'],
        key: 'E-NICKNAME-REQUIRED',
        faults: [names('username', 'shared-offline', ['shared']), { kind: 'absent', members: ['nickname'] }],
      },
      {
        id: 'nickname',
        rules: ['SES-LOGIN-14', 'VAL-NICKNAME', 'SES-SHARED-1'],
        key: 'E-NICKNAME-INVALID',
        faults: [names('username', 'shared-offline', ['shared']), member('nickname', 'has space')],
      },
      {
        id: 'nickname-is-username',
        rules: ['SES-LOGIN-15', 'SES-SHARED-1'],
        key: 'E-NICKNAME-IS-USERNAME',
        faults: [names('username', 'shared-offline', ['shared']), names('nickname', 'offline', ['exists'])],
      },
    ],
  },
  {
    id: 'user-list',
    message: 'UserList',
    title: 'UserList (all:false)',
    seed: 'users.md §Permissions',
    base: { all: v(false) },
    names: {},
    steps: [
      GEN1('USR-LIST-1'),
      GEN2('USR-LIST-1'),
      { id: 'permission', rules: ['USR-LIST-2', 'GEN-4'], key: 'E-PERMISSION-DENIED', faults: [lacks('user_list')] },
    ],
  },
  {
    id: 'user-info',
    message: 'UserInfo',
    title: 'UserInfo',
    seed: 'users.md §UserInfo',
    base: { nickname: ref('online') },
    names: { nickname: 'nickname' },
    steps: [
      GEN1('USR-INFO-1'),
      { id: 'nickname', rules: ['USR-INFO-2', 'VAL-NICKNAME'], key: 'E-NICKNAME-EMPTY', faults: [member('nickname', '')] },
      GEN2('USR-INFO-3'),
      { id: 'permission', rules: ['USR-INFO-4', 'GEN-4'], key: 'E-PERMISSION-DENIED', faults: [lacks('user_info')] },
      {
        id: 'not-online',
        rules: ['USR-INFO-5'],
        key: 'E-NICKNAME-NOT-ONLINE',
        faults: [names('nickname', 'missing', ['missing', 'not-online'])],
      },
    ],
  },
  {
    id: 'user-away',
    message: 'UserAway',
    title: 'UserAway',
    seed: 'users.md §Away/Status',
    base: {},
    names: {},
    steps: [
      GEN1('USR-AWAY-1'),
      { id: 'message', rules: ['USR-AWAY-2', 'VAL-STATUS'], key: 'E-STATUS-TOO-LONG', faults: [member('message', 'm'.repeat(129))] },
      GEN2('USR-AWAY-3'),
    ],
  },
  {
    id: 'user-back',
    message: 'UserBack',
    title: 'UserBack',
    seed: 'users.md §Away/Status',
    base: {},
    names: {},
    steps: [GEN1('USR-BACK-1'), GEN2('USR-BACK-1')],
  },
  {
    id: 'user-status',
    message: 'UserStatus',
    title: 'UserStatus',
    seed: 'users.md §Away/Status',
    base: {},
    names: {},
    steps: [
      GEN1('USR-STATUS-1'),
      { id: 'status', rules: ['USR-STATUS-1', 'VAL-STATUS'], key: 'E-STATUS-CONTAINS-NEWLINES', faults: [member('status', 'a\nb')] },
      GEN2('USR-STATUS-1'),
    ],
  },
  {
    id: 'user-create',
    message: 'UserCreate',
    title: 'UserCreate',
    seed: 'admin.md §UserCreate',
    base: { username: ref('missing'), password: v('Gen-Pa55word'), is_admin: v(false), enabled: v(true), permissions: v([]) },
    names: { username: 'username' },
    steps: [
      GEN1('ADM-CREATE-1'),
      { id: 'username', rules: ['ADM-CREATE-2', 'VAL-USERNAME'], key: 'E-USERNAME-EMPTY', faults: [member('username', '')] },
      { id: 'password', rules: ['ADM-CREATE-3', 'VAL-PASSWORD'], key: 'E-PASSWORD-EMPTY', faults: [member('password', '')] },
      {
        id: 'permissions-format',
        rules: ['ADM-CREATE-4', 'VAL-PERMISSIONS'],
        key: 'E-PERMISSIONS-EMPTY-PERMISSION',
        faults: [member('permissions', [''])],
      },
      GEN2('ADM-CREATE-5'),
      { id: 'permission', rules: ['ADM-CREATE-5', 'GEN-4'], key: 'E-PERMISSION-DENIED', faults: [lacks('user_create')] },
      {
        id: 'create-admin',
        rules: ['ADM-CREATE-6', 'MERGE-6', 'ADMP-4'],
        key: 'E-CANNOT-CREATE-ADMIN',
        faults: [{ kind: 'not-admin' }, member('is_admin', true)],
        mayClose: true, // `nexusd` E!, `spec` T, E or E!
      },
      {
        id: 'shared-admin',
        rules: ['ADM-CREATE-7', 'SHARED-1'],
        key: 'E-SHARED-CANNOT-BE-ADMIN',
        faults: [member('is_shared', true), member('is_admin', true)],
      },
      {
        id: 'shared-forbidden',
        rules: ['ADM-CREATE-8', 'MERGE-5'],
        key: 'E-SHARED-INVALID-PERMISSIONS',
        faults: [member('is_shared', true), member('permissions', ['user_delete'])],
        profiles: ['nexusd'],
      },
      {
        id: 'unknown-permission',
        rules: ['ADM-CREATE-9', 'MERGE-4'],
        key: 'E-UNKNOWN-PERMISSION',
        faults: [member('permissions', ['gen_no_such'])],
      },
      {
        id: 'exists',
        rules: ['ADM-CREATE-11', 'GEN-7'],
        key: 'E-USERNAME-EXISTS',
        faults: [names('username', 'offline', ['exists', 'self', 'guest'])],
      },
    ],
  },
  {
    id: 'user-edit',
    message: 'UserEdit',
    title: 'UserEdit',
    seed: 'admin.md §UserEdit',
    base: { username: ref('offline') },
    names: { username: 'username' },
    steps: [
      GEN1('ADM-EDIT-1'),
      // ADM-EDIT-1 / UND-1: variant A (the reference) validates here, variant B after the permission.
      {
        id: 'username',
        rules: ['ADM-EDIT-1', 'VAL-USERNAME', 'UND-1'],
        key: 'E-USERNAME-EMPTY',
        faults: [member('username', '')],
        open: { rule: 'UND-1', profiles: ['spec', 'nexusd'] },
      },
      GEN2('ADM-EDIT-1'),
      { id: 'self', rules: ['ADM-EDIT-2', 'SELF-1'], key: 'E-CANNOT-EDIT-SELF', faults: [names('username', 'self', ['self'])] },
      { id: 'permission', rules: ['ADM-EDIT-3'], key: 'E-PERMISSION-DENIED', faults: [lacks('user_edit')] },
      { id: 'not-found', rules: ['ADM-EDIT-4'], key: 'E-USER-NOT-FOUND', faults: [names('username', 'missing', ['missing'])] },
      {
        id: 'admin-target',
        rules: ['ADM-EDIT-5', 'ADMP-3'],
        key: 'E-CANNOT-EDIT-ADMIN',
        faults: [{ kind: 'not-admin' }, names('username', 'admin', ['admin'])],
      },
    ],
  },
  {
    id: 'user-update-other',
    message: 'UserUpdate',
    title: 'UserUpdate of another account',
    seed: 'admin.md §UserUpdate',
    base: { username: ref('offline') },
    notSelf: 'username', // ADM-UPDATE-4: the self branch is user-update-self
    names: { username: 'username', requested_username: 'username' },
    steps: [
      GEN1('ADM-UPDATE-1'),
      { id: 'username', rules: ['ADM-UPDATE-2', 'VAL-USERNAME'], key: 'E-USERNAME-EMPTY', faults: [member('username', '')] },
      GEN2('ADM-UPDATE-3'),
      { id: 'permission', rules: ['ADM-UPDATE-5', 'GEN-4'], key: 'E-PERMISSION-DENIED', faults: [lacks('user_edit')] },
      {
        id: 'not-found-early',
        rules: ['ADM-UPDATE-5'],
        key: 'E-USER-NOT-FOUND',
        faults: [{ kind: 'not-admin' }, names('username', 'missing', ['missing'])],
      },
      {
        id: 'admin-target',
        rules: ['ADM-UPDATE-5', 'ADMP-3'],
        key: 'E-CANNOT-EDIT-ADMIN',
        faults: [{ kind: 'not-admin' }, names('username', 'admin', ['admin'])],
      },
      {
        id: 'requested-username',
        rules: ['ADM-UPDATE-6', 'VAL-USERNAME'],
        key: 'E-USERNAME-EMPTY',
        faults: [member('requested_username', '')],
      },
      {
        id: 'rename-guest',
        rules: ['ADM-UPDATE-7', 'GUEST-1'],
        key: 'E-CANNOT-RENAME-GUEST',
        faults: [names('username', 'guest', ['guest']), member('requested_username', 'genrenamed')],
      },
      {
        id: 'guest-password',
        rules: ['ADM-UPDATE-8', 'GUEST-1'],
        key: 'E-CANNOT-CHANGE-GUEST-PASSWORD',
        faults: [names('username', 'guest', ['guest']), member('requested_password', 'Gen-Pa55word')],
      },
      {
        id: 'admin-flag',
        rules: ['ADM-UPDATE-9', 'MERGE-6', 'ADMP-4', 'GEN-4'],
        key: 'E-PERMISSION-DENIED',
        faults: [{ kind: 'not-admin' }, { kind: 'present', member: 'requested_is_admin', value: false }],
      },
      {
        id: 'not-found',
        rules: ['ADM-UPDATE-10'],
        key: 'E-USER-NOT-FOUND',
        faults: [{ kind: 'is-admin' }, names('username', 'missing', ['missing'])],
      },
      {
        id: 'shared-promotion',
        rules: ['ADM-UPDATE-17', 'SHARED-1', 'UND-5'],
        key: 'E-SHARED-CANNOT-BE-ADMIN',
        faults: [names('username', 'shared', ['shared', 'guest']), member('requested_is_admin', true)],
        open: { rule: 'UND-5', profiles: ['nexusd'] },
      },
      {
        id: 'permissions-format',
        rules: ['ADM-UPDATE-11', 'VAL-PERMISSIONS'],
        key: 'E-PERMISSIONS-EMPTY-PERMISSION',
        faults: [member('requested_permissions', [''])],
      },
      {
        id: 'password',
        rules: ['ADM-UPDATE-12', 'VAL-PASSWORD'],
        key: 'E-PASSWORD-TOO-LONG',
        faults: [member('requested_password', 'p'.repeat(257))],
      },
      {
        id: 'username-taken',
        rules: ['ADM-UPDATE-13', 'GEN-7'],
        key: 'E-USERNAME-EXISTS',
        faults: [names('requested_username', 'online', ['exists'])],
      },
    ],
  },
  {
    id: 'user-update-self',
    message: 'UserUpdate',
    title: "UserUpdate of one's own account",
    seed: 'admin.md §UserUpdate',
    base: { username: ref('self'), current_password: { requesterPassword: true } },
    names: { username: 'username' },
    steps: [
      GEN1('ADM-UPDATE-1'),
      GEN2('ADM-UPDATE-3'),
      {
        id: 'shared-self',
        rules: ['ADM-UPDATE-4', 'SHARED-1'],
        key: 'E-SHARED-CANNOT-CHANGE-PASSWORD',
        faults: [names('username', 'self', ['self']), names('username', 'self', ['shared'])],
      },
      {
        id: 'self-changes',
        rules: ['ADM-UPDATE-4', 'SELF-1'],
        key: 'E-CANNOT-EDIT-SELF',
        faults: [names('username', 'self', ['self']), member('requested_enabled', true)],
      },
      {
        id: 'current-required',
        rules: ['ADM-UPDATE-4'],
        key: 'E-CURRENT-PASSWORD-REQUIRED',
        faults: [names('username', 'self', ['self']), { kind: 'absent', members: ['current_password'] }],
      },
      {
        id: 'current-incorrect',
        rules: ['ADM-UPDATE-4'],
        key: 'E-CURRENT-PASSWORD-INCORRECT',
        faults: [names('username', 'self', ['self']), member('current_password', 'Gen-Wrong-Pa55')],
      },
      {
        id: 'password',
        rules: ['ADM-UPDATE-12', 'VAL-PASSWORD'],
        key: 'E-PASSWORD-TOO-LONG',
        faults: [member('requested_password', 'p'.repeat(257))],
      },
    ],
  },
  {
    id: 'user-delete',
    message: 'UserDelete',
    title: 'UserDelete',
    seed: 'admin.md §UserDelete',
    base: { username: ref('offline') },
    names: { username: 'username' },
    steps: [
      GEN1('ADM-DELETE-1'),
      { id: 'username', rules: ['ADM-DELETE-2', 'VAL-USERNAME'], key: 'E-USERNAME-EMPTY', faults: [member('username', '')] },
      GEN2('ADM-DELETE-3'),
      { id: 'self', rules: ['ADM-DELETE-4', 'SELF-1'], key: 'E-CANNOT-DELETE-SELF', faults: [names('username', 'self', ['self'])] },
      { id: 'guest', rules: ['ADM-DELETE-5', 'GUEST-1'], key: 'E-CANNOT-DELETE-GUEST', faults: [names('username', 'guest', ['guest'])] },
      { id: 'permission', rules: ['ADM-DELETE-6'], key: 'E-PERMISSION-DENIED', faults: [lacks('user_delete')] },
      { id: 'not-found', rules: ['ADM-DELETE-7'], key: 'E-USER-NOT-FOUND', faults: [names('username', 'missing', ['missing'])] },
      {
        id: 'admin-target',
        rules: ['ADM-DELETE-8', 'ADMP-2'],
        key: 'E-CANNOT-DELETE-ADMIN',
        faults: [{ kind: 'not-admin' }, names('username', 'admin', ['admin'])],
      },
    ],
  },
  {
    id: 'user-kick',
    message: 'UserKick',
    title: 'UserKick',
    seed: 'admin.md §UserKick',
    base: { nickname: ref('online') },
    names: { nickname: 'nickname' },
    steps: [
      GEN1('ADM-KICK-1'),
      { id: 'nickname', rules: ['ADM-KICK-2', 'VAL-NICKNAME'], key: 'E-NICKNAME-EMPTY', faults: [member('nickname', '')] },
      GEN2('ADM-KICK-3'),
      { id: 'self', rules: ['ADM-KICK-4', 'SELF-1'], key: 'E-CANNOT-KICK-SELF', faults: [names('nickname', 'self', ['self'])] },
      { id: 'permission', rules: ['ADM-KICK-5'], key: 'E-PERMISSION-DENIED', faults: [lacks('user_kick')] },
      {
        id: 'not-online',
        rules: ['ADM-KICK-6'],
        key: 'E-NICKNAME-NOT-ONLINE',
        faults: [names('nickname', 'missing', ['missing', 'not-online'])],
      },
      { id: 'admin-target', rules: ['ADM-KICK-7', 'ADMP-1'], key: 'E-CANNOT-KICK-ADMIN', faults: [names('nickname', 'admin', ['admin'])] },
    ],
  },
  {
    id: 'server-info-update',
    message: 'ServerInfoUpdate',
    title: 'ServerInfoUpdate',
    seed: 'admin.md §ServerInfoUpdate',
    base: { description: v('generated check') },
    names: {},
    steps: [
      GEN1('ADM-SINFO-1'),
      GEN2('ADM-SINFO-2'),
      { id: 'admin-required', rules: ['ADM-SINFO-3', 'ADMP-5', 'GEN-4'], key: 'E-ADMIN-REQUIRED', faults: [{ kind: 'not-admin' }] },
      {
        id: 'no-fields',
        rules: ['ADM-SINFO-4'],
        key: 'E-NO-FIELDS-TO-UPDATE',
        faults: [{ kind: 'absent', members: ['name', 'description', 'image', 'max_connections_per_ip', 'max_transfers_per_ip'] }],
      },
      { id: 'name', rules: ['ADM-SINFO-5', 'VAL-SERVER-NAME'], key: 'E-SERVER-NAME-EMPTY', faults: [member('name', ' ')] },
      {
        id: 'description',
        rules: ['ADM-SINFO-6', 'VAL-SERVER-DESCRIPTION'],
        key: 'E-SERVER-DESCRIPTION-CONTAINS-NEWLINES',
        faults: [member('description', 'a\nb')],
      },
      {
        id: 'image',
        rules: ['ADM-SINFO-7', 'VAL-SERVER-IMAGE'],
        key: 'E-SERVER-IMAGE-INVALID-FORMAT',
        faults: [member('image', 'not a data uri')],
      },
      {
        id: 'max-connections',
        rules: ['ADM-SINFO-8', 'VAL-LIMIT'],
        key: 'E-MAX-CONNECTIONS-PER-IP-INVALID',
        faults: [member('max_connections_per_ip', 0)],
        profiles: ['spec'],
      },
      {
        id: 'max-transfers',
        rules: ['ADM-SINFO-8', 'VAL-LIMIT'],
        key: 'E-MAX-TRANSFERS-PER-IP-INVALID',
        faults: [member('max_transfers_per_ip', 0)],
        profiles: ['spec'],
      },
    ],
  },
  {
    id: 'connection-monitor',
    message: 'ConnectionMonitor',
    title: 'ConnectionMonitor',
    seed: 'connection-monitor.md §Permissions',
    base: {},
    names: {},
    steps: [
      GEN1('CM-1'),
      GEN2('CM-1'),
      { id: 'permission', rules: ['CM-2'], key: 'E-PERMISSION-DENIED', faults: [lacks('connection_monitor')] },
    ],
  },
];
