// What one frame-fuzz case is: bytes (one or more writes) sent on a connection in a chosen state.
// The bytes are built from the frame grammar's parts (wire.md §3) so every element can be bent on
// its own while the others stay valid; the expected reaction is never written here — the lockstep
// runner decodes the same bytes as the target must and asks the model.

/** The connection state a case is sent in (the scenario DSL's actor kinds). */
export const CONN_STATES = ['new', 'shaken', 'regular', 'shared', 'guest', 'admin'] as const;
export type ConnState = (typeof CONN_STATES)[number];

export function isLoggedIn(state: ConnState): boolean {
  return state !== 'new' && state !== 'shaken';
}

export interface FrameCase {
  /** The grammar element the case bends, e.g. `magic`, `type-length`, `delivery:byte-by-byte`. */
  element: string;
  state: ConnState;
  /** Successive writes; most cases are one write, hostile deliveries several. */
  writes: Buffer[];
}

/** The parts of one frame; every part is raw bytes or text, so any of them can be malformed. */
export interface FrameParts {
  magic: string | Buffer;
  typeLength: string;
  type: string | Buffer;
  id: string | Buffer;
  payloadLength: string;
  payload: string | Buffer;
  terminator: string | Buffer;
}

const bytes = (v: string | Buffer): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);

/** The parts of a well-formed frame for `type` with `payload` (lengths in bytes, WIRE-FRM-10). */
export function validParts(type: string, id: string, payload: string | Buffer): FrameParts {
  return {
    magic: 'NX|',
    typeLength: String(Buffer.byteLength(type, 'utf8')),
    type,
    id,
    payloadLength: String(bytes(payload).length),
    payload,
    terminator: '\n',
  };
}

/** `magic type-len "|" type "|" msg-id "|" payload-len "|" payload LF`, with whatever the parts hold. */
export function assemble(p: FrameParts): Buffer {
  return Buffer.concat([
    bytes(p.magic),
    Buffer.from(p.typeLength, 'latin1'),
    Buffer.from('|'),
    bytes(p.type),
    Buffer.from('|'),
    bytes(p.id),
    Buffer.from('|'),
    Buffer.from(p.payloadLength, 'latin1'),
    Buffer.from('|'),
    bytes(p.payload),
    bytes(p.terminator),
  ]);
}

/** A well-formed request frame: the payload carries `"type"` first (WIRE-JSON-2). */
export function requestFrame(type: string, id: string, body: Record<string, unknown>): Buffer {
  return assemble(validParts(type, id, JSON.stringify({ type, ...body })));
}

/** Splits `b` at the given offsets (sorted, deduplicated, inside the buffer). */
export function splitAt(b: Buffer, offsets: number[]): Buffer[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < b.length))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let start = 0;
  for (const c of cuts) {
    out.push(b.subarray(start, c));
    start = c;
  }
  out.push(b.subarray(start));
  return out;
}

/** A readable one-line description of a case (bytes shown as in the reports, shortened). */
export function describeCase(c: FrameCase): string {
  const all = Buffer.concat(c.writes);
  const shown = JSON.stringify(all.subarray(0, 80).toString('latin1')).slice(1, -1);
  return `${c.element} in state ${c.state}, ${all.length} bytes in ${c.writes.length} write(s): ${shown}${all.length > 80 ? '…' : ''}`;
}
