// fast-check arbitraries for every element of the frame grammar (wire.md §3–§7; the payload's are
// in payload.ts): each bends one element of an otherwise valid request (base.ts: magic, type
// length, type, id, payload length against the per-type limits, terminator, payload bytes and
// JSON) or delivers valid frames in hostile ways (byte by byte, split, several in one write, a drip
// of small writes). What the
// target must do with the bytes is the model's business (the lockstep runner), never decided here.
import fc from 'fast-check';
import { clientLimit, overLimitProbeLength } from '../../protocol/limits.ts';
import { CLIENT_TYPES, SERVER_TYPES } from '../../protocol/types.ts';
import { assemble, CONN_STATES, requestFrame, splitAt, validParts, type ConnState, type FrameCase, type FrameParts } from './cases.ts';
import { base, BROADCASTING, hexId, one, partsOf, requestsFor, type FrameEnv, type Request } from './base.ts';
import { payload } from './payload.ts';

// --- §3 frame grammar -------------------------------------------------------------------------------

/** WIRE-FRM-1 / WIRE-BAD-1: any first three bytes but `NX|`. */
function magic(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const bad = fc.oneof(
    fc.constantFrom('nx|', 'NX:', 'NX', 'NXX|', 'GET / HTTP/1.1\r\n', 'X|', ' NX|', '\u0000\u0000\u0000'),
    fc
      .uint8Array({ minLength: 1, maxLength: 4 })
      .map((b) => Buffer.from(b))
      .filter((b) => !b.subarray(0, 3).equals(Buffer.from('NX|'))),
  );
  return fc.tuple(base(env), bad).map(([b, m]) => one('magic', b.state, assemble({ ...partsOf(b.req, b.id), magic: m })));
}

/** WIRE-FRM-2 / WIRE-BAD-2: leading zeros (valid), signs, spaces, empty, 0, > 999, four digits, overflow, off by one. */
function typeLength(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const how = fc.constantFrom('zeros', 'plus', 'minus', 'space', 'empty', 'zero', 'over', 'four', 'overflow', 'shorter', 'longer', 'hex');
  return fc.tuple(base(env), how).map(([b, h]) => {
    const p = partsOf(b.req, b.id);
    const n = Number(p.typeLength);
    const typeLength = {
      zeros: n < 10 ? `00${n}` : `0${n}`,
      plus: `+${n}`,
      minus: `-${n}`,
      space: ` ${n}`,
      empty: '',
      zero: '0',
      over: '1000',
      four: String(n).padStart(4, '0'),
      overflow: '99999999999999999999',
      shorter: String(n - 1),
      longer: String(n + 1),
      hex: n.toString(16).toUpperCase() + 'A',
    }[h];
    return one(`type-length:${h}`, b.state, assemble({ ...p, typeLength }));
  });
}

/** WIRE-FRM-3 / WIRE-FRM-8 / WIRE-BAD-3 / WIRE-BAD-11: unknown, wrong case, server-only, over-long, not UTF-8. */
function typeName(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const name = fc.oneof(
    fc.constant({ label: 'unknown', type: Buffer.from('ZzNotAType') }),
    fc
      .constantFrom(...CLIENT_TYPES)
      .chain((t) =>
        fc.constantFrom(
          { label: 'lower-case', type: Buffer.from(t.toLowerCase()) },
          { label: 'upper-case', type: Buffer.from(t.toUpperCase()) },
        ),
      ),
    fc.constantFrom(...SERVER_TYPES).map((t) => ({ label: 'server-only', type: Buffer.from(t) })),
    fc.integer({ min: 33, max: 999 }).map((n) => ({ label: 'over-long', type: Buffer.alloc(n, 0x41) })),
    fc
      .constantFrom([0xff, 0xfe], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80])
      .map((b) => ({ label: 'not-utf8', type: Buffer.concat([Buffer.from('User'), Buffer.from(b)]) })),
    fc.constant({ label: 'bom', type: Buffer.from('\ufeffHandshake') }),
  );
  return fc.tuple(base(env), name).map(([b, n]) => {
    // A small, complete body naming the same type: a server may reject at the type field or at
    // decoding, both answer at once (WIRE-BAD-11).
    const payload = JSON.stringify({ type: n.type.toString('utf8') });
    const parts: FrameParts = { ...validParts('X', b.id, payload), type: n.type, typeLength: String(n.type.length) };
    return one(`type:${n.label}`, b.state, assemble(parts));
  });
}

/** WIRE-FRM-4 / WIRE-BAD-4 / WIRE-BAD-5: id length, case (valid), non-hex bytes, missing separators. */
function messageId(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const how = fc.oneof(
    fc.constant({ label: 'upper-case', edit: (id: string) => id.toUpperCase() }),
    fc.constant({ label: 'mixed-case', edit: (id: string) => id.replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)) }),
    fc.integer({ min: 0, max: 11 }).map((n) => ({ label: 'short', edit: (id: string) => id.slice(0, n) })),
    fc.integer({ min: 13, max: 20 }).map((n) => ({ label: 'long', edit: (id: string) => id.padEnd(n, 'a') })),
    fc
      .tuple(fc.integer({ min: 0, max: 11 }), fc.constantFrom('g', 'G', 'x', ' ', '-', '|', 'é', '\u0000'))
      .map(([i, c]) => ({ label: 'non-hex', edit: (id: string) => id.slice(0, i) + c + id.slice(i + 1) })),
  );
  return fc.tuple(base(env), how).map(([b, h]) => one(`id:${h.label}`, b.state, assemble({ ...partsOf(b.req, b.id), id: h.edit(b.id) })));
}

/** WIRE-FRM-5 / WIRE-BAD-6: payload-length digits (leading zeros valid, signs, empty, 11 digits, over the ceiling). */
function payloadLengthDigits(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const how = fc.constantFrom('zeros', 'plus', 'minus', 'space', 'empty', 'eleven', 'ceiling', 'hex', 'float');
  return fc.tuple(base(env), how).map(([b, h]) => {
    const p = partsOf(b.req, b.id);
    const n = p.payloadLength;
    const payloadLength = {
      zeros: `000${n}`,
      plus: `+${n}`,
      minus: `-${n}`,
      space: `${n} `,
      empty: '',
      eleven: `0${'9'.repeat(10)}`,
      ceiling: '9999999999',
      hex: `0x${Number(n).toString(16)}`,
      float: `${n}.0`,
    }[h];
    return one(`payload-length:${h}`, b.state, assemble({ ...p, payloadLength }));
  });
}

/** Types whose limit is small enough to send a payload of exactly that size many times a second. */
function smallLimitTypes(env: FrameEnv, state: ConnState): Request[] {
  return requestsFor(state, env).filter((r) => clientLimit(r.type, env.profile) <= 4096);
}

/**
 * WIRE-FRM-6 / WIRE-LIM-1..4 / WIRE-BAD-7: a valid payload padded with JSON whitespace to exactly
 * the per-type limit and a little over it (undetermined between limits: the runner accepts every
 * allowed outcome), a declared length far over every limit with only part of the body sent, and a
 * declared length beyond the bytes sent (the target waits for the rest).
 */
function payloadLength(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const padded = base(env)
    .filter((b) => smallLimitTypes(env, b.state).some((r) => r.type === b.req.type))
    .chain((b) => fc.record({ b: fc.constant(b), delta: fc.integer({ min: -2, max: 3 }) }))
    .map(({ b, delta }) => {
      const json = JSON.stringify({ type: b.req.type, ...b.req.body });
      const size = clientLimit(b.req.type, env.profile) + delta;
      const payload = json.slice(0, -1) + ' '.repeat(Math.max(0, size - json.length)) + '}';
      return one(`payload-length:limit${delta >= 0 ? '+' : ''}${delta}`, b.state, assemble(validParts(b.req.type, b.id, payload)));
    });
  const far = fc.tuple(base(env), fc.integer({ min: 0, max: 64 })).map(([b, sent]) => {
    const p = partsOf(b.req, b.id);
    const declared = overLimitProbeLength(b.req.type) + sent;
    const body = Buffer.from(String(p.payload)).subarray(0, sent);
    return one('payload-length:over-limit', b.state, assemble({ ...p, payloadLength: String(declared), payload: body, terminator: '' }));
  });
  const truncated = fc.tuple(base(env), fc.integer({ min: 1, max: 8 })).map(([b, extra]) => {
    const p = partsOf(b.req, b.id);
    return one(
      'payload-length:beyond-bytes-sent',
      b.state,
      assemble({ ...p, payloadLength: String(Number(p.payloadLength) + extra), terminator: '' }),
    );
  });
  const short = fc.tuple(base(env), fc.integer({ min: 1, max: 4 })).map(([b, less]) => {
    const p = partsOf(b.req, b.id);
    return one(
      'payload-length:shorter-than-payload',
      b.state,
      assemble({ ...p, payloadLength: String(Math.max(0, Number(p.payloadLength) - less)) }),
    );
  });
  const zero = base(env).map((b) =>
    one('payload-length:zero', b.state, assemble({ ...partsOf(b.req, b.id), payloadLength: '0', payload: '' })),
  );
  return fc.oneof(padded, far, truncated, short, zero);
}

/** WIRE-FRM-7 / WIRE-BAD-8 / WIRE-BAD-13: missing, CRLF, another byte, extra bytes after the frame. */
function terminator(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const how = fc.constantFrom(
    { label: 'crlf', t: '\r\n' },
    { label: 'cr', t: '\r' },
    { label: 'space', t: ' ' },
    { label: 'nul', t: '\u0000' },
    { label: 'double-lf', t: '\n\n' },
    { label: 'trailing-garbage', t: '\nX' },
    { label: 'trailing-space', t: '\n ' },
    { label: 'missing-then-frame', t: 'NX|' },
    { label: 'missing', t: '' },
  );
  return fc
    .tuple(base(env), how)
    .map(([b, h]) => one(`terminator:${h.label}`, b.state, assemble({ ...partsOf(b.req, b.id), terminator: h.t })));
}

// --- hostile delivery of valid frames (WIRE-FRM-9, WIRE-SEQ-8) -------------------------------------

function delivery(env: FrameEnv): fc.Arbitrary<FrameCase> {
  const frameOf = (b: { req: Request; id: string }) => requestFrame(b.req.type, b.id, b.req.body);
  const byteByByte = base(env).map((b) => {
    const f = frameOf(b);
    return { element: 'delivery:byte-by-byte', state: b.state, writes: splitAt(f, [...f.keys()]) };
  });
  const split = fc.tuple(base(env), fc.array(fc.nat(), { minLength: 1, maxLength: 4 })).map(([b, cuts]) => {
    const f = frameOf(b);
    return {
      element: 'delivery:split',
      state: b.state,
      writes: splitAt(
        f,
        cuts.map((c) => 1 + (c % (f.length - 1))),
      ),
    };
  });
  const drip = fc.tuple(base(env), fc.integer({ min: 2, max: 9 })).map(([b, size]) => {
    const f = frameOf(b);
    const cuts: number[] = [];
    for (let i = size; i < f.length; i += size) cuts.push(i);
    return { element: 'delivery:drip', state: b.state, writes: splitAt(f, cuts) };
  });
  // Several frames in one write; on a logged-in connection every one is answered in order. Only
  // requests without broadcasts are pipelined: identical optional broadcasts of pipelined no-op
  // requests (USR-BACK-2) are not told apart by the runner yet (see the README's fuzz section).
  const quiet = (state: ConnState): Request[] => requestsFor(state, env).filter((r) => !BROADCASTING.has(r.type));
  const batched = fc
    .constantFrom(...CONN_STATES)
    .chain((state) =>
      fc.tuple(fc.constant(state), fc.array(fc.tuple(fc.constantFrom(...quiet(state)), hexId), { minLength: 2, maxLength: 5 })),
    )
    .map(([state, reqs]) => ({
      element: 'delivery:batched',
      state,
      writes: [Buffer.concat(reqs.map(([r, id]) => requestFrame(r.type, id, r.body)))],
    }));
  // A valid frame and then a malformed one in the same write: the first is answered, then the error.
  const validThenBad = fc.tuple(base(env), fc.constantFrom('NX|', 'nx|', 'GARBAGE\n')).map(([b, tail]) => ({
    element: 'delivery:valid-then-garbage',
    state: b.state,
    writes: [Buffer.concat([frameOf(b), Buffer.from(tail)])],
  }));
  return fc.oneof(byteByByte, split, drip, batched, validThenBad);
}

/** Every element, weighted so the cheap single-write cases dominate and every element comes up often. */
export function frameCase(env: FrameEnv): fc.Arbitrary<FrameCase> {
  return fc.oneof(
    { arbitrary: magic(env), weight: 2 },
    { arbitrary: typeLength(env), weight: 2 },
    { arbitrary: typeName(env), weight: 2 },
    { arbitrary: messageId(env), weight: 2 },
    { arbitrary: payloadLengthDigits(env), weight: 2 },
    { arbitrary: payloadLength(env), weight: 2 },
    { arbitrary: terminator(env), weight: 2 },
    { arbitrary: payload(env), weight: 5 },
    { arbitrary: delivery(env), weight: 3 },
  );
}

export type { FrameEnv } from './base.ts';
