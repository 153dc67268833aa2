// The frames the reference server writes. A memoised view (the user list with 1,000 sessions
// online, model/view-cache.ts) reaches many answers as the same array object: its JSON is kept by
// identity and spliced in, so a UserList serialises only its envelope. The bytes are exactly
// `encodeMessage`'s (test/server/encode.test.ts).
import type { Message } from '../protocol/types.ts';
import { encodeFrame } from '../protocol/frame.ts';

/** Arrays shorter than this are cheaper to serialise again than to look up. */
const MIN_CACHED_LENGTH = 64;

export class MessageEncoder {
  /** JSON of large array members, by identity: outputs are never changed once written. */
  private readonly json = new WeakMap<object, string>();

  encode(msg: Message): Buffer {
    return encodeFrame(msg.type, msg.id, this.payload(msg.body));
  }

  /** `JSON.stringify(body)`, reusing the JSON of a large array that is the body's last member. */
  payload(body: Record<string, unknown>): string {
    let last: string | undefined;
    for (const key in body) last = key;
    const value = last === undefined ? undefined : body[last];
    if (!Array.isArray(value) || value.length < MIN_CACHED_LENGTH || /^\d+$/.test(last!)) return JSON.stringify(body);
    let tail = this.json.get(value);
    if (tail === undefined) {
      tail = JSON.stringify(value);
      this.json.set(value, tail);
    }
    const { [last!]: _last, ...rest } = body;
    const head = JSON.stringify(rest);
    return `${head.length > 2 ? `${head.slice(0, -1)},` : '{'}${JSON.stringify(last)}:${tail}}`;
  }
}
