import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  charLength,
  parseSemVer,
  utf8Length,
  validateAvatar,
  validateFeatures,
  validateLocale,
  validateLoginPassword,
  validateNickname,
  validatePassword,
  validatePermissionsFormat,
  validateServerDescription,
  validateServerImage,
  validateServerName,
  validateStatus,
  validateUsername,
  validateVersion,
  versionCompatibility,
} from '../../src/model/validators.ts';
import { PROFILES } from '../../src/protocol/types.ts';

const key = (v: { key: string } | null) => v?.key ?? null;
const E2 = 'é'; // 2 bytes
const E3 = '€'; // 3 bytes
const E4 = '😀'; // 4 bytes, one char, two UTF-16 units

describe('length units', () => {
  it('counts scalar values and UTF-8 octets', () => {
    expect(charLength(`a${E2}${E3}${E4}`)).toBe(4);
    expect(utf8Length(`a${E2}${E3}${E4}`)).toBe(10);
    expect(utf8Length('\ud800')).toBe(3); // a lone surrogate is encoded as U+FFFD
  });

  it('counts UTF-8 octets as an encoder writes them, lone surrogates as U+FFFD', () => {
    const unit = fc.oneof(fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', E2, E3, E4), fc.string({ unit: 'binary', maxLength: 1 }));
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }), (parts) => {
        const s = parts.join('');
        expect(utf8Length(s)).toBe(encoder.encode(s).length);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('VAL-USERNAME / VAL-NICKNAME', () => {
  for (const profile of PROFILES) {
    for (const [name, fn, prefix] of [
      ['username', validateUsername, 'E-USERNAME'],
      ['nickname', validateNickname, 'E-NICKNAME'],
    ] as const) {
      it(`${name} (${profile}): empty → too long (32 chars) → class`, () => {
        expect(key(fn('', profile))).toBe(`${prefix}-EMPTY`);
        expect(fn('a'.repeat(32), profile)).toBeNull();
        expect(fn('a'.repeat(33), profile)).toEqual({ key: `${prefix}-TOO-LONG`, params: { max_length: 32 } });
        // chars, not bytes: 32 four-byte letters pass; 33 fail on length before the class check
        expect(fn('𝒜'.repeat(32), profile)).toBeNull();
        expect(key(fn('𝒜'.repeat(33), profile))).toBe(`${prefix}-TOO-LONG`);
        expect(key(fn(`${'é'.repeat(32)}`, profile))).toBeNull();
        // too long wins over invalid characters
        expect(key(fn(' '.repeat(33), profile))).toBe(`${prefix}-TOO-LONG`);
        expect(fn('Zoë_!~#', profile)).toBeNull();
        expect(fn('\x21\x7e', profile)).toBeNull();
        for (const bad of ['a b', 'a\tb', 'a\x00', 'a\x7f', 'a\u0085', `a${E4}`, 'a\u00a0b', 'a\u3000b']) {
          expect(key(fn(bad, profile)), JSON.stringify(bad)).toBe(`${prefix}-INVALID`);
        }
      });
    }
  }

  it('[DIVERGENT] non-ASCII digits: spec accepts (alphanumeric), nexusd rejects (alphabetic only)', () => {
    expect(validateUsername('abc٣', 'spec')).toBeNull();
    expect(key(validateUsername('abc٣', 'nexusd'))).toBe('E-USERNAME-INVALID');
    expect(validateNickname('x²', 'spec')).toBeNull();
    expect(key(validateNickname('x²', 'nexusd'))).toBe('E-NICKNAME-INVALID');
    // letters of any script are fine in both
    for (const p of PROFILES) expect(validateUsername('Ελλάδα日本', p)).toBeNull();
  });
});

describe('VAL-PASSWORD and SES-LOGIN-5', () => {
  for (const profile of PROFILES) {
    it(`ASCII boundary 256 (${profile})`, () => {
      expect(key(validatePassword('', profile))).toBe('E-PASSWORD-EMPTY');
      expect(validatePassword('p'.repeat(256), profile)).toBeNull();
      expect(validatePassword('p'.repeat(257), profile)).toEqual({ key: 'E-PASSWORD-TOO-LONG', params: { max_length: 256 } });
      expect(validateLoginPassword('', profile)).toBeNull();
      expect(validateLoginPassword('p'.repeat(256), profile)).toBeNull();
      expect(key(validateLoginPassword('p'.repeat(257), profile))).toBe('E-PASSWORD-TOO-LONG');
      expect(validatePassword(' ', profile)).toBeNull(); // whitespace is a password; blank handling is UserUpdate's
    });
  }

  it('[DIVERGENT] multi-byte: spec counts characters, nexusd bytes', () => {
    const pw = E2.repeat(129); // 129 chars, 258 bytes
    expect(validatePassword(pw, 'spec')).toBeNull();
    expect(key(validatePassword(pw, 'nexusd'))).toBe('E-PASSWORD-TOO-LONG');
    expect(validateLoginPassword(pw, 'spec')).toBeNull();
    expect(key(validateLoginPassword(pw, 'nexusd'))).toBe('E-PASSWORD-TOO-LONG');
    expect(validatePassword(E2.repeat(128), 'nexusd')).toBeNull(); // exactly 256 bytes
    expect(validatePassword(E4.repeat(256), 'spec')).toBeNull();
    expect(key(validatePassword(E4.repeat(257), 'spec'))).toBe('E-PASSWORD-TOO-LONG');
  });
});

describe('VAL-STATUS', () => {
  for (const profile of PROFILES) {
    it(`≤ 128 chars, newline before other controls, empty allowed (${profile})`, () => {
      expect(validateStatus('', profile)).toBeNull();
      expect(validateStatus('s'.repeat(128), profile)).toBeNull();
      expect(validateStatus('s'.repeat(129), profile)).toEqual({ key: 'E-STATUS-TOO-LONG', params: { max_length: 128 } });
      expect(validateStatus(E4.repeat(128), profile)).toBeNull(); // chars (UND-2 model choice in nexusd)
      expect(key(validateStatus(E4.repeat(129), profile))).toBe('E-STATUS-TOO-LONG');
      expect(key(validateStatus('a\nb', profile))).toBe('E-STATUS-CONTAINS-NEWLINES');
      expect(key(validateStatus('a\rb', profile))).toBe('E-STATUS-CONTAINS-NEWLINES');
      expect(key(validateStatus('\ta\n', profile))).toBe('E-STATUS-CONTAINS-NEWLINES');
      expect(key(validateStatus('a\tb', profile))).toBe('E-STATUS-INVALID-CHARACTERS');
      expect(key(validateStatus('a\x00', profile))).toBe('E-STATUS-INVALID-CHARACTERS');
      expect(key(validateStatus('a\u009f', profile))).toBe('E-STATUS-INVALID-CHARACTERS');
      expect(validateStatus('in a meeting 🙂', profile)).toBeNull();
      expect(key(validateStatus(`${'s'.repeat(129)}\n`, profile))).toBe('E-STATUS-TOO-LONG');
    });
  }
});

describe('VAL-SERVER-NAME', () => {
  for (const profile of PROFILES) {
    it(`empty after trim → length on the untrimmed value → controls (${profile})`, () => {
      expect(key(validateServerName('', profile))).toBe('E-SERVER-NAME-EMPTY');
      expect(key(validateServerName('   ', profile))).toBe('E-SERVER-NAME-EMPTY');
      expect(key(validateServerName('\u3000\t', profile))).toBe('E-SERVER-NAME-EMPTY');
      expect(validateServerName('n'.repeat(64), profile)).toBeNull();
      expect(validateServerName('n'.repeat(65), profile)).toEqual({ key: 'E-SERVER-NAME-TOO-LONG', params: { max_length: 64 } });
      expect(key(validateServerName(` ${'n'.repeat(64)}`, profile))).toBe('E-SERVER-NAME-TOO-LONG');
      expect(key(validateServerName('a\nb', profile))).toBe('E-SERVER-NAME-CONTAINS-NEWLINES');
      expect(key(validateServerName('a\x1bb', profile))).toBe('E-SERVER-NAME-INVALID-CHARACTERS');
    });
  }
  it('[DIVERGENT] spec ≤ 64 characters, nexusd ≤ 64 bytes', () => {
    expect(validateServerName(E3.repeat(64), 'spec')).toBeNull();
    expect(key(validateServerName(E3.repeat(22), 'nexusd'))).toBe('E-SERVER-NAME-TOO-LONG');
    expect(validateServerName(E2.repeat(32), 'nexusd')).toBeNull();
    expect(key(validateServerName(E2.repeat(65), 'spec'))).toBe('E-SERVER-NAME-TOO-LONG');
  });
});

describe('VAL-SERVER-DESCRIPTION', () => {
  it('[DIVERGENT] spec ≤ 512 chars, nexusd ≤ 256 bytes; empty allowed; controls', () => {
    for (const p of PROFILES) expect(validateServerDescription('', p)).toBeNull();
    expect(validateServerDescription('d'.repeat(512), 'spec')).toBeNull();
    expect(validateServerDescription('d'.repeat(513), 'spec')).toEqual({
      key: 'E-SERVER-DESCRIPTION-TOO-LONG',
      params: { max_length: 512 },
    });
    expect(validateServerDescription(E4.repeat(512), 'spec')).toBeNull();
    expect(validateServerDescription('d'.repeat(256), 'nexusd')).toBeNull();
    expect(validateServerDescription('d'.repeat(257), 'nexusd')).toEqual({
      key: 'E-SERVER-DESCRIPTION-TOO-LONG',
      params: { max_length: 256 },
    });
    expect(key(validateServerDescription(E2.repeat(129), 'nexusd'))).toBe('E-SERVER-DESCRIPTION-TOO-LONG');
    for (const p of PROFILES) {
      expect(key(validateServerDescription('a\r\nb', p))).toBe('E-SERVER-DESCRIPTION-CONTAINS-NEWLINES');
      expect(key(validateServerDescription('a\x07', p))).toBe('E-SERVER-DESCRIPTION-INVALID-CHARACTERS');
    }
  });
});

describe('VAL-SERVER-IMAGE / VAL-AVATAR', () => {
  const uri = (mime: string, len: number) => {
    const head = `data:${mime};base64,`;
    return head + 'A'.repeat(len - head.length);
  };
  for (const profile of PROFILES) {
    it(`data URI rule, four MIME types, size in bytes (${profile})`, () => {
      expect(validateServerImage('', profile)).toBeNull();
      for (const mime of ['image/png', 'image/webp', 'image/jpeg', 'image/svg+xml']) {
        expect(validateServerImage(uri(mime, 100), profile)).toBeNull();
        expect(validateAvatar(uri(mime, 100), profile)).toBeNull();
      }
      expect(validateServerImage(uri('image/png', 700_000), profile)).toBeNull();
      expect(key(validateServerImage(uri('image/png', 700_001), profile))).toBe('E-SERVER-IMAGE-TOO-LARGE');
      expect(validateAvatar(uri('image/png', 176_000), profile)).toBeNull();
      expect(validateAvatar(uri('image/png', 176_001), profile)).toEqual({ key: 'E-AVATAR-TOO-LARGE', params: { max_length: 176_000 } });
      // bytes, not characters
      expect(key(validateAvatar(`data:image/png;base64,${E2.repeat(88_000)}`, profile))).toBe('E-AVATAR-TOO-LARGE');
      // size before format
      expect(key(validateAvatar('x'.repeat(176_001), profile))).toBe('E-AVATAR-TOO-LARGE');
      for (const bad of ['image/png;base64,AAAA', 'data:image/png,AAAA', 'DATA:image/png;base64,AA', 'x']) {
        expect(key(validateServerImage(bad, profile)), bad).toBe('E-SERVER-IMAGE-INVALID-FORMAT');
        expect(key(validateAvatar(bad, profile)), bad).toBe('E-AVATAR-INVALID-FORMAT');
      }
      for (const bad of ['data:image/gif;base64,AA', 'data:IMAGE/PNG;base64,AA', 'data:;base64,AA', 'data:image/png;charset=x;base64,AA']) {
        expect(key(validateServerImage(bad, profile)), bad).toBe('E-SERVER-IMAGE-UNSUPPORTED-TYPE');
        expect(key(validateAvatar(bad, profile)), bad).toBe('E-AVATAR-UNSUPPORTED-TYPE');
      }
      // the base64 body is not decoded in this era
      expect(validateAvatar('data:image/png;base64,!!!not base64', profile)).toBeNull();
    });
  }
});

describe('VAL-LOCALE', () => {
  for (const profile of PROFILES) {
    it(`≤ 16 bytes, no control, empty allowed (${profile})`, () => {
      expect(validateLocale('', profile)).toBeNull();
      expect(validateLocale('l'.repeat(16), profile)).toBeNull();
      expect(validateLocale('l'.repeat(17), profile)).toEqual({ key: 'E-LOCALE-TOO-LONG', params: { max_length: 16 } });
      expect(validateLocale(E2.repeat(8), profile)).toBeNull();
      expect(key(validateLocale(`${E2.repeat(8)}x`, profile))).toBe('E-LOCALE-TOO-LONG');
      expect(key(validateLocale('en\n', profile))).toBe('E-LOCALE-INVALID-CHARACTERS');
      expect(validateLocale('zz-Unknown', profile)).toBeNull();
    });
  }
});

describe('VAL-FEATURES', () => {
  for (const profile of PROFILES) {
    it(`≤ 16 items, then each: non-empty, ≤ 32 bytes, no control (${profile})`, () => {
      expect(validateFeatures([], profile)).toBeNull();
      expect(validateFeatures(Array(16).fill('chat'), profile)).toBeNull();
      expect(validateFeatures(Array(17).fill('chat'), profile)).toEqual({ key: 'E-FEATURES-TOO-MANY', params: { max_count: 16 } });
      expect(key(validateFeatures([...Array(16).fill(''), ''], profile))).toBe('E-FEATURES-TOO-MANY');
      expect(key(validateFeatures(['chat', ''], profile))).toBe('E-FEATURES-EMPTY-FEATURE');
      expect(validateFeatures(['f'.repeat(32)], profile)).toBeNull();
      expect(validateFeatures(['f'.repeat(33)], profile)).toEqual({ key: 'E-FEATURES-FEATURE-TOO-LONG', params: { max_length: 32 } });
      expect(key(validateFeatures([E2.repeat(17)], profile))).toBe('E-FEATURES-FEATURE-TOO-LONG');
      expect(key(validateFeatures(['a\tb'], profile))).toBe('E-FEATURES-INVALID-CHARACTERS');
      // items are checked in order: the first bad item decides
      expect(key(validateFeatures(['a\tb', ''], profile))).toBe('E-FEATURES-INVALID-CHARACTERS');
    });
  }
});

describe('VAL-PERMISSIONS (format)', () => {
  for (const profile of PROFILES) {
    it(`≤ 27 raw items, then each: non-empty, ≤ 32 bytes, newline, control (${profile})`, () => {
      expect(validatePermissionsFormat([], profile)).toBeNull();
      expect(validatePermissionsFormat(Array(27).fill('user_list'), profile)).toBeNull();
      // duplicates count before any removal
      expect(validatePermissionsFormat(Array(28).fill('user_list'), profile)).toEqual({
        key: 'E-PERMISSIONS-TOO-MANY',
        params: { max_count: 27 },
      });
      expect(key(validatePermissionsFormat(['user_list', ''], profile))).toBe('E-PERMISSIONS-EMPTY-PERMISSION');
      expect(validatePermissionsFormat(['p'.repeat(32)], profile)).toBeNull(); // unknown names are not format errors
      expect(validatePermissionsFormat(['p'.repeat(33)], profile)).toEqual({
        key: 'E-PERMISSIONS-PERMISSION-TOO-LONG',
        params: { max_length: 32 },
      });
      expect(key(validatePermissionsFormat([E3.repeat(11)], profile))).toBe('E-PERMISSIONS-PERMISSION-TOO-LONG');
      expect(key(validatePermissionsFormat(['a\nb'], profile))).toBe('E-PERMISSIONS-CONTAINS-NEWLINES');
      expect(key(validatePermissionsFormat(['a\x00b'], profile))).toBe('E-PERMISSIONS-INVALID-CHARACTERS');
    });
  }
});

describe('VAL-VERSION / SES-HS-1', () => {
  it('empty → > 32 bytes → strict SemVer', () => {
    expect(key(validateVersion(''))).toBe('E-VERSION-EMPTY');
    expect(validateVersion(`0.5.0-${'a'.repeat(26)}`)).toBeNull(); // 32 bytes
    expect(validateVersion(`0.5.0-${'a'.repeat(27)}`)).toEqual({ key: 'E-VERSION-TOO-LONG', params: { max_length: 32 } });
    expect(key(validateVersion(`0.5.0-${'é'.repeat(14)}`))).toBe('E-VERSION-TOO-LONG'); // 34 bytes, 20 chars
    for (const ok of ['0.5.0', '1.0.0', '0.5.0-alpha', '0.5.0-alpha.1', '0.5.0+build.7', '0.5.0-rc.1+b.001', '10.20.30']) {
      expect(validateVersion(ok), ok).toBeNull();
    }
    for (const bad of [
      '0.5',
      'v0.5.0',
      '0.05.0',
      '0.5.0 ',
      ' 0.5.0',
      '0.5.0.1',
      '0.5.0-',
      '0.5.0-01',
      'a.b.c',
      '0.5.0+',
      '99999999999999999999.0.0',
    ]) {
      expect(key(validateVersion(bad)), bad).toBe('E-VERSION-INVALID-SEMVER');
    }
    expect(parseSemVer('1.22.333-x')).toEqual({ major: 1, minor: 22, patch: 333 });
  });
});

describe('SES-HS-2/3 versionCompatibility', () => {
  it('majors equal and client minor ≤ server minor; patch and pre-release ignored', () => {
    for (const ok of ['0.5.0', '0.5.99', '0.5.0-alpha', '0.4.0', '0.0.1']) expect(versionCompatibility(ok, '0.5.0'), ok).toBeNull();
    expect(versionCompatibility('1.0.0', '0.5.0')).toEqual({
      key: 'E-VERSION-MAJOR-MISMATCH',
      params: { server_major: 0, client_major: 1 },
    });
    expect(versionCompatibility('0.6.0-beta', '0.5.0')).toEqual({
      key: 'E-VERSION-CLIENT-TOO-NEW',
      params: { client_version: '0.6.0-beta', server_version: '0.5.0' },
    });
    expect(versionCompatibility('1.1.0', '1.3.0')).toBeNull();
    expect(key(versionCompatibility('1.4.0', '1.3.0'))).toBe('E-VERSION-CLIENT-TOO-NEW');
  });
});
