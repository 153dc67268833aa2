// Frame codec (wire.md §3, §7). Encoder builds exact frames; FrameDecoder is an incremental,
// byte-driven state machine that reassembles frames from arbitrary chunks (WIRE-FRM-9) and fails
// as early as the bytes allow, with bounded memory (never buffers more than the declared frame).
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
} from './frame-errors.ts';
import { GLOBAL_PAYLOAD_CEILING } from './limits.ts';
import type { Message, RawFrame } from './types.ts';

export { GLOBAL_PAYLOAD_CEILING };

const MAGIC = [0x4e, 0x58, 0x7c]; // "NX|" (WIRE-FRM-1)
const PIPE = 0x7c;
const LF = 0x0a;
const CR = 0x0d;
const ID_LEN = 12;
const MAX_TYPE_DIGITS = 3;
const MAX_LEN_DIGITS = 10;

const ID_RE = /^[0-9A-Fa-f]{12}$/;

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}
function isHex(b: number): boolean {
  return isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}
function show(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, '0')}`;
}

/**
 * Encodes one frame: `NX|<typelen>|<type>|<id>|<paylen>|<payload>\n`, lengths in bytes
 * (WIRE-FRM-10). Throws TypeError for a type or id the grammar cannot express; fuzzers that need
 * malformed frames build the bytes themselves.
 */
export function encodeFrame(type: string, id: string, payload: Uint8Array | string): Buffer {
  const typeBytes = Buffer.from(type, 'utf8');
  if (typeBytes.length < 1 || typeBytes.length > 999) {
    throw new TypeError(`type must be 1..999 bytes, got ${typeBytes.length} (WIRE-FRM-2)`);
  }
  if (!ID_RE.test(id)) throw new TypeError(`id must be 12 hex digits, got ${JSON.stringify(id)} (WIRE-FRM-4)`);
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const head = Buffer.from(`NX|${typeBytes.length}|`, 'latin1');
  const mid = Buffer.from(`|${id}|${body.length}|`, 'latin1');
  return Buffer.concat([head, typeBytes, mid, body, Buffer.from([LF])]);
}

/** Encodes a message; the payload is `JSON.stringify(msg.body)` (the body carries `"type"`, WIRE-JSON-2). */
export function encodeMessage(msg: Message): Buffer {
  return encodeFrame(msg.type, msg.id, JSON.stringify(msg.body));
}

/** A request's payload as the harness writes it: compact JSON, the `type` member first (WIRE-JSON-2). */
export function requestPayload(type: string, body: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ type, ...body }), 'utf8');
}

/** A request as one frame. */
export function encodeRequest(type: string, id: string, body: Record<string, unknown>): Buffer {
  return encodeFrame(type, id, requestPayload(type, body));
}

export interface FrameDecoderOptions {
  /** Known type names, case-sensitive (WIRE-FRM-3, WIRE-FRM-8). */
  isKnownType: (name: string) => boolean;
  /** Per-type payload maximum in bytes; 0 = no per-type limit (WIRE-FRM-6). */
  limitFor: (type: string) => number;
  /** Overall cap on a declared payload length (default: the global ceiling, WIRE-FRM-5). */
  maxPayload?: number;
}

export interface PushResult {
  frames: RawFrame[];
  error?: FrameError;
}

type St = 'magic' | 'type-length' | 'type' | 'type-separator' | 'id' | 'id-separator' | 'payload-length' | 'payload' | 'terminator';

// ignoreBOM: a leading U+FEFF stays in the name (and makes it unknown) instead of being stripped.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class FrameDecoder {
  private readonly isKnownType: (name: string) => boolean;
  private readonly limitFor: (type: string) => number;
  private readonly maxPayload: number;

  private st: St = 'magic';
  private pos = 0; // bytes consumed within the current field
  private num = 0; // numeric value of the current length field
  private typeBuf: Buffer = Buffer.alloc(0);
  private type = '';
  private id = '';
  private payLen = 0;
  private payChunks: Buffer[] = [];
  private payGot = 0;
  private failure: FrameError | null = null;

  constructor(opts: FrameDecoderOptions) {
    this.isKnownType = opts.isKnownType;
    this.limitFor = opts.limitFor;
    this.maxPayload = opts.maxPayload ?? GLOBAL_PAYLOAD_CEILING;
  }

  /**
   * A copy in the same position of the byte stream, optionally judging type names and lengths by
   * other rules from here on: the harness decodes what it writes once per way a target may decode
   * it (UND-11 limits, WIRE-BAD-15 transfer-port types) and continues with the one the target took.
   */
  clone(opts: Partial<FrameDecoderOptions> = {}): FrameDecoder {
    const c = new FrameDecoder({
      isKnownType: opts.isKnownType ?? this.isKnownType,
      limitFor: opts.limitFor ?? this.limitFor,
      maxPayload: opts.maxPayload ?? this.maxPayload,
    });
    c.st = this.st;
    c.pos = this.pos;
    c.num = this.num;
    c.typeBuf = Buffer.from(this.typeBuf);
    c.type = this.type;
    c.id = this.id;
    c.payLen = this.payLen;
    c.payChunks = [...this.payChunks]; // chunks are private copies, never written after push
    c.payGot = this.payGot;
    c.failure = this.failure;
    return c;
  }

  /** True while a partial frame is buffered (drives the 60 s frame-completion timer, WIRE-TMO-2). */
  get midFrame(): boolean {
    return this.failure === null && !(this.st === 'magic' && this.pos === 0);
  }

  /** The error that failed this decoder, if any. */
  get error(): FrameError | null {
    return this.failure;
  }

  /**
   * Feeds bytes. Returns every frame completed by this chunk; on a malformation also the error
   * (frames completed before it in the same chunk are still returned). A failed decoder returns
   * its error again and no frames.
   */
  push(chunk: Uint8Array): PushResult {
    if (this.failure) return { frames: [], error: this.failure };
    const frames: RawFrame[] = [];
    let i = 0;
    const n = chunk.length;
    try {
      while (i < n) {
        if (this.st === 'payload') {
          // Bulk copy: take at most what the declared length still needs (bounded memory).
          const take = Math.min(this.payLen - this.payGot, n - i);
          if (take > 0) {
            // Copy: the caller may reuse its chunk buffer.
            this.payChunks.push(Buffer.from(chunk.subarray(i, i + take)));
            this.payGot += take;
            i += take;
          }
          if (this.payGot === this.payLen) this.st = 'terminator';
          continue;
        }
        const b = chunk[i]!;
        i++;
        const frame = this.step(b);
        if (frame) frames.push(frame);
      }
    } catch (e) {
      if (e instanceof FrameError) {
        this.fail(e);
        return { frames, error: e };
      }
      throw e;
    }
    return { frames };
  }

  /**
   * Signals EOF. Returns EofMidFrameError when a partial frame is buffered (WIRE-BAD-13), null on
   * a clean boundary (WIRE-BAD-14); a failed decoder returns its error.
   */
  end(): FrameError | null {
    if (this.failure) return this.failure;
    if (this.midFrame) {
      const e = new EofMidFrameError(`EOF in ${this.st} field of a partial frame`);
      this.fail(e);
      return e;
    }
    return null;
  }

  private fail(e: FrameError): void {
    this.failure = e;
    this.payChunks = [];
    this.typeBuf = Buffer.alloc(0);
  }

  /** Consumes one header/terminator byte; returns a frame when the LF completes one. */
  private step(b: number): RawFrame | null {
    switch (this.st) {
      case 'magic': {
        // WIRE-FRM-1 / WIRE-BAD-1: fail on the first wrong byte.
        if (b !== MAGIC[this.pos]) throw new BadMagicError(`byte ${this.pos} of magic is ${show(b)}, expected "NX|"`);
        this.pos++;
        if (this.pos === MAGIC.length) this.enter('type-length');
        return null;
      }
      case 'type-length': {
        // WIRE-FRM-2 / WIRE-BAD-2.
        if (b === PIPE) {
          if (this.pos === 0) throw new BadTypeLengthError('empty type length');
          if (this.num < 1 || this.num > 999) throw new BadTypeLengthError(`type length ${this.num} outside 1..999`);
          this.typeBuf = Buffer.alloc(this.num);
          this.enter('type');
          return null;
        }
        if (!isDigit(b)) throw new BadTypeLengthError(`non-digit ${show(b)} in type length`);
        if (this.pos === MAX_TYPE_DIGITS) throw new BadTypeLengthError('too many digits in type length');
        this.num = this.num * 10 + (b - 0x30);
        this.pos++;
        return null;
      }
      case 'type': {
        this.typeBuf[this.pos++] = b;
        if (this.pos === this.typeBuf.length) {
          // WIRE-FRM-3 / WIRE-BAD-3: judged as soon as the type bytes are complete.
          let name: string;
          try {
            name = utf8.decode(this.typeBuf);
          } catch {
            throw new BadTypeError('type is not valid UTF-8');
          }
          if (!this.isKnownType(name)) throw new BadTypeError(`unknown type ${JSON.stringify(name)}`);
          this.type = name;
          this.enter('type-separator');
        }
        return null;
      }
      case 'type-separator': {
        // WIRE-FRM-4 / WIRE-BAD-4.
        if (b !== PIPE) throw new BadSeparatorError(`expected '|' after type, got ${show(b)}`);
        this.id = '';
        this.enter('id');
        return null;
      }
      case 'id': {
        // WIRE-FRM-4: a '|' before 12 bytes = wrong id length (WIRE-BAD-4); other non-hex = WIRE-BAD-5.
        if (b === PIPE) throw new BadSeparatorError(`id has ${this.pos} bytes, expected 12`);
        if (!isHex(b)) throw new BadIdError(`non-hex byte ${show(b)} in id`);
        this.id += String.fromCharCode(b);
        this.pos++;
        if (this.pos === ID_LEN) this.enter('id-separator');
        return null;
      }
      case 'id-separator': {
        if (b !== PIPE) throw new BadSeparatorError(`expected '|' after 12-byte id, got ${show(b)}`);
        this.enter('payload-length');
        return null;
      }
      case 'payload-length': {
        // WIRE-FRM-5 / WIRE-BAD-6.
        if (b === PIPE) {
          if (this.pos === 0) throw new BadPayloadLengthError('empty payload length');
          const len = this.num;
          if (len > GLOBAL_PAYLOAD_CEILING) throw new BadPayloadLengthError(`payload length ${len} above ceiling`);
          if (len > this.maxPayload) throw new PayloadTooLargeError(`payload length ${len} above decoder maximum ${this.maxPayload}`);
          // WIRE-FRM-6 / WIRE-BAD-7: checked before any payload byte is buffered.
          const limit = this.limitFor(this.type);
          if (limit > 0 && len > limit) {
            throw new PayloadTooLargeError(`payload length ${len} above ${this.type} limit ${limit}`);
          }
          this.payLen = len;
          this.payGot = 0;
          this.payChunks = [];
          this.enter(len === 0 ? 'terminator' : 'payload');
          return null;
        }
        if (!isDigit(b)) throw new BadPayloadLengthError(`non-digit ${show(b)} in payload length`);
        if (this.pos === MAX_LEN_DIGITS) throw new BadPayloadLengthError('too many digits in payload length');
        this.num = this.num * 10 + (b - 0x30);
        this.pos++;
        return null;
      }
      case 'terminator': {
        // WIRE-FRM-7 / WIRE-BAD-8.
        if (b !== LF) {
          throw new BadTerminatorError(
            b === CR ? 'CR after payload (CRLF is not a terminator)' : `expected LF after payload, got ${show(b)}`,
          );
        }
        const payload = this.payChunks.length === 1 ? this.payChunks[0]! : Buffer.concat(this.payChunks);
        const frame: RawFrame = { type: this.type, id: this.id, payload };
        this.payChunks = [];
        this.enter('magic');
        return frame;
      }
      case 'payload':
        throw new Error('unreachable: payload bytes are consumed in bulk');
    }
  }

  private enter(st: St): void {
    this.st = st;
    this.pos = 0;
    this.num = 0;
  }
}
