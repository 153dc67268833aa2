// Frame codec tests: wire.md §3 (WIRE-FRM-*) and §7 (WIRE-BAD-1..8, 13).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, encodeMessage, FrameDecoder } from '../../src/protocol/frame.ts';
import {
  BadIdError,
  BadMagicError,
  BadPayloadLengthError,
  BadSeparatorError,
  BadTerminatorError,
  BadTypeError,
  BadTypeLengthError,
  EofMidFrameError,
  FrameError,
  PayloadTooLargeError,
} from '../../src/protocol/frame-errors.ts';
import { frameLimitFor, SPEC_LIMITS } from '../../src/protocol/limits.ts';
import { isClientType, isServerType, type RawFrame } from '../../src/protocol/types.ts';

const ID = 'a1b2c3d4e5f6';
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Server-side decoder of the reference model: in-scope types known, spec limits. */
function serverDecoder(): FrameDecoder {
  return new FrameDecoder({ isKnownType: (t) => isClientType(t) || isServerType(t), limitFor: frameLimitFor('spec') });
}
function anyTypeDecoder(maxPayload?: number): FrameDecoder {
  return new FrameDecoder({ isKnownType: () => true, limitFor: () => 0, ...(maxPayload === undefined ? {} : { maxPayload }) });
}

/** Pushes byte by byte; returns the frames and the index of the byte whose push produced the error. */
function pushBytewise(d: FrameDecoder, bytes: Uint8Array): { frames: RawFrame[]; error?: FrameError; at?: number } {
  const frames: RawFrame[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const r = d.push(bytes.subarray(i, i + 1));
    frames.push(...r.frames);
    if (r.error) return { frames, error: r.error, at: i };
  }
  return { frames };
}

/** Splits `bytes` at the given cut points (sorted, deduplicated). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''));
const arbId = fc.array(hexChar, { minLength: 12, maxLength: 12 }).map((a) => a.join(''));
const arbType = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 60 })
  .filter((s) => Buffer.byteLength(s, 'utf8') <= 999 && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)); // lone surrogates do not survive UTF-8
const arbPayload = fc.oneof(
  fc.constant(Buffer.from('{"n":"é€😀"}')),
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 100 }).map((s) => b(s)),
);
const arbFrame = fc.record({ type: arbType, id: arbId, payload: arbPayload });

describe('encodeFrame (WIRE-FRM-10)', () => {
  it('produces the exact bytes of the worked example', () => {
    const payload = '{"type":"Handshake","version":"0.5.0"}';
    expect(encodeFrame('Handshake', ID, payload).toString('utf8')).toBe(`NX|9|Handshake|${ID}|38|${payload}\n`);
  });

  it('counts lengths in bytes, not characters', () => {
    const frame = encodeFrame('Login', ID, '{"n":"é€😀"}');
    // é = 2 bytes, € = 3, 😀 = 4: 8 ASCII + 9 = 17 bytes, although the string has 11 UTF-16 units.
    expect(frame.toString('utf8')).toBe(`NX|5|Login|${ID}|17|{"n":"é€😀"}\n`);
  });

  it('encodeMessage serialises the body (with its type member) as the payload', () => {
    const frame = encodeMessage({ type: 'UserList', id: ID, body: { type: 'UserList', all: false } });
    expect(frame.toString()).toBe(`NX|8|UserList|${ID}|31|{"type":"UserList","all":false}\n`);
  });

  it('refuses types and ids the grammar cannot express', () => {
    expect(() => encodeFrame('', ID, '{}')).toThrow(TypeError);
    expect(() => encodeFrame('x'.repeat(1000), ID, '{}')).toThrow(TypeError);
    expect(() => encodeFrame('Login', 'a1b2c3d4e5f', '{}')).toThrow(TypeError);
    expect(() => encodeFrame('Login', 'a1b2c3d4e5fg', '{}')).toThrow(TypeError);
  });
});

describe('FrameDecoder round trip (WIRE-FRM-9, WIRE-FRM-10)', () => {
  it('decodes arbitrary frames under arbitrary chunking', () => {
    fc.assert(
      fc.property(fc.array(arbFrame, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
        const wire = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.id, f.payload)));
        const d = anyTypeDecoder();
        const got: RawFrame[] = [];
        for (const chunk of split(wire, cuts)) {
          const r = d.push(chunk);
          expect(r.error).toBeUndefined();
          got.push(...r.frames);
        }
        expect(d.midFrame).toBe(false);
        expect(d.end()).toBeNull();
        expect(got.map((f) => ({ type: f.type, id: f.id, payload: Buffer.from(f.payload) }))).toEqual(
          frames.map((f) => ({ type: f.type, id: f.id, payload: Buffer.from(f.payload) })),
        );
      }),
    );
  });

  it('decodes byte by byte and many frames in one chunk alike', () => {
    fc.assert(
      fc.property(fc.array(arbFrame, { minLength: 1, maxLength: 4 }), (frames) => {
        const wire = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.id, f.payload)));
        const whole = anyTypeDecoder().push(wire);
        const bytewise = pushBytewise(anyTypeDecoder(), wire);
        expect(whole.error).toBeUndefined();
        expect(bytewise.error).toBeUndefined();
        expect(whole.frames.length).toBe(frames.length);
        expect(bytewise.frames.map((f) => Buffer.from(f.payload))).toEqual(whole.frames.map((f) => Buffer.from(f.payload)));
        expect(whole.frames.map((f) => f.id)).toEqual(frames.map((f) => f.id));
      }),
    );
  });

  it('accepts leading zeros in both lengths and preserves id case (WIRE-FRM-2, WIRE-FRM-5, WIRE-ID-2)', () => {
    const r = serverDecoder().push(b('NX|009|Handshake|A1b2C3d4E5f6|0002|{}\n'));
    expect(r.error).toBeUndefined();
    expect(r.frames).toHaveLength(1);
    expect(r.frames[0]!.type).toBe('Handshake');
    expect(r.frames[0]!.id).toBe('A1b2C3d4E5f6');
    expect(Buffer.from(r.frames[0]!.payload).toString()).toBe('{}');
  });

  it('accepts a zero-length payload at the framing layer (WIRE-FRM-5)', () => {
    const r = serverDecoder().push(b(`NX|8|UserBack|${ID}|0|\n`));
    expect(r.error).toBeUndefined();
    expect(r.frames[0]!.payload.length).toBe(0);
  });

  it('copies payload bytes, so a reused chunk buffer does not alter a frame', () => {
    const chunk = encodeFrame('UserBack', ID, '{"type":"UserBack"}');
    const r = serverDecoder().push(chunk);
    chunk.fill(0x41);
    expect(Buffer.from(r.frames[0]!.payload).toString()).toBe('{"type":"UserBack"}');
  });

  it('tracks midFrame from the first byte to the LF (WIRE-TMO-2)', () => {
    const d = serverDecoder();
    const wire = encodeFrame('UserBack', ID, '{"type":"UserBack"}');
    expect(d.midFrame).toBe(false);
    for (let i = 0; i < wire.length - 1; i++) {
      d.push(wire.subarray(i, i + 1));
      expect(d.midFrame).toBe(true);
    }
    expect(d.push(wire.subarray(wire.length - 1)).frames).toHaveLength(1);
    expect(d.midFrame).toBe(false);
  });
});

/** Asserts that `wire`, pushed byte by byte, fails with `cls` exactly at byte `at`. */
function expectFailAt(
  wire: string | Buffer,
  cls: new (d: string) => FrameError,
  rule: string,
  at: number,
  d = serverDecoder(),
): FrameError {
  const bytes = typeof wire === 'string' ? b(wire) : wire;
  const r = pushBytewise(d, bytes);
  expect(r.error).toBeInstanceOf(cls);
  expect(r.error!.info.rule).toBe(rule);
  expect(r.at).toBe(at);
  // A failed decoder keeps failing with the same error and yields nothing more.
  const again = d.push(encodeFrame('UserBack', ID, '{}'));
  expect(again.frames).toEqual([]);
  expect(again.error).toBe(r.error);
  return r.error!;
}

describe('malformed frames (wire.md §7), detected at the earliest byte', () => {
  it('WIRE-BAD-1: wrong magic fails on the first wrong byte', () => {
    expectFailAt('GET / HTTP/1.1\r\n', BadMagicError, 'WIRE-BAD-1', 0);
    expectFailAt('NY|9|Handshake', BadMagicError, 'WIRE-BAD-1', 1);
    expectFailAt('NX:9|Handshake', BadMagicError, 'WIRE-BAD-1', 2);
    expectFailAt('nx|9|Handshake', BadMagicError, 'WIRE-BAD-1', 0);
  });

  it('WIRE-BAD-2: type length empty, non-digit, 0, 4 digits', () => {
    expectFailAt('NX||Handshake', BadTypeLengthError, 'WIRE-BAD-2', 3);
    expectFailAt('NX|+9|Handshake', BadTypeLengthError, 'WIRE-BAD-2', 3);
    expectFailAt('NX| 9|Handshake', BadTypeLengthError, 'WIRE-BAD-2', 3);
    expectFailAt('NX|9a|Handshake', BadTypeLengthError, 'WIRE-BAD-2', 4);
    expectFailAt('NX|0|', BadTypeLengthError, 'WIRE-BAD-2', 4);
    expectFailAt('NX|000|', BadTypeLengthError, 'WIRE-BAD-2', 6);
    // The 4th digit fails at once (WIRE-FRM-2 "too many digits"), even 0009.
    expectFailAt('NX|0009|Handshake', BadTypeLengthError, 'WIRE-BAD-2', 6);
    expectFailAt('NX|1000|', BadTypeLengthError, 'WIRE-BAD-2', 6);
  });

  it('WIRE-BAD-3: unknown, wrong-case or non-UTF-8 type fails before id and payload are sent', () => {
    expectFailAt('NX|10|ZzNotAType', BadTypeError, 'WIRE-BAD-3', 15);
    expectFailAt('NX|9|handshake', BadTypeError, 'WIRE-BAD-3', 13);
    expectFailAt(Buffer.concat([b('NX|2|'), Buffer.from([0xc3, 0x28])]), BadTypeError, 'WIRE-BAD-3', 6, anyTypeDecoder());
    // A UTF-8 BOM is part of the name, not stripped: "\ufeffHandshake" is unknown.
    expectFailAt(Buffer.concat([b('NX|12|'), Buffer.from([0xef, 0xbb, 0xbf]), b('Handshake')]), BadTypeError, 'WIRE-BAD-3', 17);
    // A known type is not rejected: the decoder waits for the separator.
    const d = serverDecoder();
    expect(d.push(b('NX|9|Handshake')).error).toBeUndefined();
    expect(d.midFrame).toBe(true);
  });

  it('WIRE-BAD-4: missing separator after type or id, id not 12 bytes', () => {
    expectFailAt(`NX|9|Handshake${ID}|2|{}\n`, BadSeparatorError, 'WIRE-BAD-4', 14);
    expectFailAt(`NX|9|Handshake|${ID}2|{}\n`, BadSeparatorError, 'WIRE-BAD-4', 27);
    expectFailAt('NX|9|Handshake|a1b2c3d4e5f|2|{}\n', BadSeparatorError, 'WIRE-BAD-4', 26);
    expectFailAt('NX|9|Handshake||2|{}\n', BadSeparatorError, 'WIRE-BAD-4', 15);
  });

  it('WIRE-BAD-5: non-hex byte in the id', () => {
    expectFailAt('NX|9|Handshake|a1b2c3d4e5fg|2|{}\n', BadIdError, 'WIRE-BAD-5', 26);
    expectFailAt('NX|9|Handshake| 1b2c3d4e5f6|2|{}\n', BadIdError, 'WIRE-BAD-5', 15);
  });

  it('WIRE-BAD-6: payload length empty, non-digit, 11 digits', () => {
    const head = `NX|9|Handshake|${ID}|`; // 28 bytes
    expectFailAt(`${head}|{}\n`, BadPayloadLengthError, 'WIRE-BAD-6', 28);
    expectFailAt(`${head}-2|{}\n`, BadPayloadLengthError, 'WIRE-BAD-6', 28);
    expectFailAt(`${head}2 |{}\n`, BadPayloadLengthError, 'WIRE-BAD-6', 29);
    // The 11th digit fails at once, even with leading zeros.
    expectFailAt(`${head}00000000002|{}\n`, BadPayloadLengthError, 'WIRE-BAD-6', 38, anyTypeDecoder());
  });

  it('WIRE-BAD-7: over the per-type limit right after the length field, before any body byte', () => {
    const head = `NX|9|Handshake|${ID}|`;
    const over = String(SPEC_LIMITS.Handshake + 1);
    const err = expectFailAt(`${head}${over}|`, PayloadTooLargeError, 'WIRE-BAD-7', head.length + over.length);
    expect(err.info.class).toBe('payload-too-large');
    // Exactly at the limit: accepted, the decoder waits for the body.
    const d = serverDecoder();
    expect(d.push(b(`${head}${SPEC_LIMITS.Handshake}|`)).error).toBeUndefined();
    expect(d.midFrame).toBe(true);
    // A list response (limit 0 = none, WIRE-FRM-6) takes a huge declared length.
    const client = new FrameDecoder({ isKnownType: isServerType, limitFor: () => 0 });
    expect(client.push(b(`NX|16|UserListResponse|${ID}|9999999999|`)).error).toBeUndefined();
  });

  it('WIRE-BAD-7: a decoder maximum below the global ceiling also rejects before the body', () => {
    expectFailAt(`NX|1|X|${ID}|1001|`, PayloadTooLargeError, 'WIRE-BAD-7', 24, anyTypeDecoder(1000));
    expect(anyTypeDecoder(1000).push(encodeFrame('X', ID, 'x'.repeat(1000))).frames).toHaveLength(1);
  });

  it('WIRE-BAD-8: byte after the payload is not LF (CRLF included)', () => {
    const frame = `NX|8|UserBack|${ID}|2|{}`;
    const e1 = expectFailAt(`${frame}\r\n`, BadTerminatorError, 'WIRE-BAD-8', frame.length);
    expect(e1.info.detail).toMatch(/CR/);
    expectFailAt(`${frame}}\n`, BadTerminatorError, 'WIRE-BAD-8', frame.length);
    // No bytes between frames: a stray LF where the next magic is due is a magic error (WIRE-FRM-7).
    expectFailAt(`${frame}\n\n`, BadMagicError, 'WIRE-BAD-1', frame.length + 1);
  });

  it('WIRE-BAD-13: EOF in the middle of a frame; WIRE-BAD-14: clean EOF', () => {
    const wire = encodeFrame('UserBack', ID, '{"type":"UserBack"}');
    for (const cut of [1, 3, 10, wire.length - 1]) {
      const d = serverDecoder();
      expect(d.push(wire.subarray(0, cut)).error).toBeUndefined();
      const e = d.end();
      expect(e).toBeInstanceOf(EofMidFrameError);
      expect(e!.info.rule).toBe('WIRE-BAD-13');
    }
    const clean = serverDecoder();
    expect(clean.push(Buffer.concat([wire, wire])).frames).toHaveLength(2);
    expect(clean.end()).toBeNull();
  });

  it('returns frames completed before the error in the same chunk', () => {
    const good = encodeFrame('UserBack', ID, '{"type":"UserBack"}');
    const r = serverDecoder().push(Buffer.concat([good, good, b('NX|10|ZzNotAType|')]));
    expect(r.frames).toHaveLength(2);
    expect(r.error).toBeInstanceOf(BadTypeError);
  });
});

describe('clone (decoder-level alternatives, UND-11, WIRE-BAD-15)', () => {
  it('continues from the same position, independently, optionally with other rules', () => {
    const bytes = encodeFrame('UserKick', ID, JSON.stringify({ type: 'UserKick', nickname: 'n'.repeat(33) })); // 66 bytes
    const strict = new FrameDecoder({ isKnownType: isClientType, limitFor: () => 65 });
    expect(strict.push(bytes.subarray(0, 28)).error).toBeUndefined(); // up to the middle of the length field
    const copy = strict.clone();
    const relaxed = strict.clone({ limitFor: () => 78 });
    expect(strict.push(bytes.subarray(28)).error?.info.rule).toBe('WIRE-BAD-7');
    expect(copy.push(bytes.subarray(28)).error?.info.rule).toBe('WIRE-BAD-7');
    expect(relaxed.push(bytes.subarray(28)).frames).toHaveLength(1);
    // Mid-payload copies keep the bytes read so far.
    const d = anyTypeDecoder();
    d.push(bytes.subarray(0, 50));
    const c = d.clone();
    expect(d.push(bytes.subarray(50)).frames[0]!.payload).toEqual(c.push(bytes.subarray(50)).frames[0]!.payload);
    const known = new FrameDecoder({ isKnownType: isClientType, limitFor: () => 0 }).clone({ isKnownType: () => true });
    expect(known.push(encodeFrame('FileStart', ID, '{}')).frames).toHaveLength(1);
  });
});

describe('robustness', () => {
  it('arbitrary bytes never throw: they yield frames or a FrameError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const d = serverDecoder();
        for (const c of chunks) {
          const r = d.push(c);
          expect(Array.isArray(r.frames)).toBe(true);
          if (r.error) expect(r.error).toBeInstanceOf(FrameError);
        }
        const e = d.end();
        if (e !== null) expect(e).toBeInstanceOf(FrameError);
      }),
    );
  });

  it('single-byte mutations of valid frames never throw; an error comes with no frame', () => {
    fc.assert(
      fc.property(arbFrame, fc.nat(), fc.integer({ min: 0, max: 255 }), (f, pos, byte) => {
        const wire = Buffer.from(encodeFrame(f.type, f.id, f.payload));
        wire[pos % wire.length] = byte;
        const d = anyTypeDecoder();
        const r = d.push(wire);
        // Chunking never changes the verdict (WIRE-FRM-9).
        expect(pushBytewise(anyTypeDecoder(), wire).error?.info.class).toBe(r.error?.info.class);
        if (r.error) {
          expect(r.error).toBeInstanceOf(FrameError);
          expect(r.frames.length).toBe(0);
        } else {
          // Either still a full frame, or a length grew and the decoder waits for more bytes.
          expect(r.frames.length + (d.midFrame ? 1 : 0)).toBeGreaterThanOrEqual(1);
        }
      }),
    );
  });
});
