// Human-readable frames for reports: `NX|<len>|<type>|<id>|<len>|<json>` lines with every password
// member masked (DESIGN.md: passwords never reach logs, traces or reports) and long strings (avatars,
// server images) shortened so a failure stays readable.
import type { CloseOutput, SendOutput } from '../model/index.ts';
import type { Message } from '../protocol/types.ts';
import { setMember } from '../protocol/types.ts';
import { shorten } from './text.ts';

/** Members whose values are never rendered. */
export const SECRET_MEMBERS: ReadonlySet<string> = new Set(['password', 'current_password', 'requested_password']);

const MAX_STRING = 96;
const MAX_LINE = 2000;

/** Deep copy with secrets replaced by "***" and long strings shortened. */
export function maskBody(value: unknown, key?: string): unknown {
  if (key !== undefined && SECRET_MEMBERS.has(key) && value !== null && value !== undefined) return '***';
  if (typeof value === 'string') return shorten(value, MAX_STRING);
  if (Array.isArray(value)) return value.map((v) => maskBody(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setMember(out, k, maskBody(v, k));
    return out;
  }
  return value;
}

/** One frame as a text line; the payload length is that of the rendered (masked) JSON. */
export function renderMessage(message: Pick<Message, 'type' | 'id' | 'body'>): string {
  return maskedFrame(message).text;
}

/**
 * One frame masked: its body with secrets replaced and long strings shortened, and its text line
 * (renderMessage). For traffic events, which carry both (what a check sent can be judged from the
 * body without reading the line back, and no secret reaches a tap).
 */
export function maskedFrame(message: Pick<Message, 'type' | 'id' | 'body'>): { body: Record<string, unknown>; text: string } {
  const body = maskBody(message.body) as Record<string, unknown>;
  const json = JSON.stringify(body);
  const typeLen = Buffer.byteLength(message.type, 'utf8');
  return { body, text: shorten(`NX|${typeLen}|${message.type}|${message.id}|${Buffer.byteLength(json, 'utf8')}|${json}`, MAX_LINE) };
}

// A JSON string member named like a secret, in raw bytes that may not even parse.
const SECRET_IN_TEXT = /("(?:password|current_password|requested_password)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;

/**
 * Raw bytes as sent (possibly malformed): printable ASCII as is, everything else escaped, secret
 * members masked even when the payload is not valid JSON.
 */
export function renderBytes(bytes: Uint8Array | string): string {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1');
  const masked = text.replace(SECRET_IN_TEXT, '$1"***"');
  let out = '';
  for (const ch of masked) {
    const c = ch.charCodeAt(0);
    if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
    if (out.length > MAX_LINE) return `${out}…(${masked.length} bytes)`;
  }
  return out;
}

/** Every outcome one model output allows, and what qualifies them (for `Failure.expected` and `note`). */
export interface ExpectedOutcomes {
  expected: string[];
  note?: string;
}

/** What the model expects of one output: the frame it predicts and every accepted alternative. */
export function describeExpectation(output: SendOutput | CloseOutput): ExpectedOutcomes {
  if (output.kind === 'close') {
    const closed = `connection closed by the server [${output.reason}]`;
    if (output.accept?.lazy) return { expected: [closed, 'session invalidated, next request answered E-AUTHENTICATION + close'] };
    return output.accept?.optional ? { expected: [closed], note: 'optional' } : { expected: [closed] };
  }
  const expected = [renderMessage(output.message)];
  for (const alt of output.accept?.alternatives ?? []) expected.push(renderMessage({ ...alt, id: output.message.id }));
  const notes: string[] = [];
  if (output.error) {
    const e = output.error;
    notes.push(`error ${e.key} via ${e.carriers.join(' | ')}${e.command ? ` (command ${e.command})` : ''}`);
  }
  if (output.accept?.optional) notes.push('optional');
  else if (output.accept?.notSentByReference) notes.push('optional: the reference server does not send it');
  if (output.accept?.anyOrderWithResponse) notes.push('may precede the direct response');
  for (const l of output.accept?.anyLocaleOf ?? []) {
    notes.push(
      `locale of the entry of sessions [${l.sessionIds.join(', ')}]: any of ${l.locales.map((x) => JSON.stringify(x)).join(', ')}, UND-14`,
    );
  }
  return notes.length > 0 ? { expected, note: notes.join('; ') } : { expected };
}
