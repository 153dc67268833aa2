// Message ids and the seeded RNG (wire.md §4).
import { describe, expect, it } from 'vitest';
import { createRng, isFreshServerId, isMessageId, randomMessageId } from '../../src/protocol/ids.ts';

describe('ids', () => {
  it('seeded RNG is deterministic and in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
    expect(createRng(43)()).not.toBe(createRng(42)());
  });

  it('random ids are 12 lower-case hex digits (WIRE-ID-1, WIRE-ID-3)', () => {
    const rng = createRng(7);
    const ids = Array.from({ length: 200 }, () => randomMessageId(rng));
    for (const id of ids) {
      expect(isFreshServerId(id)).toBe(true);
      expect(isMessageId(id)).toBe(true);
    }
    expect(new Set(ids).size).toBe(200);
    // Every hex digit shows up: the mapping covers 0..f.
    expect(new Set(ids.join('')).size).toBe(16);
  });

  it('id predicates: any case for framing, lower case for fresh server ids', () => {
    expect(isMessageId('A1B2c3d4e5f6')).toBe(true);
    expect(isFreshServerId('A1B2c3d4e5f6')).toBe(false);
    expect(isMessageId('a1b2c3d4e5f')).toBe(false);
    expect(isMessageId('a1b2c3d4e5f6a')).toBe(false);
    expect(isMessageId('a1b2c3d4e5fg')).toBe(false);
  });
});
