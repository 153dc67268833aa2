// UserList / ConnectionMonitor arrays (USR-LIST-5, CM-4): sorted by lower-cased nickname (ties
// unspecified), entries paired by nickname and username. Entries of foreign accounts (strangers'
// sessions, accounts others created during the run) may be missing or extra; when present on both
// sides only their stable members are compared.
import { compareCodePoints } from '../model/index.ts';
import { isObject } from '../protocol/types.ts';
import type { CompareContext } from './compare.ts';
import type { Walk } from './members.ts';
import { compareValue, join, show } from './members.ts';
import { cloneLearned } from './session-ids.ts';

function entryName(v: unknown, key: 'nickname' | 'username'): string {
  return isObject(v) && typeof v[key] === 'string' ? v[key] : '';
}

function entryKey(v: unknown): string {
  return `${entryName(v, 'nickname').toLowerCase()}\u0000${entryName(v, 'username').toLowerCase()}`;
}

function describeEntry(v: unknown): string {
  return `{nickname ${JSON.stringify(entryName(v, 'nickname'))}, username ${JSON.stringify(entryName(v, 'username'))}}`;
}

function isOwnEntry(v: unknown, ctx: CompareContext): boolean {
  if (!ctx.isOwnName) return true;
  return ctx.isOwnName(entryName(v, 'username')) || ctx.isOwnName(entryName(v, 'nickname'));
}

/**
 * A stored-account entry (USR-LIST-4): no live sessions; stable, so never tolerated missing — but
 * for the accounts of the run's other lanes, which they create and delete all the time (--jobs).
 */
function isStableAccountEntry(v: unknown, ctx: CompareContext): boolean {
  if (!isObject(v) || !Array.isArray(v.session_ids) || v.session_ids.length !== 0) return false;
  return !ctx.isTransientName?.(entryName(v, 'username'));
}

/** Members of a foreign entry that cannot change under our feet (its sessions may come and go). */
const STABLE_MEMBERS = ['username', 'nickname', 'is_admin', 'is_shared'];
/**
 * The same for an account of the run's other lanes (--jobs): those lanes promote and demote their
 * accounts at any time, and this lane's mirror never learns of it (their names are siblings').
 */
const SIBLING_STABLE_MEMBERS = STABLE_MEMBERS.filter((k) => k !== 'is_admin');

/**
 * UserList / ConnectionMonitor arrays: sorted by lower-cased nickname (USR-LIST-5, CM-4; ties
 * unspecified), entries paired by nickname and username. Entries of foreign accounts — sessions of
 * strangers, accounts created by others during the run — may be missing or extra; when present on
 * both sides only their stable members are compared.
 */
export function compareList(e: unknown, o: unknown, path: string, w: Walk, key: 'users' | 'connections'): void {
  if (!Array.isArray(e)) return compareValue(e, o, path, w, key);
  if (!Array.isArray(o)) {
    w.diffs.push(`${path}: expected a list got ${show(o)}`);
    return;
  }
  for (let i = 1; i < o.length; i++) {
    const a = entryName(o[i - 1], 'nickname').toLowerCase();
    const b = entryName(o[i], 'nickname').toLowerCase();
    if (compareCodePoints(a, b) > 0) {
      w.diffs.push(
        `${path}: not sorted by lower-cased nickname: ${JSON.stringify(a)} before ${JSON.stringify(b)} (${key === 'users' ? 'USR-LIST-5' : 'CM-4'})`,
      );
      break;
    }
  }
  const owner = key === 'users' ? `${w.type}.users` : `${w.type}.connections`;
  const used = new Set<number>();
  for (const want of e) {
    const own = isOwnEntry(want, w.ctx);
    const candidates = o.map((_, i) => i).filter((i) => !used.has(i) && entryKey(o[i]) === entryKey(want));
    if (candidates.length === 0) {
      if (own || isStableAccountEntry(want, w.ctx)) w.diffs.push(`${path}: missing entry ${describeEntry(want)}`);
      continue;
    }
    let chosen: { index: number; walk: Walk } | undefined;
    for (const i of candidates) {
      const sub: Walk = { ...w, diffs: [], learned: cloneLearned(w.learned) };
      const label = `${path}[${describeEntry(want)}]`;
      if (own) compareValue(want, o[i], label, sub, owner);
      else compareStable(want, o[i], label, sub, w.ctx.isTransientName?.(entryName(want, 'username')) === true);
      if (sub.diffs.length === 0) {
        chosen = { index: i, walk: sub };
        break;
      }
      chosen ??= { index: i, walk: sub };
    }
    used.add(chosen!.index);
    w.diffs.push(...chosen!.walk.diffs);
    w.learned = chosen!.walk.learned;
  }
  o.forEach((got, i) => {
    if (!used.has(i) && isOwnEntry(got, w.ctx)) w.diffs.push(`${path}: unexpected entry ${describeEntry(got)}`);
  });
}

function compareStable(want: unknown, got: unknown, path: string, w: Walk, sibling: boolean): void {
  if (!isObject(want) || !isObject(got)) return compareValue(want, got, path, w, path);
  for (const k of sibling ? SIBLING_STABLE_MEMBERS : STABLE_MEMBERS) {
    if (k in want && want[k] !== got[k]) w.diffs.push(`${join(path, k)}: expected ${show(want[k])} got ${show(got[k])}`);
  }
}
