// Boundary-heavy values for every validated field (rules.md §3): lengths at and around each limit
// counted in characters and in bytes, multi-byte and astral UTF-8, every class of control and
// whitespace character, path characters, reserved names with their case variants, empty, null,
// missing and the wrong JSON type. `undefined` stands for "member missing" (JSON drops it).
import fc from 'fast-check';
import { ALL_PERMISSIONS, IMAGE_MIME_TYPES, LIMITS, PERMISSIONS_MAX_COUNT } from '../../model/index.ts';

export const FIELDS = [
  'username',
  'password',
  'nickname',
  'status',
  'serverName',
  'description',
  'image',
  'avatar',
  'locale',
  'features',
  'permissions',
  'maxConnections',
  'maxTransfers',
  'version',
] as const;
export type Field = (typeof FIELDS)[number];

/** Fill characters by UTF-8 width and Unicode class (VAL-USERNAME's letters vs numbers vs symbols). */
const FILL = [
  'a', // ASCII letter, 1 byte
  '~', // ASCII graphic, 1 byte
  'é', // Latin letter, 2 bytes
  'ж', // Cyrillic letter, 2 bytes
  '٣', // Arabic-Indic digit: numeric, not alphabetic (the VAL-USERNAME [DIVERGENT] class), 2 bytes
  '中', // CJK letter, 3 bytes
  '½', // No (numeric, not a digit), 2 bytes
  '𝒜', // astral letter (U+1D49C), 4 bytes, one char, two UTF-16 units
  '😀', // astral emoji, 4 bytes, neither letter nor number
] as const;

/** One character of each class that a validator may treat specially. */
export const SPECIAL = [
  // C0 controls, \n and \r apart from the others (newline vs invalid-character keys), DEL, C1 controls
  '\u0000',
  '\u0001',
  '\u0008',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009f',
  // whitespace that is not a control, and format characters that are not Cc
  ' ',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\u200b',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u0301',
  // VAL-PATHCHARS
  '/',
  '\\',
  ':',
  '.',
  '<',
  '>',
  '"',
  '|',
  '?',
  '*',
  '#',
  // letters, numbers and symbols beyond ASCII, a lone surrogate (WIRE-JSON-4)
  'é',
  'ß',
  '中',
  '𝒜',
  '٣',
  '½',
  '😀',
  '\ud800',
] as const;

/** `n` characters whose first `ascii` are ASCII and the rest `fill`: chars and bytes move independently. */
function mixed(n: number, ascii: number, fill: string): string {
  const a = Math.max(0, Math.min(n, ascii));
  return 'a'.repeat(a) + fill.repeat(n - a);
}

/** Strings of `limit - 2 … limit + 2` characters, mixing ASCII with one wider class. */
function aroundChars(limit: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: -2, max: 2 }), fc.constantFrom(...FILL), fc.nat({ max: limit + 2 }))
    .map(([d, fill, ascii]) => mixed(Math.max(0, limit + d), ascii, fill));
}

/** Strings of `limit - 2 … limit + 2` UTF-8 bytes built from one wider class plus ASCII padding. */
function aroundBytes(limit: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: -2, max: 2 }), fc.constantFrom(...FILL)).map(([d, fill]) => {
    const bytes = Math.max(0, limit + d);
    const width = Buffer.byteLength(fill, 'utf8');
    const wide = Math.floor(bytes / width);
    return fill.repeat(wide) + 'a'.repeat(bytes - wide * width);
  });
}

/** A short valid-looking value with one special character at the start, middle or end. */
function withSpecial(base: string): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...SPECIAL), fc.constantFrom('start', 'middle', 'end', 'alone')).map(([c, at]) => {
    if (at === 'alone') return c;
    if (at === 'start') return c + base;
    if (at === 'end') return base + c;
    const half = Math.floor(base.length / 2);
    return base.slice(0, half) + c + base.slice(half);
  });
}

/** Missing, null and every other JSON type. */
const WRONG_TYPES: fc.Arbitrary<unknown> = fc.constantFrom(undefined, null, 0, 7, -1, 1.5, true, false, [], {}, ['x'], { v: 'x' });

/** Reserved names and their case variants; `{{admin.username}}` is the run's own admin. */
const RESERVED = ['guest', 'Guest', 'GUEST', 'gUeSt', 'admin', 'Admin', 'root', '{{admin.username}}'];

/** A text field: its limits in both units, specials, empty, whitespace-only, wrong types. */
function text(limits: number[], base: string, extra: string[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(...limits.map(aroundChars)) },
    { weight: 3, arbitrary: fc.oneof(...limits.map(aroundBytes)) },
    { weight: 4, arbitrary: withSpecial(base) },
    { weight: 2, arbitrary: fc.constantFrom('', ' ', '   ', '\t', base, ...extra) },
    { weight: 1, arbitrary: WRONG_TYPES },
  );
}

/** A data URI of exactly `bytes` bytes (when `bytes` is large enough) with a MIME type. */
function dataUri(mime: string, bytes: number): string {
  const head = `data:${mime};base64,`;
  return head + 'A'.repeat(Math.max(0, bytes - head.length));
}

const MIMES = [...IMAGE_MIME_TYPES, 'image/PNG', 'Image/png', 'image/gif', 'image/svg', 'text/plain', '', ' image/png'];

function image(limits: number[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    // Sizes at the limits are rare: each is a frame of several hundred kilobytes.
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...limits), fc.integer({ min: -1, max: 1 })).map(([l, d]) => dataUri('image/png', l + d)),
    },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...MIMES), fc.nat({ max: 64 })).map(([m, n]) => dataUri(m, 20 + n)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '',
        'data:',
        'data:image/png',
        'data:image/png;base64',
        'image/png;base64,AAAA',
        'DATA:image/png;base64,AA',
        'data:image/png;base64,',
        'data:;base64,AA',
        'data:image/png;base64,\n',
      ),
    },
    { weight: 1, arbitrary: WRONG_TYPES },
  );
}

/** A string list with counts around `maxCount` and items around `itemBytes`, one bad item placed anywhere. */
function list(valid: readonly string[], maxCount: number, itemBytes: number): fc.Arbitrary<unknown> {
  const item = fc.oneof(fc.constantFrom(...valid), aroundBytes(itemBytes), withSpecial(valid[0] ?? 'x'), fc.constantFrom('', ' '));
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .integer({ min: maxCount - 1, max: maxCount + 1 })
        .chain((n) => fc.array(fc.constantFrom(...valid), { minLength: n, maxLength: n })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.array(fc.constantFrom(...valid), { maxLength: 3 }), item, fc.nat({ max: 3 }))
        .map(([vs, bad, at]) => [...vs.slice(0, at), bad, ...vs.slice(at)]),
    },
    { weight: 1, arbitrary: fc.constantFrom([], [null], [1], [['x']]) },
    { weight: 1, arbitrary: WRONG_TYPES },
  );
}

const LIMIT_VALUES = fc.constantFrom<unknown>(
  0,
  1,
  2,
  5,
  100,
  4_294_967_295,
  4_294_967_296,
  -1,
  1.5,
  2.0,
  1e3,
  '3',
  null,
  true,
  undefined,
  [],
);

const VERSIONS = [
  '0.5.0',
  '0.5.1',
  '0.4.0',
  '0.6.0',
  '1.0.0',
  '0.0.0',
  '0.5.0-alpha',
  '0.5.0+build.7',
  '0.5.0-rc.1+b',
  '0.5',
  '0.5.0.0',
  'v0.5.0',
  ' 0.5.0',
  '0.5.0 ',
  '00.5.0',
  '0.05.0',
  '0.5.0-',
  '0.5.0-01',
  '18446744073709551616.0.0',
  '',
];

/** The arbitrary of each field's values. */
export const VALUES: Record<Field, fc.Arbitrary<unknown>> = {
  username: text([LIMITS.username], 'fuzzname', RESERVED),
  nickname: text([LIMITS.nickname], 'fuzznick', RESERVED),
  password: text([LIMITS.password], 'Fuzz-pass-1'),
  status: text([LIMITS.status], 'brb'),
  serverName: text([LIMITS.serverName], 'Fuzz server'),
  description: text([LIMITS.serverDescription.nexusd, LIMITS.serverDescription.spec], 'A description'),
  image: image([LIMITS.serverImage, LIMITS.serverImageKiB, LIMITS.serverImageKiB + 1]),
  avatar: image([LIMITS.avatar]),
  locale: text([LIMITS.locale], 'en', ['en', 'de', 'EN', 'en-US', 'zz', 'pt_BR']),
  features: list(['chat', 'files', 'news', 'x-fuzz'], LIMITS.featuresCount, LIMITS.feature),
  permissions: list(ALL_PERMISSIONS, PERMISSIONS_MAX_COUNT, LIMITS.permission),
  maxConnections: LIMIT_VALUES,
  maxTransfers: LIMIT_VALUES,
  version: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...VERSIONS) },
    { weight: 2, arbitrary: fc.integer({ min: LIMITS.version - 2, max: LIMITS.version + 2 }).map((n) => `0.5.0-${'a'.repeat(n - 6)}`) },
    { weight: 1, arbitrary: aroundBytes(LIMITS.version) },
    { weight: 1, arbitrary: WRONG_TYPES },
  ),
};
