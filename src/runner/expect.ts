// Structured expectations for scenarios (irctest's `assertMessageMatch`): a pattern lists the
// fields that matter and what each may be; everything unlisted is the lockstep comparator's
// business. A mismatch becomes a `Failure` whose `expected` lists every allowed value and whose
// `actual` shows what came back, with the frame that was sent when the value came from a reply.
import { sameSet } from '../model/index.ts';
import { isObject } from '../protocol/types.ts';
import type { Failure } from './results.ts';
import { show } from './members.ts';
import { renderMessage, SECRET_MEMBERS } from './render.ts';

/** A value a pattern accepts by test rather than by equality; `allowed` describes each accepted form. */
export interface Matcher {
  readonly allowed: readonly string[];
  test(value: unknown): boolean;
}

const MATCHER = Symbol('matcher');

function matcher(allowed: readonly string[], test: (value: unknown) => boolean): Matcher {
  return { allowed, test, [MATCHER]: true } as Matcher;
}

function isMatcher(v: unknown): v is Matcher {
  return typeof v === 'object' && v !== null && MATCHER in v;
}

/** Any value, as long as there is one (absent and null are alike, WIRE-JSON-5). */
export const ANY: Matcher = matcher(['any value (present, not null)'], (v) => v !== undefined && v !== null);

/** Absent or null, which are alike (WIRE-JSON-5). */
export const NONE: Matcher = matcher(['absent', 'null'], (v) => v === undefined || v === null);

/** Any one of `values` (each a value or a matcher). */
export function oneOf(values: readonly unknown[]): Matcher {
  return matcher(
    values.flatMap((v) => allowedOf(v)),
    (v) => values.some((p) => matches(p, v)),
  );
}

/** An array with exactly these members in any order (GEN-8: permission lists are sets). */
export function setOf(values: readonly unknown[]): Matcher {
  return matcher([`${show(values)} in any order`], (v) => Array.isArray(v) && sameSet(v, values));
}

/** Anything `pattern` does not match (e.g. a value a refused request must not have stored). */
export function not(pattern: unknown): Matcher {
  return matcher([`anything but ${allowedOf(pattern).join(' or ')}`], (v) => !matches(pattern, v));
}

/** An array of exactly `n` items, whatever they are. */
export function ofLength(n: number): Matcher {
  return matcher([`an array of ${n} item${n === 1 ? '' : 's'}`], (v) => Array.isArray(v) && v.length === n);
}

/** An array holding at least these members (in any order, others allowed). */
export function including(values: readonly unknown[]): Matcher {
  return matcher([`an array including ${show(values)}`], (v) => Array.isArray(v) && values.every((x) => v.some((y) => matches(x, y))));
}

/** A value for which `test` holds; `description` says what is allowed (e.g. "sorted by nickname, case-insensitive"). */
export function where(description: string, test: (value: unknown) => boolean): Matcher {
  return matcher([description], test);
}

/**
 * Whether `value` fits `pattern`: a matcher tests it; an array needs the same length and each
 * element to fit; a plain object needs every listed field to fit (unlisted fields are free);
 * anything else must be equal (`Object.is`).
 */
export function matches(pattern: unknown, value: unknown): boolean {
  if (isMatcher(pattern)) return pattern.test(value);
  if (Array.isArray(pattern))
    return Array.isArray(value) && value.length === pattern.length && pattern.every((p, i) => matches(p, value[i]));
  if (isPlainObject(pattern)) {
    return isPlainObject(value) && Object.entries(pattern).every(([k, p]) => matches(p, value[k]));
  }
  return Object.is(pattern, value);
}

/** Every value `pattern` allows, one entry each. */
export function allowedOf(pattern: unknown): string[] {
  if (isMatcher(pattern)) return [...pattern.allowed];
  return [show(pattern)];
}

/** The fields of `value` that do not fit `pattern`, as `[path, pattern, value]` (one level of paths per nested object). */
export function mismatches(pattern: Record<string, unknown>, value: Record<string, unknown>, path = ''): Array<[string, unknown, unknown]> {
  const out: Array<[string, unknown, unknown]> = [];
  for (const [key, p] of Object.entries(pattern)) {
    const at = path === '' ? key : `${path}.${key}`;
    const v = value[key];
    if (!isMatcher(p) && isPlainObject(p) && isPlainObject(v)) out.push(...mismatches(p, v, at));
    else if (!matches(p, v)) out.push([at, p, v]);
  }
  return out;
}

/** A JSON object that is not a matcher (a pattern to compare member by member). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return isObject(v) && !isMatcher(v);
}

// --- where a value came from -----------------------------------------------------------------------

/** The rendered request behind each reply (and each object inside it) and the reply's type, for failures. */
const ORIGIN = new WeakMap<object, { sent: string; type: string }>();

/** Records that `reply` (and every object and array in it) answers the request rendered as `sent`. */
export function noteSent(reply: { type: string }, sent: string): void {
  const origin = { sent, type: reply.type };
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || ORIGIN.has(v)) return;
    ORIGIN.set(v, origin);
    for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x);
  };
  visit(reply);
}

/** The rendered request a value answers, where known. */
export function sentFor(value: unknown): string | undefined {
  return originOf(value)?.sent;
}

function originOf(value: unknown): { sent: string; type: string } | undefined {
  return typeof value === 'object' && value !== null ? ORIGIN.get(value) : undefined;
}

// --- failures ------------------------------------------------------------------------------------------

const NOT_FROM_A_REPLY = '(a value the check computed)';

/** The failures of a body against a pattern: one per field that does not fit. */
export function bodyFailures(
  observed: { type: string; body: Record<string, unknown> } | Record<string, unknown> | null | undefined,
  pattern: Record<string, unknown>,
  rule: string,
  what?: string,
): Failure[] {
  const sent = sentFor(observed) ?? NOT_FROM_A_REPLY;
  const note = what !== undefined ? { note: what } : {};
  if (observed === null || observed === undefined) {
    return [
      { rule, sent, expected: Object.entries(pattern).map(([k, p]) => `${k}: ${allowedOf(p).join(' or ')}`), ...note, actual: 'nothing' },
    ];
  }
  const frame = isFrame(observed);
  // A frame's `type` is matched against the frame type (irctest matches the command with the params).
  const body = frame ? { ...observed.body, type: observed.type } : observed;
  const from = frame ? observed.type : originOf(observed)?.type;
  const where = from !== undefined ? ` in ${from}` : '';
  return mismatches(pattern, body).map(([path, p, v]) => {
    // A password member is never shown, not even when it is the field that does not fit.
    const secret = SECRET_MEMBERS.has(path.split('.').pop()!);
    return {
      rule,
      sent,
      expected: secret ? [`${path}: (a password)`] : allowedOf(p).map((a) => `${path}: ${a}`),
      ...note,
      actual: `${path}: ${secret ? '***' : show(v)}${where}`,
    };
  });
}

/** The failure of one value against its expectation, or none. */
export function valueFailure(actual: unknown, expected: unknown, rule: string, what: string): Failure | undefined {
  if (matches(expected, actual)) return undefined;
  return { rule, sent: sentFor(actual) ?? NOT_FROM_A_REPLY, expected: allowedOf(expected), note: what, actual: shown(actual) };
}

/** A reply as a frame line, anything else as JSON (passwords masked either way). */
function shown(value: unknown): string {
  if (isFrame(value)) return renderMessage(value);
  return value === null ? 'nothing' : show(value);
}

function isFrame(v: unknown): v is { type: string; id: string; body: Record<string, unknown> } {
  return isPlainObject(v) && typeof v.type === 'string' && typeof v.id === 'string' && isPlainObject(v.body);
}
