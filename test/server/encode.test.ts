// The server's encoder keeps the payload of a body whose last member is a large array (a memoised
// user list) by that array's identity; its frames must be byte for byte those of encodeMessage.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeMessage } from '../../src/protocol/frame.ts';
import type { Message } from '../../src/protocol/types.ts';
import { MessageEncoder } from '../../src/server/encode.ts';

const users = Array.from({ length: 100 }, (_, i) => ({ nickname: `u${i}`, session_ids: [i], note: i % 3 ? null : 'é中😀' }));

const bytesOf = (enc: MessageEncoder, msg: Message): Buffer => {
  const f = enc.encode(msg);
  return Array.isArray(f) ? Buffer.concat(f) : f;
};

describe('MessageEncoder', () => {
  it('writes the bytes encodeMessage writes, from the cache too', () => {
    const enc = new MessageEncoder();
    const msg = { type: 'UserListResponse', id: '0123456789ab', body: { type: 'UserListResponse', success: true, users } };
    expect(Array.isArray(enc.encode(msg))).toBe(true); // the large list took the cached path
    expect(bytesOf(enc, msg)).toEqual(encodeMessage(msg));
    // The same list in the same envelope (from the cache) and in other envelopes.
    const again = { type: 'UserListResponse', id: 'ba9876543210', body: { type: 'UserListResponse', success: true, users } };
    expect(bytesOf(enc, again)).toEqual(encodeMessage(again));
    const other = { type: 'UserListResponse', id: 'ba9876543210', body: { type: 'UserListResponse', success: false, users } };
    expect(bytesOf(enc, other)).toEqual(encodeMessage(other));
    const alone = { type: 'X', id: '000000000000', body: { users } };
    expect(bytesOf(enc, alone)).toEqual(encodeMessage(alone));
  });

  it('matches encodeMessage for any body', () => {
    const enc = new MessageEncoder();
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.array(fc.jsonValue(), { minLength: 0, maxLength: 80 }),
        fc.string(),
        (body, list, key) => {
          const msg = { type: 'T', id: 'abcdef012345', body: { ...body, [key]: list } };
          expect(bytesOf(enc, msg)).toEqual(encodeMessage(msg));
          expect(bytesOf(enc, msg)).toEqual(encodeMessage(msg));
        },
      ),
    );
  });
});
