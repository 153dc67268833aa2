// Stored accounts for tests that build a target's state by hand (a populated server, a snapshot).
import { passwordDigest } from '../../src/model/password.ts';
import type { Account } from '../../src/model/state.ts';

/** The password `account()` gives `username` unless overridden. */
export const passwordOf = (username: string): string => `pw-${username}`;

/** A regular, enabled account without permissions (fixed creation time, so two builds compare equal). */
export function account(username: string, over: Partial<Account> = {}): Account {
  return {
    username,
    passwordDigest: passwordDigest(passwordOf(username)),
    isAdmin: false,
    isShared: false,
    enabled: true,
    permissions: [],
    createdAt: 1_700_000_000,
    ...over,
  };
}
