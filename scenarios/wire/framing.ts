// wire.md §3 frame grammar and §7 malformed input (WIRE-FRM-*, WIRE-BAD-1..8, 13). Every framing
// failure is answered alike: an optional Error E-INVALID-MESSAGE-FORMAT (no command, fresh id),
// then close. The Error is optional, so the checks require only the close; the runner compares
// the Error when one arrives.
import { check, connection, section, user } from '../../src/runner/api.ts';
import { credentials, serverVersion } from '../_lib.ts';
import { RAW_ID, encodeParts, frame, frameWithPayload, rawFrame, withPayload, withType, type PartsChange } from './_frames.ts';

const listener = () => user({ permissions: ['user_list'] });

/** What a case writes: fixed bytes, or a Handshake for the server's version with its parts changed. */
type Probe = string | Uint8Array | PartsChange;

const bytesOf = (probe: Probe, version: string): string | Uint8Array =>
  typeof probe === 'string' || probe instanceof Uint8Array ? probe : rawFrame('Handshake', { version }, probe);

/** A malformed probe on a fresh connection: the connection must close (with an optional Error). */
const malformed = (id: string, title: string, rules: string[], probe: Probe) =>
  check({
    id,
    title,
    rules: [...rules, 'SES-ERR-1'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      await c.sendRaw(bytesOf(probe, serverVersion(t).text));
      await c.expectClosed();
    },
  });

/** A frame that is unusual but valid: the Handshake it carries must succeed. */
const accepted = (id: string, title: string, rules: string[], probe: Probe) =>
  check({
    id,
    title,
    rules,
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      await c.sendRaw(bytesOf(probe, serverVersion(t).text));
      await c.expectConnected();
    },
  });

const MAGIC = ['WIRE-BAD-1', 'WIRE-FRM-1'];
const TYPE_LEN = ['WIRE-BAD-2', 'WIRE-FRM-2'];
const TYPE = ['WIRE-BAD-3', 'WIRE-FRM-3'];
const SEPARATOR = ['WIRE-BAD-4', 'WIRE-FRM-4'];
const PAYLOAD_LEN = ['WIRE-BAD-6', 'WIRE-FRM-5'];
const END = ['WIRE-BAD-8', 'WIRE-FRM-7'];

/** The Handshake without its LF, directly followed by the whole frame again. */
const nextFrameInsteadOfLf: PartsChange = (p) => ({ end: String(encodeParts(p)) });

// A table: one case a line.
// prettier-ignore
export default section({ id: 'wire/framing', title: 'Frame grammar and malformed frames' }, [
  // WIRE-FRM-1 / WIRE-BAD-1: magic
  malformed('magic/http', 'An HTTP request line instead of a frame closes the connection', MAGIC, 'GET / HTTP/1.1\r\nHost: nexus\r\n\r\n'),
  malformed('magic/lower-case', 'Magic "nx|" (wrong case) closes the connection', MAGIC, { magic: 'nx|' }),
  malformed('magic/random-bytes', 'Random binary bytes close the connection', MAGIC, new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x0a])),

  // WIRE-FRM-2 / WIRE-BAD-2: type length
  malformed('type-length/empty', 'An empty type-length field closes the connection', TYPE_LEN, { typeLen: '' }),
  malformed('type-length/non-digit', 'A non-digit in the type length closes the connection', TYPE_LEN, 'NX|9a|Handshake|'),
  malformed('type-length/sign', 'A signed type length ("+9") closes the connection', TYPE_LEN, 'NX|+9|Handshake|'),
  malformed('type-length/zero', 'Type length 0 closes the connection', TYPE_LEN, 'NX|0||'),
  malformed('type-length/four-digits', 'Four digits in the type length ("0009") close the connection even though the value is 9', TYPE_LEN, 'NX|0009|Handshake|'),
  accepted('type-length/leading-zeros', 'Leading zeros in the type length ("009") are accepted', ['WIRE-FRM-2', 'SES-HS-4'], { typeLen: '009' }),

  // WIRE-FRM-3 / WIRE-FRM-8 / WIRE-BAD-3: type
  malformed('type/unknown', 'An unknown type name closes the connection', [...TYPE, 'WIRE-FRM-8'], frameWithPayload('ZzNotAType', '{}')),
  malformed('type/unknown-before-id', 'An unknown type is detected before the id and payload are read (the rest of the frame is never sent)', TYPE, 'NX|10|ZzNotAType|'),
  malformed('type/server-only', 'A server-only type name from the client (LoginResponse, small complete body) closes the connection', ['WIRE-BAD-11', 'WIRE-FRM-8'], rawFrame('LoginResponse', { success: false })),
  malformed('type/wrong-case', 'Type names are case-sensitive: "handshake" closes the connection', TYPE, { type: 'handshake' }),
  malformed('type/not-utf8', 'A type name that is not UTF-8 closes the connection', TYPE, (p) => withPayload(withType(p, new Uint8Array([0xc3, 0x28])), '{}')),

  // WIRE-FRM-4 / WIRE-BAD-4 / WIRE-BAD-5: separators and id
  malformed('separator/after-type', 'A missing "|" after the type closes the connection', SEPARATOR, { sep2: '#' }),
  malformed('separator/short-id', 'An 11-digit id closes the connection', SEPARATOR, { id: RAW_ID.slice(0, 11) }),
  malformed('separator/after-id', 'A 13-character id (no "|" after 12 digits) closes the connection', SEPARATOR, { id: `${RAW_ID}0` }),
  malformed('id/non-hex', 'An id with a non-hex character closes the connection', ['WIRE-BAD-5', 'WIRE-FRM-4'], { id: '0a1b2c3d4e5g' }),

  // WIRE-FRM-5 / WIRE-BAD-6: payload length
  malformed('payload-length/empty', 'An empty payload-length field closes the connection', PAYLOAD_LEN, { payloadLen: '' }),
  malformed('payload-length/non-digit', 'A non-digit in the payload length closes the connection', PAYLOAD_LEN, `NX|9|Handshake|${RAW_ID}|3x|`),
  malformed('payload-length/eleven-digits', 'Eleven digits in the payload length close the connection', PAYLOAD_LEN, (p) => ({ payloadLen: p.payloadLen.padStart(11, '0') })),
  malformed('payload-length/zero', 'Payload length 0 is legal framing but fails JSON decoding: the connection closes', ['WIRE-FRM-5', 'WIRE-BAD-9'], { payloadLen: '0', payload: '' }),
  accepted('payload-length/leading-zeros', 'Leading zeros in the payload length are accepted', ['WIRE-FRM-5', 'SES-HS-4'], (p) => ({ payloadLen: p.payloadLen.padStart(6, '0') })),

  // WIRE-FRM-7 / WIRE-BAD-8: terminator
  malformed('terminator/crlf', 'CRLF after the payload (a \\r where LF belongs) closes the connection', END, { end: '\r\n' }),
  malformed('terminator/missing', 'A frame without LF directly followed by the next frame closes the connection', END, nextFrameInsteadOfLf),
  malformed('terminator/length-short', 'A declared length one byte short of the payload closes the connection', END, (p) => ({ payloadLen: String(Number(p.payloadLen) - 1) })),
  check({
    id: 'between-frames',
    title: 'No bytes may appear between frames: a valid Handshake followed by a stray LF is answered, then the connection closes',
    rules: ['WIRE-FRM-7', 'WIRE-BAD-1', 'SES-HS-4', 'WIRE-SEQ-8'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      await c.sendRaw(Buffer.concat([frame('Handshake', { version: serverVersion(t).text }), Buffer.from('\n')]));
      await c.expectClosed();
    },
  }),

  // --- WIRE-FRM-9: arbitrary splits -------------------------------------------------------------------
  check({
    id: 'split-frame',
    title: 'A frame split across several writes (inside the header and inside the payload) is reassembled',
    rules: ['WIRE-FRM-9', 'SES-HS-4', 'WIRE-SEQ-6'],
    actors: { c: connection('new'), account: user({ login: false }) },
    run: async ({ c, account }, t) => {
      const bytes = frame('Handshake', { version: serverVersion(t).text });
      await c.sendRaw(bytes.subarray(0, 2));
      await c.sendRaw(bytes.subarray(2, 17));
      await c.sendRaw(bytes.subarray(17, bytes.length - 5));
      await c.sendRaw(bytes.subarray(bytes.length - 5));
      // The Handshake took effect: a Login now succeeds.
      await c.login(credentials(account)).expectSuccess();
    },
  }),
  check({
    id: 'split-multibyte',
    title: 'A split inside a multi-byte UTF-8 character of the payload is reassembled (lengths count bytes)',
    rules: ['WIRE-FRM-9', 'WIRE-FRM-10', 'USR-STATUS-2'],
    actors: { u: user(), hears: listener() },
    run: async ({ u }) => {
      const bytes = frame('UserStatus', { status: 'naïve ☕' });
      const cut = bytes.indexOf(Buffer.from('☕')) + 1;
      await u.sendRaw(bytes.subarray(0, cut));
      await u.sendRaw(bytes.subarray(cut));
      await u.expectConnected();
    },
  }),

  // --- WIRE-BAD-13: EOF in the middle of a frame --------------------------------------------------------
  check({
    id: 'eof-mid-frame',
    title: 'EOF in the middle of a frame ends the connection; a session on it is announced with UserDisconnected',
    rules: ['WIRE-BAD-13', 'SES-BC-3', 'BC-2'],
    actors: { u: user(), hears: listener() },
    run: async ({ u, hears }) => {
      await u.sendRaw(frame('UserList', { all: false }).subarray(0, 20));
      await u.close();
      await hears.expectConnected();
    },
  }),
]);
