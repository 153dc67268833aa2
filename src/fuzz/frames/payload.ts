// Frame-fuzz arbitraries for the payload of an otherwise valid request (wire.md §5, WIRE-JSON-*,
// WIRE-BAD-9..12): invalid UTF-8 of every kind, broken and odd JSON, wrong and missing "type",
// duplicate members, unknown and deeply nested members, huge numbers, escapes. The target's
// reaction is the model's business (the lockstep runner), never decided here.
import fc from 'fast-check';
import { assemble, validParts, type ConnState, type FrameCase } from './cases.ts';
import { base, hexId, one, type FrameEnv, type Request } from './base.ts';

/** Invalid UTF-8 of each kind (WIRE-JSON-4): stray continuation, truncated, overlong, surrogate, > U+10FFFF, never-valid bytes. */
const INVALID_UTF8: Array<{ label: string; b: number[] }> = [
  { label: 'continuation', b: [0x80] },
  { label: 'truncated-2', b: [0xc3] },
  { label: 'truncated-3', b: [0xe2, 0x82] },
  { label: 'overlong-2', b: [0xc0, 0xaf] },
  { label: 'overlong-3', b: [0xe0, 0x80, 0xaf] },
  { label: 'overlong-4', b: [0xf0, 0x80, 0x80, 0xaf] },
  { label: 'surrogate', b: [0xed, 0xa0, 0x80] },
  { label: 'above-10ffff', b: [0xf4, 0x90, 0x80, 0x80] },
  { label: 'ff', b: [0xff] },
  { label: 'fe', b: [0xfe] },
];

function payloadFrame(b: { state: ConnState; req: Request; id: string }, label: string, payload: string | Buffer): FrameCase {
  return one(`payload:${label}`, b.state, assemble(validParts(b.req.type, b.id, payload)));
}

export function payload(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const invalidUtf8 = fc.tuple(base(env), fc.constantFrom(...INVALID_UTF8), fc.boolean()).map(([b, k, inKey]) => {
    // Inside a string value of an extra member (or a member name): only the encoding is wrong.
    const json = JSON.stringify({ type: b.req.type, ...b.req.body });
    const head = Buffer.from(json.slice(0, -1) + (inKey ? ',"k' : ',"x":"a'));
    const tail = Buffer.from(inKey ? '":1}' : '"}');
    return payloadFrame(b, `utf8:${k.label}`, Buffer.concat([head, Buffer.from(k.b), tail]));
  });
  const notJson = fc
    .tuple(
      base(env),
      fc.constantFrom(
        'hello',
        '{',
        '}',
        '{"type":',
        "{'type':'X'}",
        '{"type":"X",}',
        '{"type":"X"} // c',
        '/* c */{}',
        '{"a" 1}',
        'NaN',
        '\u0000',
        ' ',
      ),
    )
    .map(([b, t]) => payloadFrame(b, 'not-json', t));
  const primitive = fc
    .tuple(base(env), fc.constantFrom('null', 'true', 'false', '0', '-1', '1e999', '"str"', '[]', '[{}]'))
    .map(([b, t]) => payloadFrame(b, 'not-an-object', t));
  const array = base(env).map((b) => payloadFrame(b, 'array', JSON.stringify([{ type: b.req.type, ...b.req.body }])));
  const trailing = fc
    .tuple(base(env), fc.constantFrom('x', '{}', ',', ']', '}', '\u0000', ' \t\r\n'))
    .map(([b, t]) =>
      payloadFrame(
        b,
        t.trim() === '' ? 'trailing-whitespace' : 'trailing-garbage',
        JSON.stringify({ type: b.req.type, ...b.req.body }) + t,
      ),
    );
  // Mostly depths that still fit the per-type limits (so the payload is decoded), some far beyond.
  const depthArb = fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 4 },
    { arbitrary: fc.integer({ min: 41, max: 2000 }), weight: 1 },
  );
  const nesting = fc.tuple(base(env), depthArb, fc.boolean()).map(([b, depth, objects]) => {
    const open = objects ? '{"a":'.repeat(depth) : '['.repeat(depth);
    const close = objects ? '}'.repeat(depth) : ']'.repeat(depth);
    const json = JSON.stringify({ type: b.req.type, ...b.req.body });
    return payloadFrame(b, 'nesting', `${json.slice(0, -1)},"deep":${open}1${close}}`);
  });
  const duplicate = base(env).map((b) => {
    const json = JSON.stringify({ type: b.req.type, ...b.req.body });
    return payloadFrame(b, 'duplicate-type', `${json.slice(0, -1)},"type":${JSON.stringify(b.req.type)}}`);
  });
  const duplicateMember = base(env)
    .filter((b) => Object.keys(b.req.body).length > 0)
    .map((b) => {
      const [k, v] = Object.entries(b.req.body)[0]!;
      const json = JSON.stringify({ type: b.req.type, ...b.req.body });
      return payloadFrame(
        b,
        'duplicate-member',
        `${json.slice(0, -1)},${JSON.stringify(k)}:${JSON.stringify(typeof v === 'string' ? v + 'x' : v)}}`,
      );
    });
  const missingType = base(env).map((b) => payloadFrame(b, 'missing-type', JSON.stringify(b.req.body)));
  const otherType = fc
    .tuple(base(env), fc.constantFrom('UserList', 'Handshake', 'userinfo', '', 'ZzNotAType', 1, null, true))
    .filter(([b, t]) => t !== b.req.type)
    .map(([b, t]) => payloadFrame(b, 'mismatched-type', JSON.stringify({ ...b.req.body, type: t })));
  const wrongMember = fc
    .tuple(base(env), fc.constantFrom<unknown>(null, 5, -1, 1.5, true, 'x', [], {}, [1], 1e300))
    .filter(([b]) => Object.keys(b.req.body).length > 0)
    .map(([b, v]) => {
      const k = Object.keys(b.req.body)[0]!;
      return payloadFrame(b, 'wrong-member-type', JSON.stringify({ type: b.req.type, ...b.req.body, [k]: v }));
    });
  // u32 members (ServerInfoUpdate, admin only): values no u32 holds; integral floats are left out
  // (undetermined in `spec`, and accepted they would change the per-IP limit under the run).
  const hugeNumber = fc
    .tuple(
      hexId,
      fc.constantFrom('max_connections_per_ip', 'max_transfers_per_ip'),
      fc.constantFrom('-1', '1.5', '4294967296', '1e400', '99999999999999999999999', '"5"', '-0.5'),
    )
    .map(([id, k, v]) =>
      payloadFrame(
        { state: 'admin', req: { type: 'ServerInfoUpdate', body: {} }, id },
        'huge-number',
        `{"type":"ServerInfoUpdate","${k}":${v}}`,
      ),
    );
  const unknownMember = fc
    .tuple(base(env), fc.constantFrom('', 'Type', 'extra', '\u0000'), fc.jsonValue({ maxDepth: 2 }))
    .map(([b, k, v]) => payloadFrame(b, 'unknown-member', JSON.stringify({ type: b.req.type, ...b.req.body, [k]: v })));
  const escapes = fc.tuple(base(env), fc.constantFrom('\\ud800', '\\udfff', '\\u0000', '\\ud83d\\ude00', '\\uFFFF')).map(([b, e]) => {
    const json = JSON.stringify({ type: b.req.type, ...b.req.body });
    return payloadFrame(b, 'escape', `${json.slice(0, -1)},"x":"${e}"}`);
  });
  return fc.oneof(
    invalidUtf8,
    notJson,
    primitive,
    array,
    trailing,
    { arbitrary: nesting, weight: 2 },
    duplicate,
    duplicateMember,
    missingType,
    otherType,
    wrongMember,
    hugeNumber,
    { arbitrary: unknownMember, weight: 3 },
    escapes,
  );
}
