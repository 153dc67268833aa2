// Value comparisons the comparator's tolerances use (tolerances.ts): session ids mapped through
// what the run learned (SES-LR-2), timestamps that stay the same per session or account, names
// compared as sets (GEN-8), IP parts (CM-5, USR-INFO-8) and the locale of aggregated entries (UND-14).
import { unmapIPv4, isLoopback } from '../model/ip.ts';
import type { Walk } from './members.ts';
import { compareValue, show } from './members.ts';

// --- session ids --------------------------------------------------------------------------------------

function learnedModelOf(w: Walk, targetId: number): number | undefined {
  const l = w.learned.sessions.find(([t]) => t === targetId);
  return l ? l[1] : w.ctx.ids.toModel(targetId);
}

function modelIdIsTaken(w: Walk, modelId: number): boolean {
  return w.ctx.ids.toTarget(modelId) !== undefined || w.learned.sessions.some(([, m]) => m === modelId);
}

function isSessionIdValue(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 4_294_967_295;
}

export function compareSessionId(e: unknown, o: unknown, path: string, w: Walk): void {
  if (!isSessionIdValue(o)) {
    w.diffs.push(`${path}: expected a session id (u32 > 0) got ${show(o)}`);
    return;
  }
  const mapped = learnedModelOf(w, o);
  if (mapped === e) return;
  if (mapped === undefined && typeof e === 'number' && w.mayLearnIds && !modelIdIsTaken(w, e)) {
    w.learned.sessions.push([o, e]); // a session the model just created (LoginResponse / UserConnected)
    return;
  }
  w.diffs.push(`${path}: expected ${show(e)} got ${mapped === undefined ? `unknown session (target id ${o})` : String(mapped)}`);
}

/** `session_ids` are a set (order unspecified), mapped target → model. */
export function compareSessionIds(e: unknown, o: unknown, path: string, w: Walk): void {
  if (!Array.isArray(e)) return compareValue(e, o, path, w, 'session_ids');
  if (!Array.isArray(o) || !o.every(isSessionIdValue)) {
    w.diffs.push(`${path}: expected a list of session ids got ${show(o)}`);
    return;
  }
  const expected = (e as number[]).slice().sort((a, b) => a - b);
  const mapped = o.map((t) => learnedModelOf(w, t));
  const unknownTargets = o.filter((_, i) => mapped[i] === undefined);
  const unmatchedModel = expected.filter((m) => !mapped.includes(m));
  if (w.mayLearnIds && unknownTargets.length === 1 && unmatchedModel.length === 1 && !modelIdIsTaken(w, unmatchedModel[0]!)) {
    w.learned.sessions.push([unknownTargets[0]!, unmatchedModel[0]!]);
    return;
  }
  const got = o
    .map((t, i) => (mapped[i] === undefined ? `target#${t}` : String(mapped[i])))
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  if (unknownTargets.length > 0 || got.length !== expected.length || got.some((g, i) => g !== String(expected[i]))) {
    w.diffs.push(`${path}: expected [${expected.join(', ')}] got [${got.join(', ')}]`);
  }
}

// --- timestamps ---------------------------------------------------------------------------------------

/** Same session (or account creation) → the same timestamp every time it is reported. */
export function timeKey(key: string, parent: Record<string, unknown>, type: string): string | null {
  const username = typeof parent.username === 'string' ? parent.username.toLowerCase() : null;
  if (key === 'created_at') return username === null ? null : `created:${username}`;
  const ids = parent.session_ids;
  if (Array.isArray(ids) && ids.length > 0) return `login:${[...ids].sort((a, b) => Number(a) - Number(b)).join(',')}`;
  // USR-LIST-4: `all:true` reports the creation time as login_time for accounts without sessions.
  if (Array.isArray(ids) && type === 'UserListResponse' && username !== null) return `created:${username}`;
  return null;
}

const A_DAY = 86_400;

export function compareTimestamp(o: unknown, path: string, w: Walk, key: string | null): void {
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
    w.diffs.push(`${path}: expected a unix timestamp (non-negative integer) got ${show(o)}`);
    return;
  }
  if (o > w.ctx.now + A_DAY) {
    w.diffs.push(`${path}: ${o} lies in the future (now ${w.ctx.now}); expected unix seconds`);
    return;
  }
  if (key === null) return;
  const prev = w.learned.times.find(([k]) => k === key)?.[1] ?? w.ctx.ids.times.get(key);
  if (prev === undefined) w.learned.times.push([key, o]);
  else if (prev !== o)
    w.diffs.push(
      `${path}: ${o} differs from ${prev} reported earlier for the same ${key.split(':')[0] === 'created' ? 'account' : 'session'}`,
    );
}

// --- sets, addresses, locales ---------------------------------------------------------------------------

export function compareStringSet(e: unknown, o: unknown, path: string, w: Walk, rule: string): void {
  if (!Array.isArray(e)) return compareValue(e, o, path, w, path);
  if (!Array.isArray(o) || !o.every((x) => typeof x === 'string')) {
    w.diffs.push(`${path}: expected a list of names got ${show(o)}`);
    return;
  }
  const want = new Set(e as string[]);
  const got = new Set(o as string[]);
  const missing = [...want].filter((x) => !got.has(x)).sort();
  const extra = [...got].filter((x) => !want.has(x)).sort();
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
    if (extra.length > 0) parts.push(`extra ${extra.join(', ')}`);
    w.diffs.push(
      `${path}: expected {${[...want].sort().join(', ')}} got {${[...got].sort().join(', ')}}: ${parts.join('; ')} (compared as sets, ${rule})`,
    );
  }
}

/** The IP part of an address: no port, no brackets, no `::ffff:` prefix (CM-5, USR-INFO-8). */
export function ipPart(address: string): string {
  let s = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = s.toLowerCase();
  return unmapIPv4(s);
}

function ipMatches(e: string, o: string, w: Walk): boolean {
  const want = ipPart(e);
  const got = ipPart(o);
  if (want === got) return true;
  const alias = w.learned.addresses.find(([m]) => m === want)?.[1] ?? w.ctx.ids.addresses.get(want);
  if (alias !== undefined) return alias === got;
  // Behind NAT the target sees another address for the harness than its local one; learn it once.
  if (!isLoopback(want)) {
    w.learned.addresses.push([want, got]);
    return true;
  }
  return false;
}

export function compareIp(e: unknown, o: unknown, path: string, w: Walk, rule: string): void {
  if (typeof e !== 'string' || typeof o !== 'string') return compareValue(e, o, path, w, path);
  if (!ipMatches(e, o, w)) {
    w.diffs.push(`${path}: expected ${show(e)} got ${show(o)} (IP part compared, ::ffff: stripped, ${rule})`);
    return;
  }
  // CM-5 `spec`: the seeds state the form as a rule ("IP addresses are shown in their canonical form
  // (IPv4-mapped IPv6 for IPv4 addresses)", connection-monitor.md §Notes), so the form is checked
  // too; only `nexusd` (listener-dependent) and `lenient` take either form.
  if (rule === 'CM-5' && w.ctx.profile === 'spec' && w.ctx.match !== 'lenient' && !sameAddressForm(e, o)) {
    w.diffs.push(`${path}: expected the canonical form ${show(e)} got ${show(o)} (IPv4 peers as ::ffff:a.b.c.d, no port, ${rule})`);
  }
}

/** Same textual form: mapped IPv4 or not, and no port or brackets (hex digits in any case). */
function sameAddressForm(e: string, o: string): boolean {
  const mapped = (s: string): boolean => /^::ffff:\d{1,3}(\.\d{1,3}){3}$/i.test(s);
  const withPort = /^\[.*\](:\d+)?$|^\d{1,3}(\.\d{1,3}){3}:\d+$|^::ffff:\d{1,3}(\.\d{1,3}){3}:\d+$/i;
  return mapped(e) === mapped(o) && !withPort.test(o);
}

export function compareAddresses(e: unknown, o: unknown, path: string, w: Walk): void {
  if (!Array.isArray(e) || !e.every((x) => typeof x === 'string')) return compareValue(e, o, path, w, path);
  if (!Array.isArray(o) || !o.every((x) => typeof x === 'string')) {
    w.diffs.push(`${path}: expected a list of addresses got ${show(o)}`);
    return;
  }
  const left = [...(o as string[])];
  let ok = left.length === e.length;
  for (const want of e as string[]) {
    const i = left.findIndex((got) => ipMatches(want, got, w));
    if (i < 0) ok = false;
    else left.splice(i, 1);
  }
  if (!ok) w.diffs.push(`${path}: expected ${show(e)} got ${show(o)} (IP parts compared as a set, USR-INFO-8)`);
}

/** UND-14: an aggregated entry may show the locale of any of its sessions (SendAccept.anyLocaleOf). */
export function compareLocale(e: unknown, o: unknown, path: string, w: Walk, parent: Record<string, unknown>): void {
  if (e === o) return;
  const ids = parent.session_ids;
  if (Array.isArray(ids) && ids.length > 1) {
    const key = [...ids]
      .map(Number)
      .sort((a, b) => a - b)
      .join(',');
    const allowed = w.locales.find((l) => l.sessionIds.join(',') === key)?.locales ?? [];
    if (typeof o === 'string' && allowed.includes(o)) return;
    if (allowed.length > 1) {
      w.diffs.push(
        `${path}: expected the locale of one of its sessions ${allowed.map((l) => JSON.stringify(l)).join(' or ')} got ${show(o)} (UND-14)`,
      );
      return;
    }
  }
  w.diffs.push(`${path}: expected ${show(e)} got ${show(o)}`);
}
