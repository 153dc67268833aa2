// wire.md §3 frame grammar and §7 malformed input (WIRE-FRM-*, WIRE-BAD-1..8, 13). Every framing
// failure is answered alike: an optional Error E-INVALID-MESSAGE-FORMAT (no command, fresh id),
// then close. The Error is optional, so the checks require only the close; the runner compares
// the Error when one arrives.
import { check, connection, section, user } from '../../src/runner/api.ts';
import { RAW_ID, credentials, frame, serverVersion } from '../_lib.ts';

const listener = () => user({ permissions: ['user_list'] });

/** A valid Handshake frame's payload for the server's own version. */
const hsPayload = (version: string): string => JSON.stringify({ type: 'Handshake', version });
const len = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A malformed probe on a fresh connection: the connection must close (with an optional Error). */
const malformed = (id: string, title: string, rules: string[], bytes: (version: string) => string | Uint8Array) =>
  check({
    id,
    title,
    rules: [...rules, 'SES-ERR-1'],
    errors: ['E-INVALID-MESSAGE-FORMAT'],
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      await c.sendRaw(bytes(serverVersion(t).text));
      await c.expectClosed();
    },
  });

/** A frame that is unusual but valid: the Handshake it carries must succeed. */
const accepted = (id: string, title: string, rules: string[], bytes: (version: string) => string | Uint8Array) =>
  check({
    id,
    title,
    rules,
    actors: { c: connection('new') },
    run: async ({ c }, t) => {
      await c.sendRaw(bytes(serverVersion(t).text));
      await c.expectConnected();
    },
  });

export default section({ id: 'wire/framing', title: 'Frame grammar and malformed frames' }, [
  // --- WIRE-FRM-1 / WIRE-BAD-1: magic ---------------------------------------------------------------
  malformed(
    'magic/http',
    'An HTTP request line instead of a frame closes the connection',
    ['WIRE-BAD-1', 'WIRE-FRM-1'],
    () => 'GET / HTTP/1.1\r\nHost: nexus\r\n\r\n',
  ),
  malformed(
    'magic/lower-case',
    'Magic "nx|" (wrong case) closes the connection',
    ['WIRE-BAD-1', 'WIRE-FRM-1'],
    (v) => `nx|9|Handshake|${RAW_ID}|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),
  malformed(
    'magic/random-bytes',
    'Random binary bytes close the connection',
    ['WIRE-BAD-1', 'WIRE-FRM-1'],
    () => new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x0a]),
  ),

  // --- WIRE-FRM-2 / WIRE-BAD-2: type length --------------------------------------------------------
  malformed(
    'type-length/empty',
    'An empty type-length field closes the connection',
    ['WIRE-BAD-2', 'WIRE-FRM-2'],
    (v) => `NX||Handshake|${RAW_ID}|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),
  malformed(
    'type-length/non-digit',
    'A non-digit in the type length closes the connection',
    ['WIRE-BAD-2', 'WIRE-FRM-2'],
    () => 'NX|9a|Handshake|',
  ),
  malformed(
    'type-length/sign',
    'A signed type length ("+9") closes the connection',
    ['WIRE-BAD-2', 'WIRE-FRM-2'],
    () => 'NX|+9|Handshake|',
  ),
  malformed('type-length/zero', 'Type length 0 closes the connection', ['WIRE-BAD-2', 'WIRE-FRM-2'], () => 'NX|0||'),
  malformed(
    'type-length/four-digits',
    'Four digits in the type length ("0009") close the connection even though the value is 9',
    ['WIRE-BAD-2', 'WIRE-FRM-2'],
    () => 'NX|0009|Handshake|',
  ),
  accepted(
    'type-length/leading-zeros',
    'Leading zeros in the type length ("009") are accepted',
    ['WIRE-FRM-2', 'SES-HS-4'],
    (v) => `NX|009|Handshake|${RAW_ID}|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),

  // --- WIRE-FRM-3 / WIRE-FRM-8 / WIRE-BAD-3: type -----------------------------------------------------
  malformed(
    'type/unknown',
    'An unknown type name closes the connection',
    ['WIRE-BAD-3', 'WIRE-FRM-3', 'WIRE-FRM-8'],
    () => `NX|10|ZzNotAType|${RAW_ID}|2|{}\n`,
  ),
  malformed(
    'type/unknown-before-id',
    'An unknown type is detected before the id and payload are read (the rest of the frame is never sent)',
    ['WIRE-BAD-3', 'WIRE-FRM-3'],
    () => 'NX|10|ZzNotAType|',
  ),
  malformed(
    'type/server-only',
    'A server-only type name from the client (LoginResponse, small complete body) closes the connection',
    ['WIRE-BAD-11', 'WIRE-FRM-8'],
    () => `NX|13|LoginResponse|${RAW_ID}|40|{"type":"LoginResponse","success":false}\n`,
  ),
  malformed(
    'type/wrong-case',
    'Type names are case-sensitive: "handshake" closes the connection',
    ['WIRE-BAD-3', 'WIRE-FRM-3'],
    (v) => `NX|9|handshake|${RAW_ID}|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),
  malformed('type/not-utf8', 'A type name that is not UTF-8 closes the connection', ['WIRE-BAD-3', 'WIRE-FRM-3'], () =>
    Buffer.concat([Buffer.from('NX|2|'), Buffer.from([0xc3, 0x28]), Buffer.from(`|${RAW_ID}|2|{}\n`)]),
  ),

  // --- WIRE-FRM-4 / WIRE-BAD-4 / WIRE-BAD-5: separators and id ------------------------------------------
  malformed(
    'separator/after-type',
    'A missing "|" after the type closes the connection',
    ['WIRE-BAD-4', 'WIRE-FRM-4'],
    (v) => `NX|9|Handshake#${RAW_ID}|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),
  malformed(
    'separator/short-id',
    'An 11-digit id closes the connection',
    ['WIRE-BAD-4', 'WIRE-FRM-4'],
    (v) => `NX|9|Handshake|${RAW_ID.slice(0, 11)}|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),
  malformed(
    'separator/after-id',
    'A 13-character id (no "|" after 12 digits) closes the connection',
    ['WIRE-BAD-4', 'WIRE-FRM-4'],
    (v) => `NX|9|Handshake|${RAW_ID}0|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),
  malformed(
    'id/non-hex',
    'An id with a non-hex character closes the connection',
    ['WIRE-BAD-5', 'WIRE-FRM-4'],
    (v) => `NX|9|Handshake|0a1b2c3d4e5g|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),

  // --- WIRE-FRM-5 / WIRE-BAD-6: payload length -----------------------------------------------------------
  malformed(
    'payload-length/empty',
    'An empty payload-length field closes the connection',
    ['WIRE-BAD-6', 'WIRE-FRM-5'],
    (v) => `NX|9|Handshake|${RAW_ID}||${hsPayload(v)}\n`,
  ),
  malformed(
    'payload-length/non-digit',
    'A non-digit in the payload length closes the connection',
    ['WIRE-BAD-6', 'WIRE-FRM-5'],
    () => `NX|9|Handshake|${RAW_ID}|3x|`,
  ),
  malformed(
    'payload-length/eleven-digits',
    'Eleven digits in the payload length close the connection',
    ['WIRE-BAD-6', 'WIRE-FRM-5'],
    (v) => `NX|9|Handshake|${RAW_ID}|${String(len(hsPayload(v))).padStart(11, '0')}|${hsPayload(v)}\n`,
  ),
  malformed(
    'payload-length/zero',
    'Payload length 0 is legal framing but fails JSON decoding: the connection closes',
    ['WIRE-FRM-5', 'WIRE-BAD-9'],
    () => `NX|9|Handshake|${RAW_ID}|0|\n`,
  ),
  accepted(
    'payload-length/leading-zeros',
    'Leading zeros in the payload length are accepted',
    ['WIRE-FRM-5', 'SES-HS-4'],
    (v) => `NX|9|Handshake|${RAW_ID}|${String(len(hsPayload(v))).padStart(6, '0')}|${hsPayload(v)}\n`,
  ),

  // --- WIRE-FRM-7 / WIRE-BAD-8: terminator ----------------------------------------------------------------
  malformed(
    'terminator/crlf',
    'CRLF after the payload (a \\r where LF belongs) closes the connection',
    ['WIRE-BAD-8', 'WIRE-FRM-7'],
    (v) => `NX|9|Handshake|${RAW_ID}|${len(hsPayload(v))}|${hsPayload(v)}\r\n`,
  ),
  malformed(
    'terminator/missing',
    'A frame without LF directly followed by the next frame closes the connection',
    ['WIRE-BAD-8', 'WIRE-FRM-7'],
    (v) => `NX|9|Handshake|${RAW_ID}|${len(hsPayload(v))}|${hsPayload(v)}NX|9|Handshake|${RAW_ID}|${len(hsPayload(v))}|${hsPayload(v)}\n`,
  ),
  malformed(
    'terminator/length-short',
    'A declared length one byte short of the payload closes the connection',
    ['WIRE-BAD-8', 'WIRE-FRM-7'],
    (v) => `NX|9|Handshake|${RAW_ID}|${len(hsPayload(v)) - 1}|${hsPayload(v)}\n`,
  ),
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
