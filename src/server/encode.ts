// The frames the reference server writes. A memoised view (the user list with 1,000 sessions
// online, model/view-cache.ts) reaches many answers as the same array object, and every UserList
// answer between two logins has the same payload (only the frame's id differs): the payload bytes
// are kept by the identity of that array and written as they are, so a UserList costs a frame
// header instead of serialising and copying ~140 KB. The bytes are exactly `encodeMessage`'s
// (test/server/encode.test.ts).
import type { Message } from '../protocol/types.ts';
import { encodeMessage } from '../protocol/frame.ts';

/** Arrays shorter than this are cheaper to serialise again than to look up. */
const MIN_CACHED_LENGTH = 64;
const LF = Buffer.from('\n');

export class MessageEncoder {
  /** Payload bytes of a body by its large last member (outputs are never changed once written). */
  private readonly payloads = new WeakMap<object, { envelope: string; bytes: Buffer }>();

  /** The frame of `msg`: one buffer, or the chunks of one frame (header, payload, terminator). */
  encode(msg: Message): Buffer | Buffer[] {
    const list = largeLastMember(msg.body);
    if (list === undefined) return encodeMessage(msg);
    const payload = this.payload(msg.body, list);
    const header = Buffer.from(`NX|${Buffer.byteLength(msg.type)}|${msg.type}|${msg.id}|${payload.length}|`, 'utf8');
    return [header, payload, LF];
  }

  /** `JSON.stringify(body)` as UTF-8, from the cache when the body around `list` is the same. */
  private payload(body: Record<string, unknown>, list: { key: string; value: unknown[] }): Buffer {
    const { [list.key]: _list, ...rest } = body;
    const envelope = JSON.stringify(rest);
    const hit = this.payloads.get(list.value);
    if (hit !== undefined && hit.envelope === envelope) return hit.bytes;
    const json = `${envelope.length > 2 ? `${envelope.slice(0, -1)},` : '{'}${JSON.stringify(list.key)}:${JSON.stringify(list.value)}}`;
    const bytes = Buffer.from(json, 'utf8');
    this.payloads.set(list.value, { envelope, bytes });
    return bytes;
  }
}

/** The body's last member (in JSON order) when it is a large array under a non-index name. */
function largeLastMember(body: Record<string, unknown>): { key: string; value: unknown[] } | undefined {
  let last: string | undefined;
  for (const key in body) last = key;
  if (last === undefined || /^\d+$/.test(last)) return undefined;
  const value = body[last];
  return Array.isArray(value) && value.length >= MIN_CACHED_LENGTH ? { key: last, value } : undefined;
}
