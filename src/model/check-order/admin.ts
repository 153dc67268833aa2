// Check order data (GEN-3) of the admin messages (admin.md, connection-monitor.md): one entry per
// message, its steps in the order the handler checks them. Vocabulary: vocabulary.ts.
import { GEN1, GEN2, lacks, member, names, v, ref, step, type MessageOrder } from './vocabulary.ts';

export const ADMIN_ORDERS: readonly MessageOrder[] = [
  {
    id: 'user-create',
    message: 'UserCreate',
    title: 'UserCreate',
    seed: 'admin.md §UserCreate',
    base: { username: ref('missing'), password: v('Gen-Pa55word'), is_admin: v(false), enabled: v(true), permissions: v([]) },
    names: { username: 'username' },
    steps: [
      GEN1('ADM-CREATE-1'),
      step('username', ['ADM-CREATE-2', 'VAL-USERNAME'], 'E-USERNAME-EMPTY', [member('username', '')]),
      step('password', ['ADM-CREATE-3', 'VAL-PASSWORD'], 'E-PASSWORD-EMPTY', [member('password', '')]),
      step('permissions-format', ['ADM-CREATE-4', 'VAL-PERMISSIONS'], 'E-PERMISSIONS-EMPTY-PERMISSION', [member('permissions', [''])]),
      GEN2('ADM-CREATE-5'),
      step('permission', ['ADM-CREATE-5', 'GEN-4'], 'E-PERMISSION-DENIED', [lacks('user_create')]),
      // `nexusd` answers E!, `spec` allows T, E or E!
      step(
        'create-admin',
        ['ADM-CREATE-6', 'MERGE-6', 'ADMP-4'],
        'E-CANNOT-CREATE-ADMIN',
        [{ kind: 'not-admin' }, member('is_admin', true)],
        {
          mayClose: true,
        },
      ),
      step('shared-admin', ['ADM-CREATE-7', 'SHARED-1'], 'E-SHARED-CANNOT-BE-ADMIN', [member('is_shared', true), member('is_admin', true)]),
      step(
        'shared-forbidden',
        ['ADM-CREATE-8', 'MERGE-5'],
        'E-SHARED-INVALID-PERMISSIONS',
        [member('is_shared', true), member('permissions', ['user_delete'])],
        { profiles: ['nexusd'] },
      ),
      step('unknown-permission', ['ADM-CREATE-9', 'MERGE-4'], 'E-UNKNOWN-PERMISSION', [member('permissions', ['gen_no_such'])]),
      step('exists', ['ADM-CREATE-11', 'GEN-7'], 'E-USERNAME-EXISTS', [names('username', 'offline', ['exists', 'self', 'guest'])]),
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
      step('username', ['ADM-EDIT-1', 'VAL-USERNAME', 'UND-1'], 'E-USERNAME-EMPTY', [member('username', '')], {
        open: { rule: 'UND-1', profiles: ['spec', 'nexusd'] },
      }),
      GEN2('ADM-EDIT-1'),
      step('self', ['ADM-EDIT-2', 'SELF-1'], 'E-CANNOT-EDIT-SELF', [names('username', 'self', ['self'])]),
      step('permission', ['ADM-EDIT-3'], 'E-PERMISSION-DENIED', [lacks('user_edit')]),
      step('not-found', ['ADM-EDIT-4'], 'E-USER-NOT-FOUND', [names('username', 'missing', ['missing'])]),
      step('admin-target', ['ADM-EDIT-5', 'ADMP-3'], 'E-CANNOT-EDIT-ADMIN', [{ kind: 'not-admin' }, names('username', 'admin', ['admin'])]),
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
      step('username', ['ADM-UPDATE-2', 'VAL-USERNAME'], 'E-USERNAME-EMPTY', [member('username', '')]),
      GEN2('ADM-UPDATE-3'),
      step('permission', ['ADM-UPDATE-5', 'GEN-4'], 'E-PERMISSION-DENIED', [lacks('user_edit')]),
      step('not-found-early', ['ADM-UPDATE-5'], 'E-USER-NOT-FOUND', [{ kind: 'not-admin' }, names('username', 'missing', ['missing'])]),
      step('admin-target', ['ADM-UPDATE-5', 'ADMP-3'], 'E-CANNOT-EDIT-ADMIN', [
        { kind: 'not-admin' },
        names('username', 'admin', ['admin']),
      ]),
      step('requested-username', ['ADM-UPDATE-6', 'VAL-USERNAME'], 'E-USERNAME-EMPTY', [member('requested_username', '')]),
      step('rename-guest', ['ADM-UPDATE-7', 'GUEST-1'], 'E-CANNOT-RENAME-GUEST', [
        names('username', 'guest', ['guest']),
        member('requested_username', 'genrenamed'),
      ]),
      step('guest-password', ['ADM-UPDATE-8', 'GUEST-1'], 'E-CANNOT-CHANGE-GUEST-PASSWORD', [
        names('username', 'guest', ['guest']),
        member('requested_password', 'Gen-Pa55word'),
      ]),
      step('admin-flag', ['ADM-UPDATE-9', 'MERGE-6', 'ADMP-4', 'GEN-4'], 'E-PERMISSION-DENIED', [
        { kind: 'not-admin' },
        { kind: 'present', member: 'requested_is_admin', value: false },
      ]),
      step('not-found', ['ADM-UPDATE-10'], 'E-USER-NOT-FOUND', [{ kind: 'is-admin' }, names('username', 'missing', ['missing'])]),
      step(
        'shared-promotion',
        ['ADM-UPDATE-17', 'SHARED-1', 'UND-5'],
        'E-SHARED-CANNOT-BE-ADMIN',
        [names('username', 'shared', ['shared', 'guest']), member('requested_is_admin', true)],
        { open: { rule: 'UND-5', profiles: ['nexusd'] } },
      ),
      step('permissions-format', ['ADM-UPDATE-11', 'VAL-PERMISSIONS'], 'E-PERMISSIONS-EMPTY-PERMISSION', [
        member('requested_permissions', ['']),
      ]),
      step('password', ['ADM-UPDATE-12', 'VAL-PASSWORD'], 'E-PASSWORD-TOO-LONG', [member('requested_password', 'p'.repeat(257))]),
      step('username-taken', ['ADM-UPDATE-13', 'GEN-7'], 'E-USERNAME-EXISTS', [names('requested_username', 'online', ['exists'])]),
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
      step('shared-self', ['ADM-UPDATE-4', 'SHARED-1'], 'E-SHARED-CANNOT-CHANGE-PASSWORD', [
        names('username', 'self', ['self']),
        names('username', 'self', ['shared']),
      ]),
      step('self-changes', ['ADM-UPDATE-4', 'SELF-1'], 'E-CANNOT-EDIT-SELF', [
        names('username', 'self', ['self']),
        member('requested_enabled', true),
      ]),
      step('current-required', ['ADM-UPDATE-4'], 'E-CURRENT-PASSWORD-REQUIRED', [
        names('username', 'self', ['self']),
        { kind: 'absent', members: ['current_password'] },
      ]),
      step('current-incorrect', ['ADM-UPDATE-4'], 'E-CURRENT-PASSWORD-INCORRECT', [
        names('username', 'self', ['self']),
        member('current_password', 'Gen-Wrong-Pa55'),
      ]),
      step('password', ['ADM-UPDATE-12', 'VAL-PASSWORD'], 'E-PASSWORD-TOO-LONG', [member('requested_password', 'p'.repeat(257))]),
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
      step('username', ['ADM-DELETE-2', 'VAL-USERNAME'], 'E-USERNAME-EMPTY', [member('username', '')]),
      GEN2('ADM-DELETE-3'),
      step('self', ['ADM-DELETE-4', 'SELF-1'], 'E-CANNOT-DELETE-SELF', [names('username', 'self', ['self'])]),
      step('guest', ['ADM-DELETE-5', 'GUEST-1'], 'E-CANNOT-DELETE-GUEST', [names('username', 'guest', ['guest'])]),
      step('permission', ['ADM-DELETE-6'], 'E-PERMISSION-DENIED', [lacks('user_delete')]),
      step('not-found', ['ADM-DELETE-7'], 'E-USER-NOT-FOUND', [names('username', 'missing', ['missing'])]),
      step('admin-target', ['ADM-DELETE-8', 'ADMP-2'], 'E-CANNOT-DELETE-ADMIN', [
        { kind: 'not-admin' },
        names('username', 'admin', ['admin']),
      ]),
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
      step('nickname', ['ADM-KICK-2', 'VAL-NICKNAME'], 'E-NICKNAME-EMPTY', [member('nickname', '')]),
      GEN2('ADM-KICK-3'),
      step('self', ['ADM-KICK-4', 'SELF-1'], 'E-CANNOT-KICK-SELF', [names('nickname', 'self', ['self'])]),
      step('permission', ['ADM-KICK-5'], 'E-PERMISSION-DENIED', [lacks('user_kick')]),
      step('not-online', ['ADM-KICK-6'], 'E-NICKNAME-NOT-ONLINE', [names('nickname', 'missing', ['missing', 'not-online'])]),
      step('admin-target', ['ADM-KICK-7', 'ADMP-1'], 'E-CANNOT-KICK-ADMIN', [names('nickname', 'admin', ['admin'])]),
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
      step('admin-required', ['ADM-SINFO-3', 'ADMP-5', 'GEN-4'], 'E-ADMIN-REQUIRED', [{ kind: 'not-admin' }]),
      step('no-fields', ['ADM-SINFO-4'], 'E-NO-FIELDS-TO-UPDATE', [
        { kind: 'absent', members: ['name', 'description', 'image', 'max_connections_per_ip', 'max_transfers_per_ip'] },
      ]),
      step('name', ['ADM-SINFO-5', 'VAL-SERVER-NAME'], 'E-SERVER-NAME-EMPTY', [member('name', ' ')]),
      step('description', ['ADM-SINFO-6', 'VAL-SERVER-DESCRIPTION'], 'E-SERVER-DESCRIPTION-CONTAINS-NEWLINES', [
        member('description', 'a\nb'),
      ]),
      step('image', ['ADM-SINFO-7', 'VAL-SERVER-IMAGE'], 'E-SERVER-IMAGE-INVALID-FORMAT', [member('image', 'not a data uri')]),
      step('max-connections', ['ADM-SINFO-8', 'VAL-LIMIT'], 'E-MAX-CONNECTIONS-PER-IP-INVALID', [member('max_connections_per_ip', 0)], {
        profiles: ['spec'],
      }),
      step('max-transfers', ['ADM-SINFO-8', 'VAL-LIMIT'], 'E-MAX-TRANSFERS-PER-IP-INVALID', [member('max_transfers_per_ip', 0)], {
        profiles: ['spec'],
      }),
    ],
  },
  {
    id: 'connection-monitor',
    message: 'ConnectionMonitor',
    title: 'ConnectionMonitor',
    seed: 'connection-monitor.md §Permissions',
    base: {},
    names: {},
    steps: [GEN1('CM-1'), GEN2('CM-1'), step('permission', ['CM-2'], 'E-PERMISSION-DENIED', [lacks('connection_monitor')])],
  },
];
