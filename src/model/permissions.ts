// rules.md §2.1: the permission catalogue of this era and who holds what.
import type { Account, State, Session } from './state.ts';

/** PERM-1: the 27 in-scope permission names. */
export const ALL_PERMISSIONS = [
  'chat_receive',
  'chat_send',
  'chat_topic',
  'chat_topic_edit',
  'connection_monitor',
  'file_copy',
  'file_create_dir',
  'file_delete',
  'file_download',
  'file_info',
  'file_list',
  'file_move',
  'file_rename',
  'file_root',
  'file_upload',
  'news_create',
  'news_delete',
  'news_edit',
  'news_list',
  'user_broadcast',
  'user_create',
  'user_delete',
  'user_edit',
  'user_info',
  'user_kick',
  'user_list',
  'user_message',
] as const;
export type Permission = (typeof ALL_PERMISSIONS)[number];

/** PERM-3: what a shared account may hold. */
export const SHARED_ALLOWED: readonly Permission[] = [
  'chat_receive',
  'chat_send',
  'chat_topic',
  'file_download',
  'file_info',
  'file_list',
  'news_list',
  'user_info',
  'user_list',
  'user_message',
];

/** PERM-3: names forbidden to shared accounts in every upstream version (safe probes). */
export const SHARED_FORBIDDEN_PROBES: readonly Permission[] = [
  'user_create',
  'user_delete',
  'user_edit',
  'user_kick',
  'user_broadcast',
  'chat_topic_edit',
  'news_create',
  'news_edit',
  'news_delete',
  'file_root',
  'file_copy',
  'file_move',
  'file_rename',
  'file_delete',
  'file_create_dir',
  'connection_monitor',
];

export function isKnownPermission(name: string): name is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(name);
}

export function isSharedAllowed(name: string): boolean {
  return (SHARED_ALLOWED as readonly string[]).includes(name);
}

/** GEN-5: admins implicitly hold every permission. */
export function accountHolds(account: Account, permission: Permission): boolean {
  return account.isAdmin || account.permissions.includes(permission);
}

/** GEN-6: a session's rights are always read from its account, so changes apply at once. */
export function sessionHolds(state: State, session: Session, permission: Permission): boolean {
  const account = state.accounts[session.accountKey];
  return account !== undefined && accountHolds(account, permission);
}

export function sessionIsAdmin(state: State, session: Session): boolean {
  return state.accounts[session.accountKey]?.isAdmin === true;
}
