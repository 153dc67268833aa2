// session.md §4 (identity, away per session) and §6 (soft errors, removal notices): the rules the
// other model tests exercise only in passing, stated here on their own.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/types.ts';
import { expectFailure, isClosed, messagesTo, ofType, single, world } from './world.ts';

describe('Session identity (session.md §4)', () => {
  it('SES-ID-1 regular sessions are named by the stored username; users are addressed by nickname, accounts by username', () => {
    const w = world('spec');
    const boss = w.admin('Boss');
    w.account('MixedCase', { permissions: ['user_list'] });
    const mixed = w.session('mixedcase');
    const info = single(w.send(boss.conn, 'UserInfo', { nickname: 'MIXEDCASE' }), boss.conn).body.user as Record<string, unknown>;
    expect(info.username).toBe('MixedCase');
    expect(info.nickname).toBe('MixedCase');
    const edit = single(w.send(boss.conn, 'UserEdit', { username: 'mixedCASE' }), boss.conn).body;
    expect(edit).toMatchObject({ success: true, username: 'MixedCase' });
    // A user is not found by its username through a nickname lookup of another spelling of a shared session.
    expect(mixed.sessionId).toBeGreaterThan(0);
  });

  it('SES-ID-4 away and status belong to the session and vanish with it', () => {
    for (const profile of PROFILES) {
      const w = world(profile);
      const boss = w.admin();
      const first = w.user('amy', { permissions: ['user_list'] });
      w.send(first.conn, 'UserAway', { message: 'lunch' });
      w.close(first.conn);
      w.session('amy');
      const list = single(w.send(boss.conn, 'UserList', {}), boss.conn).body.users as Array<Record<string, unknown>>;
      const amy = list.find((u) => u.username === 'amy')!;
      expect(amy.is_away).toBe(false);
      expect(amy.status ?? null).toBeNull();
    }
  });
});

describe('The generic Error (session.md §6)', () => {
  it('SES-ERR-3 [DIVERGENT-carrier] soft errors: typed response in spec, Error with command in nexusd, connection open', () => {
    for (const [profile, carrier] of [
      ['spec', 'T'],
      ['nexusd', 'E'],
    ] as const) {
      const w = world(profile);
      w.admin();
      const plain = w.user('pat');
      const outs = w.send(plain.conn, 'UserList', { all: false }, 'abcdef012345');
      const out = expectFailure(outs, plain.conn, 'E-PERMISSION-DENIED', carrier);
      expect(out.message.id).toBe('abcdef012345');
      if (carrier === 'E') expect(out.message.body).toMatchObject({ type: 'Error', command: 'UserList' });
      else expect(out.message.body).toMatchObject({ type: 'UserListResponse', success: false });
      expect(isClosed(outs, plain.conn)).toBe(false);
    }
  });

  it('SES-ERR-4 removal notices carry a fresh id: kick with command "UserKick", delete and disable without', () => {
    for (const profile of PROFILES) {
      const w = world(profile);
      const boss = w.admin();
      const kicked = w.user('kim');
      const kick = w.send(boss.conn, 'UserKick', { nickname: 'kim' }, '0123456789ab');
      const kickNotice = messagesTo(kick, kicked.conn).find((m) => m.type === 'Error')!;
      expect(kickNotice.body).toMatchObject({ command: 'UserKick' });
      expect(kickNotice.id).toMatch(/^[0-9a-f]{12}$/);
      expect(kickNotice.id).not.toBe('0123456789ab');

      const deleted = w.user('dan');
      const del = w.send(boss.conn, 'UserDelete', { username: 'dan' });
      const delNotice = messagesTo(del, deleted.conn).find((m) => m.type === 'Error')!;
      expect(delNotice.body.command).toBeUndefined();
      expect(ofType(del, 'Error')[0]!.error!.key).toBe('E-ACCOUNT-DELETED');

      const disabled = w.user('dee');
      const off = w.send(boss.conn, 'UserUpdate', { username: 'dee', requested_enabled: false });
      const offNotice = messagesTo(off, disabled.conn).find((m) => m.type === 'Error')!;
      expect(offNotice.body.command).toBeUndefined();
      expect(ofType(off, 'Error').map((o) => o.error!.key)).toContain('E-ACCOUNT-DISABLED-BY-ADMIN');
    }
  });
});
