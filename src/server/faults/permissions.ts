// Faults of the permission rules (GEN-4): for each message that needs a permission, a server whose
// handler does not check it — the requester acts as if it held the permission.
import type { ServerFault } from '../fault.ts';
import { BOTH, SUITE, holds, isSelf, onRequest, runAs, type FaultEntry, type Req } from './kit.ts';

const permissions = 'permission rules';

/** The handler of `type` runs as if the requester held `perm`: the permission check is missing. */
const missingPermission = (type: string, perm: string, when: (req: Req) => boolean = () => true): ServerFault =>
  onRequest(type, (req, state, event, next) =>
    req.session && req.account && !holds(req, perm) && when(req)
      ? runAs(state, event, next, req.session.accountKey, { permissions: [...req.account.permissions, perm] })
      : undefined,
  );

/** A permission rule the handler of `type` does not check (the requester may act as if it held `perm`). */
const permissionNotChecked = (
  name: string,
  type: string,
  perm: string,
  rule: string,
  description: string,
  when?: (req: Req) => boolean,
): FaultEntry => ({
  name,
  family: permissions,
  description,
  rules: [rule],
  profiles: BOTH,
  detection: SUITE,
  make: () => missingPermission(type, perm, when),
});

export const PERMISSION_FAULTS: FaultEntry[] = [
  permissionNotChecked(
    'create-without-user-create',
    'UserCreate',
    'user_create',
    'ADM-CREATE-5',
    'UserCreate does not check user_create',
    (r) => r.body.is_admin !== true,
  ),
  permissionNotChecked('edit-without-user-edit', 'UserEdit', 'user_edit', 'ADM-EDIT-3', 'UserEdit does not check user_edit'),
  permissionNotChecked(
    'update-without-user-edit',
    'UserUpdate',
    'user_edit',
    'ADM-UPDATE-5',
    'UserUpdate of another account does not check user_edit',
    (r) => !isSelf(r),
  ),
  permissionNotChecked('delete-without-user-delete', 'UserDelete', 'user_delete', 'ADM-DELETE-6', 'UserDelete does not check user_delete'),
  permissionNotChecked('kick-without-user-kick', 'UserKick', 'user_kick', 'ADM-KICK-5', 'UserKick does not check user_kick'),
  permissionNotChecked('userinfo-without-user-info', 'UserInfo', 'user_info', 'USR-INFO-4', 'UserInfo does not check user_info'),
  permissionNotChecked(
    'userlist-without-user-list',
    'UserList',
    'user_list',
    'USR-LIST-2',
    'UserList all:false does not check user_list',
    (r) => r.body.all !== true,
  ),
  permissionNotChecked(
    'monitor-without-permission',
    'ConnectionMonitor',
    'connection_monitor',
    'CM-2',
    'ConnectionMonitor does not check connection_monitor',
  ),
];
