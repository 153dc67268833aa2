// Generated from the frame grammar of wire.md §3 (WIRE-FRM-1..7) and the malformed-input classes of
// §7 (WIRE-BAD-1..9, 11): one check per element of the frame (magic, type length, type, separators,
// id, payload length, payload, terminator) and per violation class of that element (too short, too
// long, wrong characters, sign, leading zeros, wrong case, …), each sent in every connection state
// (new, handshaken, logged in). Variations the grammar allows (leading zeros, id case, trailing JSON
// whitespace) must be processed as the frame they spell; the rest must be answered by an optional
// Error and a close. The runner's model decides each outcome.
import { check, section, type Actor, type CheckContext, type CheckDef } from '../../src/runner/api.ts';
import { SPEC_LIMITS, PADDED_LIMITS } from '../../src/protocol/limits.ts';
import type { ClientType } from '../../src/protocol/types.ts';
import { credentials, serverVersion } from '../_lib.ts';
import { encodeParts, partBytes, partsOf, withPayload, withType, type FrameParts } from '../wire/_frames.ts';

type Mutation = (p: FrameParts) => FrameParts;

interface FrameClass {
  element: string;
  id: string;
  rules: string[];
  /** What is wrong (or allowed) about the element. */
  what: string;
  mutate: Mutation;
}

const padLeft = (n: string, digits: number): string => n.padStart(digits, '0');

const MAGIC = ['WIRE-FRM-1', 'WIRE-BAD-1'];
const TYPE_LEN = ['WIRE-FRM-2', 'WIRE-BAD-2'];
const TYPE = ['WIRE-FRM-3', 'WIRE-BAD-3'];
const SEPARATOR = ['WIRE-FRM-4', 'WIRE-BAD-4'];
const ID = ['WIRE-FRM-4', 'WIRE-BAD-4', 'WIRE-BAD-5', 'WIRE-ID-1'];
const PAYLOAD_LEN = ['WIRE-FRM-5', 'WIRE-BAD-6'];
const PAYLOAD = ['WIRE-FRM-7', 'WIRE-BAD-9', 'WIRE-JSON-1'];
const END = ['WIRE-FRM-7', 'WIRE-BAD-8'];

export const FRAME_CLASSES: readonly FrameClass[] = [
  // magic
  { element: 'magic', id: 'lower-case', rules: MAGIC, what: '"nx|"', mutate: (p) => ({ ...p, magic: 'nx|' }) },
  { element: 'magic', id: 'no-pipe', rules: MAGIC, what: '"NX" followed by the type length', mutate: (p) => ({ ...p, magic: 'NX' }) },
  { element: 'magic', id: 'leading-byte', rules: MAGIC, what: 'a space before "NX|"', mutate: (p) => ({ ...p, magic: ' NX|' }) },
  { element: 'magic', id: 'missing', rules: MAGIC, what: 'no magic at all', mutate: (p) => ({ ...p, magic: '' }) },
  // type length
  { element: 'type-length', id: 'empty', rules: TYPE_LEN, what: 'an empty field', mutate: (p) => ({ ...p, typeLen: '' }) },
  {
    element: 'type-length',
    id: 'non-digit',
    rules: TYPE_LEN,
    what: 'a letter after the digits',
    mutate: (p) => ({ ...p, typeLen: `${p.typeLen}a` }),
  },
  { element: 'type-length', id: 'sign', rules: TYPE_LEN, what: 'a "+" sign', mutate: (p) => ({ ...p, typeLen: `+${p.typeLen}` }) },
  { element: 'type-length', id: 'zero', rules: TYPE_LEN, what: 'the value 0', mutate: (p) => ({ ...p, typeLen: '0', type: '' }) },
  {
    element: 'type-length',
    id: 'four-digits',
    rules: TYPE_LEN,
    what: 'four digits (leading zeros)',
    mutate: (p) => ({ ...p, typeLen: padLeft(p.typeLen, 4) }),
  },
  {
    element: 'type-length',
    id: 'leading-zeros',
    rules: ['WIRE-FRM-2'],
    what: 'three digits with leading zeros (allowed)',
    mutate: (p) => ({ ...p, typeLen: padLeft(p.typeLen, 3) }),
  },
  {
    element: 'type-length',
    id: 'one-short',
    rules: [...TYPE_LEN, ...TYPE],
    what: 'one less than the type name',
    mutate: (p) => ({ ...p, typeLen: String(partBytes(p.type).length - 1) }),
  },
  {
    element: 'type-length',
    id: 'one-long',
    rules: [...TYPE_LEN, ...TYPE],
    what: 'one more than the type name',
    mutate: (p) => ({ ...p, typeLen: String(partBytes(p.type).length + 1) }),
  },
  // type
  {
    element: 'type',
    id: 'unknown',
    rules: [...TYPE, 'WIRE-FRM-8'],
    what: 'a name no build knows',
    mutate: (p) => withType(p, 'ZzNotAType'),
  },
  {
    element: 'type',
    id: 'lower-case',
    rules: TYPE,
    what: 'the name in lower case',
    mutate: (p) => withType(p, String(p.type).toLowerCase()),
  },
  {
    element: 'type',
    id: 'upper-case',
    rules: TYPE,
    what: 'the name in upper case',
    mutate: (p) => withType(p, String(p.type).toUpperCase()),
  },
  {
    element: 'type',
    id: 'trailing-space',
    rules: TYPE,
    what: 'the name followed by a space',
    mutate: (p) => withType(p, `${String(p.type)} `),
  },
  {
    element: 'type',
    id: 'not-utf8',
    rules: TYPE,
    what: 'bytes that are not UTF-8',
    mutate: (p) => withType(p, new Uint8Array([0xc3, 0x28])),
  },
  {
    element: 'type',
    id: 'server-only',
    rules: ['WIRE-BAD-11', 'WIRE-FRM-8'],
    what: 'a server-only name (LoginResponse)',
    mutate: (p) => withPayload(withType(p, 'LoginResponse'), '{"type":"LoginResponse","success":false}'),
  },
  // separators
  {
    element: 'separator-after-type-length',
    id: 'colon',
    rules: TYPE_LEN,
    what: '":" instead of "|"',
    mutate: (p) => ({ ...p, sep1: ':' }),
  },
  { element: 'separator-after-type', id: 'colon', rules: SEPARATOR, what: '":" instead of "|"', mutate: (p) => ({ ...p, sep2: ':' }) },
  {
    element: 'separator-after-type',
    id: 'missing',
    rules: SEPARATOR,
    what: 'no "|" between type and id',
    mutate: (p) => ({ ...p, sep2: '' }),
  },
  { element: 'separator-after-id', id: 'colon', rules: SEPARATOR, what: '":" instead of "|"', mutate: (p) => ({ ...p, sep3: ':' }) },
  {
    element: 'separator-after-payload-length',
    id: 'colon',
    rules: PAYLOAD_LEN,
    what: '":" instead of "|"',
    mutate: (p) => ({ ...p, sep4: ':' }),
  },
  // id
  { element: 'id', id: 'eleven-digits', rules: ID, what: '11 hex digits', mutate: (p) => ({ ...p, id: p.id.slice(1) }) },
  { element: 'id', id: 'thirteen-digits', rules: ID, what: '13 hex digits', mutate: (p) => ({ ...p, id: `${p.id}a` }) },
  { element: 'id', id: 'empty', rules: ID, what: 'an empty id', mutate: (p) => ({ ...p, id: '' }) },
  { element: 'id', id: 'non-hex', rules: ID, what: 'a "g" among hex digits', mutate: (p) => ({ ...p, id: `g${p.id.slice(1)}` }) },
  {
    element: 'id',
    id: 'upper-case',
    rules: ['WIRE-FRM-4', 'WIRE-ID-2'],
    what: 'upper-case hex (allowed, echoed as sent)',
    mutate: (p) => ({ ...p, id: p.id.toUpperCase() }),
  },
  {
    element: 'id',
    id: 'mixed-case',
    rules: ['WIRE-FRM-4', 'WIRE-ID-2'],
    what: 'mixed-case hex (allowed, echoed as sent)',
    mutate: (p) => ({ ...p, id: 'aBcDeF012345' }),
  },
  {
    element: 'id',
    id: 'all-zeros',
    rules: ['WIRE-FRM-4', 'WIRE-ID-1'],
    what: 'all zeros (allowed)',
    mutate: (p) => ({ ...p, id: '000000000000' }),
  },
  // payload length
  { element: 'payload-length', id: 'empty', rules: PAYLOAD_LEN, what: 'an empty field', mutate: (p) => ({ ...p, payloadLen: '' }) },
  {
    element: 'payload-length',
    id: 'non-digit',
    rules: PAYLOAD_LEN,
    what: 'a letter after the digits',
    mutate: (p) => ({ ...p, payloadLen: `${p.payloadLen}x` }),
  },
  {
    element: 'payload-length',
    id: 'sign',
    rules: PAYLOAD_LEN,
    what: 'a "+" sign',
    mutate: (p) => ({ ...p, payloadLen: `+${p.payloadLen}` }),
  },
  {
    element: 'payload-length',
    id: 'eleven-digits',
    rules: PAYLOAD_LEN,
    what: '11 digits (leading zeros)',
    mutate: (p) => ({ ...p, payloadLen: padLeft(p.payloadLen, 11) }),
  },
  {
    element: 'payload-length',
    id: 'ten-digits',
    rules: ['WIRE-FRM-5'],
    what: '10 digits with leading zeros (allowed)',
    mutate: (p) => ({ ...p, payloadLen: padLeft(p.payloadLen, 10) }),
  },
  {
    element: 'payload-length',
    id: 'over-type-limit',
    rules: ['WIRE-FRM-6', 'WIRE-BAD-7', 'WIRE-LIM-2', 'WIRE-LIM-3'],
    what: 'a declared length above every allowed limit of the type (nothing follows)',
    mutate: (p) => {
      const t = String(p.type) as ClientType;
      return { ...p, payloadLen: String(Math.max(2 * SPEC_LIMITS[t], PADDED_LIMITS[t]) + 1), payload: '', end: '' };
    },
  },
  {
    element: 'payload-length',
    id: 'one-short',
    rules: [...PAYLOAD_LEN, ...END],
    what: 'one less than the payload',
    mutate: (p) => ({ ...p, payloadLen: String(partBytes(p.payload).length - 1) }),
  },
  {
    element: 'payload-length',
    id: 'characters-not-bytes',
    rules: ['WIRE-FRM-5', 'WIRE-FRM-10', ...END],
    what: 'the payload counted in characters where it has a two-byte one',
    mutate: (p) => {
      const payload = String(p.payload).replace(/}$/, ',"x":"é"}');
      return { ...p, payload, payloadLen: String([...payload].length) };
    },
  },
  {
    element: 'payload-length',
    id: 'trailing-whitespace',
    rules: ['WIRE-FRM-5', 'WIRE-JSON-1'],
    what: 'one more, the payload ending in a space (allowed)',
    mutate: (p) => withPayload(p, `${String(p.payload)} `),
  },
  // payload
  { element: 'payload', id: 'empty', rules: [...PAYLOAD, 'WIRE-FRM-5'], what: 'length 0', mutate: (p) => withPayload(p, '') },
  { element: 'payload', id: 'not-json', rules: PAYLOAD, what: 'text that is not JSON', mutate: (p) => withPayload(p, 'type=UserList') },
  { element: 'payload', id: 'array', rules: PAYLOAD, what: 'a JSON array', mutate: (p) => withPayload(p, `[${String(p.payload)}]`) },
  {
    element: 'payload',
    id: 'trailing-garbage',
    rules: PAYLOAD,
    what: 'the object followed by "x"',
    mutate: (p) => withPayload(p, `${String(p.payload)}x`),
  },
  {
    element: 'payload',
    id: 'trailing-comma',
    rules: PAYLOAD,
    what: 'a trailing comma in the object',
    mutate: (p) => withPayload(p, String(p.payload).replace(/}$/, ',}')),
  },
  {
    element: 'payload',
    id: 'not-utf8',
    rules: [...PAYLOAD, 'WIRE-JSON-4'],
    what: 'invalid UTF-8 in a string',
    mutate: (p) =>
      withPayload(p, Buffer.concat([partBytes(String(p.payload).replace(/}$/, ',"x":"')), Buffer.from([0xff]), Buffer.from('"}')])),
  },
  {
    element: 'payload',
    id: 'type-mismatch',
    rules: ['WIRE-JSON-2', 'WIRE-BAD-10'],
    what: 'a "type" member naming another type',
    mutate: (p) => withPayload(p, String(p.payload).replace(/"type":"[A-Za-z]+"/, '"type":"UserBack"')),
  },
  // terminator
  { element: 'terminator', id: 'crlf', rules: END, what: 'CR LF', mutate: (p) => ({ ...p, end: '\r\n' }) },
  { element: 'terminator', id: 'other-byte', rules: END, what: 'the byte "x"', mutate: (p) => ({ ...p, end: 'x' }) },
  {
    element: 'terminator',
    id: 'extra-lf',
    rules: [...END, 'WIRE-BAD-1'],
    what: 'two LFs (a byte between frames)',
    mutate: (p) => ({ ...p, end: '\n\n' }),
  },
];

type Phase = 'new' | 'shaken' | 'auth';
const PHASES: readonly Phase[] = ['new', 'shaken', 'auth'];

/**
 * The request each phase sends when the frame is well formed; it succeeds there. Logins use the
 * run's admin account (one more session of it), so the check needs no account of its own.
 */
function requestFor(phase: Phase, t: CheckContext): { type: ClientType; body: Record<string, unknown> } {
  if (phase === 'new') return { type: 'Handshake', body: { version: serverVersion(t).text } };
  if (phase === 'shaken') return { type: 'Login', body: credentials(t.admin) };
  return { type: 'UserList', body: { all: false } };
}

/** A connection in `phase`: new, handshaken, or logged in as the run's admin. */
async function connectionIn(phase: Phase, t: CheckContext): Promise<Actor> {
  const c = await t.connect(phase === 'new' ? 'new' : 'shaken', phase);
  if (phase === 'auth') await c.login(credentials(t.admin)).expectSuccess();
  return c;
}

function toCheck(c: FrameClass): CheckDef {
  return check({
    id: `${c.element}/${c.id}`,
    title: `Frame ${c.element}: ${c.what}, sent before the Handshake, after it and after Login`,
    rules: [...new Set([...c.rules, 'SES-ERR-1', 'WIRE-SEQ-8'])],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    run: async (_, t) => {
      for (const phase of PHASES) {
        const conn = await connectionIn(phase, t);
        const r = requestFor(phase, t);
        // The runner checks the answer the model predicts (processing or an optional Error + close).
        await conn.sendRaw(encodeParts(c.mutate(partsOf(r.type, r.body))));
        if (conn.connected) await conn.close();
        else await conn.expectClosed();
      }
    },
  });
}

export default section(
  { id: 'generated/frame-grammar', title: 'Frame grammar: every element × every violation class × every connection state (generated)' },
  FRAME_CLASSES.map(toCheck),
);
