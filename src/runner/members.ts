// The member-by-member walk of the comparator: an expected body against the observed one, every
// difference one precise line. Which tolerance of the spec governs a member is looked up in the
// table of tolerances.ts; this module knows no member names itself, only the generic rules:
// only the model's members are compared (unknown extra members are ignored: WIRE-JSON-3,
// SES-LR-7, CM-6), and members the model knows to be absent must be absent (ABSENT_UNLESS_PREDICTED).
import type { CompareContext } from './compare.ts';
import type { SendOutput } from '../model/index.ts';
import { isObject } from '../protocol/types.ts';
import { maskBody } from './render.ts';
import type { Learned } from './session-ids.ts';
import { ABSENT_UNLESS_PREDICTED, memberTolerance, type MemberSite } from './tolerances.ts';

/** The state of one comparison: where it is, what differs, what it learned. */
export interface Walk {
  ctx: CompareContext;
  /** The observed message type. */
  type: string;
  diffs: string[];
  learned: Learned;
  /** LoginResponse and UserConnected introduce new sessions: unknown ids may be learned there. */
  mayLearnIds: boolean;
  /** UND-14: aggregated entries whose locale may be any of their sessions' (SendAccept.anyLocaleOf). */
  locales: NonNullable<NonNullable<SendOutput['accept']>['anyLocaleOf']>;
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A value as a difference line shows it (passwords masked, absence spelled out). */
export function show(v: unknown): string {
  if (v === undefined) return 'absent';
  return JSON.stringify(maskBody(v));
}

/**
 * Member-by-member comparison of an expected object with the observed one. `owner` names the
 * object (a message type, `server_info`, `<Type>.user`, `<Type>.users`) for the tolerances.
 */
export function compareObject(exp: Record<string, unknown>, obs: Record<string, unknown>, path: string, w: Walk, owner: string): void {
  for (const [key, e] of Object.entries(exp)) {
    if (key === 'type' && path === '') continue; // checked by the shape (WIRE-JSON-2)
    compareMember(key, e, obs[key], join(path, key), w, owner, exp);
  }
  for (const rule of ABSENT_UNLESS_PREDICTED) {
    if (rule.member in exp || !rule.applies(exp, owner)) continue;
    const got = obs[rule.member];
    if (!isNil(got)) w.diffs.push(`${join(path, rule.member)}: expected absent${rule.why ? ` (${rule.why})` : ''} got ${show(got)}`);
  }
}

/** One member: the tolerance of tolerances.ts that governs it, else an exact comparison. */
export function compareMember(
  key: string,
  e: unknown,
  o: unknown,
  path: string,
  w: Walk,
  owner: string,
  parent: Record<string, unknown>,
): void {
  const site: MemberSite = { key, owner, type: w.type, parent, match: w.ctx.match };
  const presence = memberTolerance('presence', site, e, o);
  if (presence) return presence.member!.compare(e, o, path, w, site);
  if (isNil(o)) {
    w.diffs.push(`${path}: expected ${show(e)} got absent`);
    return;
  }
  const value = memberTolerance('value', site, e, o);
  if (value) return value.member!.compare(e, o, path, w, site);
  compareValue(e, o, path, w, childOwner(key, owner));
}

/** The owner name of a member's own members. */
function childOwner(key: string, owner: string): string {
  return key === 'user' ? `${owner}.user` : key === 'server_info' ? 'server_info' : key;
}

/** Exact comparison (objects member by member, arrays element by element). */
export function compareValue(e: unknown, o: unknown, path: string, w: Walk, owner: string): void {
  if (isObject(e)) {
    if (!isObject(o)) {
      w.diffs.push(`${path}: expected an object got ${show(o)}`);
      return;
    }
    compareObject(e, o, path, w, owner);
    return;
  }
  if (Array.isArray(e)) {
    if (!Array.isArray(o) || o.length !== e.length || e.some((x, i) => JSON.stringify(x) !== JSON.stringify(o[i]))) {
      w.diffs.push(`${path}: expected ${show(e)} got ${show(o)}`);
    }
    return;
  }
  if (e !== o) w.diffs.push(`${path}: expected ${show(e)} got ${show(o)}`);
}
