// The server's encoder reuses the JSON of large array members (a memoised user list) by identity;
// its frames must be byte for byte those of encodeMessage.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeMessage } from '../../src/protocol/frame.ts';
import { MessageEncoder } from '../../src/server/encode.ts';

const users = Array.from({ length: 100 }, (_, i) => ({ nickname: `u${i}`, session_ids: [i], note: i % 3 ? null : 'é中😀' }));

describe('MessageEncoder', () => {
  it('writes the bytes encodeMessage writes, with and without a reused array', () => {
    const enc = new MessageEncoder();
    const msg = { type: 'UserListResponse', id: '0123456789ab', body: { type: 'UserListResponse', success: true, users } };
    expect(enc.encode(msg)).toEqual(encodeMessage(msg));
    // Second time from the cache, in another envelope.
    const again = { type: 'UserListResponse', id: 'ba9876543210', body: { type: 'UserListResponse', success: true, users } };
    expect(enc.encode(again)).toEqual(encodeMessage(again));
    const alone = { type: 'X', id: '000000000000', body: { users } };
    expect(enc.encode(alone)).toEqual(encodeMessage(alone));
  });

  it('matches JSON.stringify for any body', () => {
    const enc = new MessageEncoder();
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.array(fc.jsonValue(), { minLength: 0, maxLength: 80 }),
        fc.string(),
        (body, list, key) => {
          const b: Record<string, unknown> = { ...body, [key]: list };
          expect(enc.payload(b)).toBe(JSON.stringify(b));
          expect(enc.payload(b)).toBe(JSON.stringify(b));
        },
      ),
    );
  });
});
