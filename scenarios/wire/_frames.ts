// Raw frames for wire probes (wire.md §3): the one factory of every scenario that writes bytes by
// hand. A frame is its parts in order; a malformed probe is the well-formed parts with one part
// changed (`{ magic: 'nx|' }`, `{ end: '\r\n' }`), so a table of cases reads as what each breaks.
import { encodeFrame, encodeRequest } from '../../src/protocol/frame.ts';

/** A fixed, valid message id for raw probes (WIRE-ID-1: ids need not be unique). */
export const RAW_ID = '0a1b2c3d4e5f';

/** The parts of one frame, `NX|<type length>|<type>|<id>|<payload length>|<payload>\n`, as text or bytes. */
export interface FrameParts {
  magic: string;
  typeLen: string;
  sep1: string;
  type: string | Uint8Array;
  sep2: string;
  id: string;
  sep3: string;
  payloadLen: string;
  sep4: string;
  payload: string | Uint8Array;
  end: string;
}

/** A change to a frame's parts: the parts to replace, or a function of the well-formed parts. */
export type PartsChange = Partial<FrameParts> | ((p: FrameParts) => Partial<FrameParts>);

/** A part as the bytes it is on the wire (text as UTF-8). */
export const partBytes = (s: string | Uint8Array): Buffer => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s));

/** The frame the parts spell. */
export function encodeParts(p: FrameParts): Buffer {
  return Buffer.concat([p.magic, p.typeLen, p.sep1, p.type, p.sep2, p.id, p.sep3, p.payloadLen, p.sep4, p.payload, p.end].map(partBytes));
}

/** The well-formed parts of a frame of `type` carrying `body` with `"type"` first (WIRE-JSON-2). */
export function partsOf(type: string, body: Record<string, unknown> = {}, id = RAW_ID): FrameParts {
  const payload = JSON.stringify({ type, ...body });
  return {
    magic: 'NX|',
    typeLen: String(Buffer.byteLength(type)),
    sep1: '|',
    type,
    sep2: '|',
    id,
    sep3: '|',
    payloadLen: String(Buffer.byteLength(payload)),
    sep4: '|',
    payload,
    end: '\n',
  };
}

/** The parts with another type name, its length field kept consistent. */
export const withType = (p: FrameParts, type: string | Uint8Array): FrameParts => ({ ...p, type, typeLen: String(partBytes(type).length) });
/** The parts with another payload, its length field kept consistent. */
export const withPayload = (p: FrameParts, payload: string | Uint8Array): FrameParts => ({
  ...p,
  payload,
  payloadLen: String(partBytes(payload).length),
});

/** A frame of `type` carrying `body`, with its parts changed by `change` (none: well-formed). */
export function rawFrame(type: string, body: Record<string, unknown> = {}, change: PartsChange = {}): Buffer {
  const parts = partsOf(type, body);
  return encodeParts({ ...parts, ...(typeof change === 'function' ? change(parts) : change) });
}

/** A well-formed frame whose payload is `body` with `"type"` first, encoded by byte length. */
export function frame(type: string, body: Record<string, unknown> = {}, id = RAW_ID): Buffer {
  return encodeRequest(type, id, body);
}

/** A well-formed frame around an arbitrary payload (text or bytes), for JSON-level probes. */
export function frameWithPayload(type: string, payload: string | Uint8Array, id = RAW_ID): Buffer {
  return encodeFrame(type, id, payload);
}

/** The start of a frame up to and including the payload length: the body is never sent (WIRE-LIM-2). */
export const frameHeader = (type: string, payloadLen: string | number, id = RAW_ID): string =>
  `NX|${Buffer.byteLength(type)}|${type}|${id}|${payloadLen}|`;
