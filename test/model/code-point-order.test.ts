// USR-LIST-5, CM-4: lists sort by code point (as upstream compares UTF-8), not by UTF-16 code unit.
// The fast comparison (views.ts) must agree with the definition on every string, surrogates included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byNickname, compareCodePoints } from '../../src/model/views.ts';

/** The definition: compare the sequences of code points. */
function byDefinition(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return Math.sign(x[i]! - y[i]!);
  return Math.sign(x.length - y.length);
}

// Code units that stress the boundaries: ASCII, surrogate halves, the BMP above the surrogates.
const unit = fc.oneof(
  fc.constantFrom(0x41, 0x61, 0xd800, 0xd83d, 0xdbff, 0xdc00, 0xde00, 0xdfff, 0xe000, 0xffff),
  fc.integer({ min: 0, max: 0xffff }),
);
const str = fc.array(unit, { maxLength: 6 }).map((u) => String.fromCharCode(...u));

describe('USR-LIST-5 code-point order', () => {
  it('compareCodePoints agrees with comparing code point sequences', () => {
    fc.assert(
      fc.property(str, str, fc.string(), (a, b, prefix) => {
        expect(Math.sign(compareCodePoints(prefix + a, prefix + b))).toBe(byDefinition(prefix + a, prefix + b));
        expect(compareCodePoints(a, a)).toBe(0);
      }),
      { numRuns: 20_000 },
    );
  });

  it('a supplementary character sorts after U+FFFF (code unit order would put it first)', () => {
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBe(1);
    expect(byNickname(['\u{1F600}', '\uFFFF', 'b', 'A'], (s) => s)).toEqual(['A', 'b', '\uFFFF', '\u{1F600}']);
  });
});
