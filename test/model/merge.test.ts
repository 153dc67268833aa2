// rules.md §2.2 MERGE-1..6 as pure set arithmetic (merge.ts); the handlers' use of them is
// covered in user-create.test.ts and user-update.test.ts.
import { describe, expect, it } from 'vitest';
import { asSet, delegateCreate, delegateUpdate, firstUnknown, knownOnly, restrictShared, sameSet } from '../../src/model/merge.ts';
import type { Account } from '../../src/model/state.ts';

const account = (permissions: string[], isAdmin = false): Account => ({
  username: 'req',
  passwordDigest: null,
  isAdmin,
  isShared: false,
  enabled: true,
  permissions,
  createdAt: 0,
});
const holder = account(['chat_send', 'chat_receive', 'news_list']);

describe('MERGE-1 UserCreate delegation by a non-admin', () => {
  it('spec: requested ∩ held (seed example: [chat_send, file_download] → [chat_send])', () => {
    expect(delegateCreate(['chat_send', 'file_download'], holder, 'spec')).toEqual({ ok: true, permissions: ['chat_send'] });
  });
  it('nexusd: any name the requester lacks refuses the whole request with E-PERMISSION-DENIED', () => {
    const r = delegateCreate(['chat_send', 'file_download'], holder, 'nexusd');
    expect(r).toMatchObject({ ok: false, key: 'E-PERMISSION-DENIED', rule: 'MERGE-1' });
  });
  it('nexusd: a subset of the held names passes unchanged', () => {
    expect(delegateCreate(['news_list', 'chat_send'], holder, 'nexusd')).toEqual({
      ok: true,
      permissions: ['news_list', 'chat_send'],
    });
  });
});

describe('MERGE-2 UserUpdate delegation by a non-admin', () => {
  const current = ['file_root', 'chat_send', 'user_kick'];
  it('spec: the set is replaced by requested ∩ held; the target loses its other names', () => {
    expect(delegateUpdate(['chat_receive', 'file_download'], holder, current, 'spec')).toEqual({
      ok: true,
      permissions: ['chat_receive'],
    });
  });
  it('nexusd: a requested name the requester lacks refuses the update', () => {
    expect(delegateUpdate(['file_download'], holder, current, 'nexusd')).toMatchObject({
      ok: false,
      key: 'E-PERMISSION-DENIED',
      rule: 'MERGE-2',
    });
  });
  it('nexusd: (current − held) ∪ requested keeps what the requester cannot see', () => {
    const r = delegateUpdate(['chat_receive'], holder, current, 'nexusd');
    expect(r.ok && new Set(r.permissions)).toEqual(new Set(['file_root', 'user_kick', 'chat_receive']));
  });
});

describe('MERGE-3 admin requesters are not filtered', () => {
  const admin = account([], true);
  for (const profile of ['spec', 'nexusd'] as const) {
    it(`${profile}: create and update store exactly the requested names`, () => {
      expect(delegateCreate(['user_kick', 'file_root'], admin, profile)).toEqual({ ok: true, permissions: ['user_kick', 'file_root'] });
      expect(delegateUpdate(['news_list'], admin, ['chat_send'], profile)).toEqual({ ok: true, permissions: ['news_list'] });
    });
  }
});

describe('MERGE-4 unknown names', () => {
  it('UserCreate reports the first unknown name in request order', () => {
    expect(firstUnknown(['chat_send', 'zz_one', 'zz_two'])).toBe('zz_one');
    expect(firstUnknown(['chat_send'])).toBeUndefined();
  });
  it('UserUpdate silently drops them', () => {
    expect(knownOnly(['zz_bogus', 'chat_send', 'ban_create'])).toEqual(['chat_send']);
  });
});

describe('MERGE-5 shared-forbidden names', () => {
  it('spec: known forbidden names are removed, unknown ones are left for MERGE-4', () => {
    expect(restrictShared(['chat_send', 'user_kick', 'zz_bogus'], 'spec')).toEqual({
      ok: true,
      permissions: ['chat_send', 'zz_bogus'],
    });
    expect(restrictShared(['chat_send', 'user_kick'], 'spec')).toEqual({ ok: true, permissions: ['chat_send'] });
  });
  it('nexusd: every offending name as given (repeats, unknowns) joined by ", " in request order', () => {
    expect(restrictShared(['user_kick', 'chat_send', 'zz_bogus', 'user_kick'], 'nexusd')).toEqual({
      ok: false,
      key: 'E-SHARED-INVALID-PERMISSIONS',
      params: { permissions: 'user_kick, zz_bogus, user_kick' },
      rule: 'MERGE-5',
    });
  });
  it('nexusd: shared-allowed names pass', () => {
    expect(restrictShared(['user_list', 'user_info'], 'nexusd')).toEqual({ ok: true, permissions: ['user_list', 'user_info'] });
  });
});

describe('GEN-8 permission lists are sets', () => {
  it('duplicates collapse and comparisons ignore order', () => {
    expect(asSet(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(sameSet(['a', 'b', 'b'], ['b', 'a'])).toBe(true);
    expect(sameSet(['a'], ['a', 'b'])).toBe(false);
    expect(delegateCreate(['chat_send', 'chat_send'], holder, 'spec')).toEqual({ ok: true, permissions: ['chat_send'] });
  });
});
