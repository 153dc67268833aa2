// rules.md §2.2: what a UserCreate / UserUpdate may store as permissions — shared-account
// restrictions (MERGE-5), unknown names (MERGE-4), delegation by non-admins (MERGE-1/2) and admin
// requesters (MERGE-3). Pure set arithmetic; the handlers place each step where their rule table
// puts it. Permission lists are sets (GEN-8): results keep the first-seen order without repeats.
import type { Profile } from '../protocol/types.ts';
import type { ErrorKey, ErrorParams } from './events.ts';
import type { Account } from './state.ts';
import { accountHolds, isKnownPermission, isSharedAllowed } from './permissions.ts';

/** A refused merge: the error and the rule that refused it (the carrier is the handler's). */
export interface MergeRefusal {
  key: ErrorKey;
  params: ErrorParams;
  rule: string;
}

export type MergeResult = { ok: true; permissions: string[] } | ({ ok: false } & MergeRefusal);

/** GEN-8: duplicates collapse, first occurrence wins the position. */
export function asSet(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/**
 * MERGE-5 [DIVERGENT] shared-forbidden names for a shared account. `spec`: known forbidden names
 * are silently removed; unknown names stay for MERGE-4. `nexusd`: every name that is not
 * shared-allowed (unknown ones included, repeats kept, request order) is refused.
 */
export function restrictShared(requested: readonly string[], profile: Profile): MergeResult {
  if (profile === 'spec') {
    return { ok: true, permissions: requested.filter((p) => isSharedAllowed(p) || !isKnownPermission(p)) };
  }
  const offending = requested.filter((p) => !isSharedAllowed(p));
  if (offending.length === 0) return { ok: true, permissions: [...requested] };
  return {
    ok: false,
    key: 'E-SHARED-INVALID-PERMISSIONS',
    params: { permissions: offending.join(', ') },
    rule: 'MERGE-5',
  };
}

/** MERGE-4 (UserCreate): the first unknown name in request order, if any. */
export function firstUnknown(requested: readonly string[]): string | undefined {
  return requested.find((p) => !isKnownPermission(p));
}

/** MERGE-4 (UserUpdate): unknown names are silently ignored. */
export function knownOnly(requested: readonly string[]): string[] {
  return requested.filter((p) => isKnownPermission(p));
}

const DENIED: MergeRefusal = { key: 'E-PERMISSION-DENIED', params: {}, rule: '' };

/**
 * MERGE-1 [DIVERGENT] / MERGE-3, UserCreate; `requested` holds known names only (after MERGE-4).
 * Admins store exactly the request. Non-admins: `spec` keeps requested ∩ held; `nexusd` refuses
 * when any requested name is not held.
 */
export function delegateCreate(requested: readonly string[], by: Account, profile: Profile): MergeResult {
  const names = asSet(requested);
  if (by.isAdmin) return { ok: true, permissions: names };
  const held = names.filter((p) => isKnownPermission(p) && accountHolds(by, p));
  if (profile === 'spec' || held.length === names.length) return { ok: true, permissions: held };
  return { ok: false, ...DENIED, rule: 'MERGE-1' };
}

/**
 * MERGE-2 [DIVERGENT] / MERGE-3, UserUpdate; `requested` holds known names only (after MERGE-4).
 * Admins store exactly the request. Non-admins: `spec` replaces the set with requested ∩ held;
 * `nexusd` refuses when any requested name is not held, else keeps the target's names the
 * requester does not hold: (current − held) ∪ requested.
 */
export function delegateUpdate(requested: readonly string[], by: Account, current: readonly string[], profile: Profile): MergeResult {
  const names = asSet(requested);
  if (by.isAdmin) return { ok: true, permissions: names };
  const holds = (p: string) => isKnownPermission(p) && accountHolds(by, p);
  if (profile === 'spec') return { ok: true, permissions: names.filter(holds) };
  if (!names.every(holds)) return { ok: false, ...DENIED, rule: 'MERGE-2' };
  return { ok: true, permissions: asSet([...current.filter((p) => !holds(p)), ...names]) };
}

/** Same set, whatever the order or repeats (GEN-8). */
export function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((p) => sb.has(p));
}
