import { describe, expect, it } from 'vitest';
import {
  ERROR_CATALOGUE,
  ERROR_KEYS,
  FSI,
  PDI,
  classifyError,
  errorMatches,
  renderError,
  stripIsolation,
  templateOf,
  templateParams,
} from '../../src/model/errors.ts';
import type { ErrorParams } from '../../src/model/events.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import { SPEC_ERROR_KEYS } from '../../src/report/spec-ids.ts';

/** Text values for every text parameter a key uses (numeric ones fall back to the catalogue defaults). */
function sampleParams(key: string): ErrorParams {
  const params: ErrorParams = {};
  for (const p of templateParams(ERROR_CATALOGUE[key as `E-${string}`]!.nexusd)) {
    if (p === 'server_major') params[p] = 1;
    else if (p === 'client_major') params[p] = 0;
    else if (!['max_length', 'max_count'].includes(p)) params[p] = `v-${p}`;
  }
  return params;
}

describe('errors.md catalogue', () => {
  it('holds exactly the keys of errors.md', () => {
    // SPEC_ERROR_KEYS is read from errors.md itself (scripts/gen-spec-ids.ts; test/report/spec-ids.test.ts keeps it current).
    expect([...ERROR_KEYS].sort()).toEqual([...SPEC_ERROR_KEYS].sort());
  });

  it('marks internal and out-of-era keys unreachable, profile-only keys per profile', () => {
    const unreachable = ERROR_KEYS.filter((k) => !ERROR_CATALOGUE[k]!.reachable.spec && !ERROR_CATALOGUE[k]!.reachable.nexusd);
    expect(unreachable.sort()).toEqual(
      [
        'E-DATABASE',
        'E-FAILED-TO-CREATE-USER',
        'E-MESSAGE-NOT-SUPPORTED',
        'E-VERSION-MINOR-MISMATCH',
        'E-UPDATE-FAILED',
        'E-CANNOT-DEMOTE-LAST-ADMIN',
        'E-CANNOT-DISABLE-LAST-ADMIN',
        'E-CANNOT-DELETE-LAST-ADMIN',
      ].sort(),
    );
    expect(ERROR_CATALOGUE['E-MAX-CONNECTIONS-PER-IP-INVALID']!.reachable).toEqual({ spec: true, nexusd: false });
    expect(ERROR_CATALOGUE['E-MAX-TRANSFERS-PER-IP-INVALID']!.reachable).toEqual({ spec: true, nexusd: false });
    expect(ERROR_CATALOGUE['E-SHARED-INVALID-PERMISSIONS']!.reachable).toEqual({ spec: false, nexusd: true });
  });

  for (const profile of PROFILES) {
    it(`renders every key in ${profile} without leftover placeholders`, () => {
      for (const key of ERROR_KEYS) {
        const text = renderError(key, sampleParams(key), profile);
        expect(text.length, key).toBeGreaterThan(0);
        expect(text, key).not.toMatch(/\{[a-z_]+\}/);
      }
    });

    it(`classifies every rendering back to its key (${profile})`, () => {
      for (const key of ERROR_KEYS) {
        const text = renderError(key, sampleParams(key), profile);
        expect(classifyError(text), `${key}: ${text}`).toContain(key);
        expect(errorMatches(text, key, sampleParams(key), profile, 'exact'), key).toBe(true);
        expect(errorMatches(text, key, sampleParams(key), profile, 'key'), key).toBe(true);
        expect(errorMatches(text, key, sampleParams(key), profile, 'lenient'), key).toBe(true);
      }
    });
  }

  it('nexusd wraps every parameter in isolation marks, spec renders them bare', () => {
    expect(renderError('E-ACCOUNT-DISABLED', { username: 'Bob' }, 'nexusd')).toBe(`Account '${FSI}Bob${PDI}' is disabled`);
    expect(renderError('E-USERNAME-TOO-LONG', {}, 'nexusd')).toBe(`Username is too long (max ${FSI}32${PDI} characters)`);
    expect(renderError('E-NICKNAME-NOT-ONLINE', { nickname: 'unknown' }, 'spec')).toBe("User 'unknown' is not online");
    for (const key of ERROR_KEYS) {
      const params = sampleParams(key);
      const n = templateParams(templateOf(key, 'nexusd')).length;
      const text = renderError(key, params, 'nexusd');
      expect(text.split(FSI).length - 1, key).toBe(n);
      expect(text.split(PDI).length - 1, key).toBe(n);
      expect(renderError(key, params, 'spec'), key).not.toMatch(/[\u2068\u2069]/);
    }
  });

  it('uses the seed wording in spec and the nexusd wording where the seeds give none', () => {
    expect(renderError('E-USERNAME-TOO-LONG', { max_length: 32 }, 'spec')).toBe('Username too long');
    expect(renderError('E-ADMIN-REQUIRED', {}, 'spec')).toBe('Permission denied');
    expect(renderError('E-ADMIN-REQUIRED', {}, 'nexusd')).toBe('Admin privileges required');
    expect(renderError('E-STATUS-TOO-LONG', {}, 'spec')).toBe('Status message is too long (max 128 characters)');
    expect(renderError('E-PERMISSIONS-TOO-MANY', {}, 'spec')).toBe('Too many permissions (max 27)');
  });

  it('numeric parameters default to the validator limits of errors.md', () => {
    const plain = (k: `E-${string}`) => stripIsolation(renderError(k, {}, 'nexusd'));
    expect(plain('E-PASSWORD-TOO-LONG')).toBe('Password is too long (max 256 characters)');
    expect(plain('E-AVATAR-TOO-LARGE')).toBe('Avatar is too large (max 176000 characters)');
    expect(plain('E-FEATURES-TOO-MANY')).toBe('Too many features (max 16)');
    expect(plain('E-SERVER-DESCRIPTION-TOO-LONG')).toBe('Server description is too long (max 256 characters)');
  });

  it('refuses to render an unknown key or a missing text parameter', () => {
    expect(() => renderError('E-NOPE', {}, 'spec')).toThrow(/unknown error key/);
    expect(() => renderError('E-USER-NOT-FOUND', {}, 'nexusd')).toThrow(/missing parameter username/);
  });

  it('stripIsolation removes only U+2068 and U+2069', () => {
    expect(stripIsolation(`a${FSI}b${PDI}c\u200e`)).toBe('abc\u200e');
  });

  it('"Permission denied" stands for several keys', () => {
    expect(classifyError('Permission denied').sort()).toEqual(['E-ADMIN-REQUIRED', 'E-PERMISSION-DENIED']);
    expect(classifyError('Invalid image format').sort()).toEqual(['E-SERVER-IMAGE-INVALID-FORMAT', 'E-SERVER-IMAGE-UNSUPPORTED-TYPE']);
  });

  it('maps the docs-only labels of errors.md §7 and the seed label "User not online"', () => {
    expect(classifyError('User not online')).toEqual(['E-NICKNAME-NOT-ONLINE']);
    expect(classifyError('User is not online')).toEqual(['E-NICKNAME-NOT-ONLINE']);
    expect(classifyError('Account is disabled')).toEqual(['E-ACCOUNT-DISABLED']);
    expect(classifyError('Guest access is not enabled')).toEqual(['E-GUEST-DISABLED']);
    expect(classifyError('Nickname is required')).toEqual(['E-NICKNAME-REQUIRED']);
    expect(classifyError('Nickname matches existing username')).toEqual(['E-NICKNAME-IS-USERNAME']);
    const unsupported = classifyError('Unsupported protocol version. Server: 0.5.0, Client: 1.0.0');
    expect(unsupported).toEqual(
      expect.arrayContaining(['E-VERSION-MAJOR-MISMATCH', 'E-VERSION-CLIENT-TOO-NEW', 'E-VERSION-MINOR-MISMATCH']),
    );
    expect(classifyError('Invalid handshake')).toEqual(expect.arrayContaining(['E-VERSION-EMPTY', 'E-VERSION-INVALID-SEMVER']));
    expect(classifyError('Connection timed out')).toEqual([]);
  });

  it('classifies real nexusd strings with marks and other parameter values', () => {
    expect(classifyError(`Too many permissions (max ${FSI}31${PDI})`)).toEqual(['E-PERMISSIONS-TOO-MANY']);
    expect(classifyError(`Username '${FSI}Zoë${PDI}' already exists`)).toEqual(['E-USERNAME-EXISTS']);
    expect(classifyError('You have been kicked by boss')).toEqual(['E-KICKED-BY']);
    expect(classifyError('Something else entirely')).toEqual([]);
  });

  it('errorMatches: exact is per profile, lenient takes either profile, key ignores parameters', () => {
    const nexusdText = `User '${FSI}bob${PDI}' not found`;
    expect(errorMatches(nexusdText, 'E-USER-NOT-FOUND', { username: 'bob' }, 'nexusd', 'exact')).toBe(true);
    expect(errorMatches(nexusdText, 'E-USER-NOT-FOUND', { username: 'bob' }, 'spec', 'exact')).toBe(false);
    expect(errorMatches(nexusdText, 'E-USER-NOT-FOUND', { username: 'bob' }, 'spec', 'lenient')).toBe(true);
    expect(errorMatches(nexusdText, 'E-USER-NOT-FOUND', { username: 'alice' }, 'nexusd', 'exact')).toBe(false);
    expect(errorMatches(nexusdText, 'E-USER-NOT-FOUND', { username: 'alice' }, 'nexusd', 'key')).toBe(true);
    expect(errorMatches('User not found', 'E-USER-NOT-FOUND', { username: 'bob' }, 'spec', 'exact')).toBe(true);
    expect(errorMatches('User not found', 'E-CANNOT-KICK-SELF', {}, 'spec', 'lenient')).toBe(false);
  });
});

describe('build-dependent numbers (errors.md: the permissions count N ≥ 27)', () => {
  it('exact matching accepts any count in E-PERMISSIONS-TOO-MANY, in both profiles, and nothing else', () => {
    for (const profile of ['spec', 'nexusd'] as const) {
      for (const n of [27, 39, 120]) {
        expect(
          errorMatches(renderError('E-PERMISSIONS-TOO-MANY', { max_count: n }, 'nexusd'), 'E-PERMISSIONS-TOO-MANY', {}, profile, 'exact'),
        ).toBe(true);
      }
      expect(errorMatches('Too many permissions (max many)', 'E-PERMISSIONS-TOO-MANY', {}, profile, 'exact')).toBe(false);
      expect(errorMatches('Too many features (max 27)', 'E-PERMISSIONS-TOO-MANY', {}, profile, 'exact')).toBe(false);
      // Fixed limits stay exact.
      expect(
        errorMatches(renderError('E-FEATURES-TOO-MANY', { max_count: 17 }, 'nexusd'), 'E-FEATURES-TOO-MANY', {}, profile, 'exact'),
      ).toBe(false);
    }
  });
});
