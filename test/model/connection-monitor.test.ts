// rules.md §4.12 ConnectionMonitor (CM-1..6), GEN-5, PERM-3.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/types.ts';
import { T0, isClosed, messagesTo, sends, world, type World } from './world.ts';

const monitor = (w: World, conn: string) => messagesTo(w.send(conn, 'ConnectionMonitor', {}), conn)[0]!;

describe('CM-1 GEN-1 / GEN-2', () => {
  for (const profile of PROFILES) {
    it(`${profile}: before Login → E-NOT-LOGGED-IN + close; removed session → E-AUTHENTICATION + close`, () => {
      const w = world(profile);
      const c = w.connect();
      w.handshake(c);
      let outs = w.send(c, 'ConnectionMonitor', {});
      expect(sends(outs, c)[0]!.error?.key).toBe('E-NOT-LOGGED-IN');
      expect(isClosed(outs, c)).toBe(true);
      const a = w.admin('boss');
      const conn = w.state.connections[a.conn]!;
      delete w.state.sessions[String(conn.sessionId)];
      conn.sessionId = null;
      conn.phase = 'removed';
      outs = w.send(a.conn, 'ConnectionMonitor', {});
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-AUTHENTICATION');
      expect(isClosed(outs, a.conn)).toBe(true);
    });
  }
});

describe('CM-2 connection_monitor', () => {
  for (const profile of PROFILES) {
    it(`${profile}: without it → typed E-PERMISSION-DENIED in both profiles, stays open`, () => {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_list', 'user_info'] });
      const outs = w.send(a.conn, 'ConnectionMonitor', {});
      expect(messagesTo(outs, a.conn)[0]!.body).toMatchObject({ type: 'ConnectionMonitorResponse', success: false });
      expect(sends(outs, a.conn)[0]!.error?.key).toBe('E-PERMISSION-DENIED');
      expect(isClosed(outs, a.conn)).toBe(false);
    });
    it(`${profile}: GEN-5 admins hold it implicitly; a holder succeeds`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const mon = w.user('mon', { permissions: ['connection_monitor'] });
      expect(monitor(w, boss.conn).body.success).toBe(true);
      expect(monitor(w, mon.conn).body.success).toBe(true);
    });
  }
});

describe('CM-3 / CM-4 one entry per live session, by nickname', () => {
  for (const profile of PROFILES) {
    it(`${profile}: not aggregated, requester included, sorted case-insensitively`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      w.tick(5);
      w.user('alice');
      w.tick(5);
      w.session('alice');
      w.account('shared_acct', { shared: true });
      w.session('shared_acct', { nickname: 'Visitor' });
      w.session('shared_acct', { nickname: 'another' });
      const list = monitor(w, boss.conn).body.connections as Array<Record<string, unknown>>;
      expect(list.map((e) => [e.nickname, e.username, e.login_time, e.is_admin, e.is_shared])).toEqual([
        ['alice', 'alice', T0 + 5, false, false],
        ['alice', 'alice', T0 + 10, false, false],
        ['another', 'shared_acct', T0 + 10, false, true],
        ['boss', 'boss', T0, true, false],
        ['Visitor', 'shared_acct', T0 + 10, false, true],
      ]);
      expect(Object.keys(list[0]!).sort()).toEqual(['ip', 'is_admin', 'is_shared', 'login_time', 'nickname', 'username']);
    });
  }
});

describe('CM-5 [DIVERGENT] ip', () => {
  it('spec: IPv4 peers in the canonical IPv4-mapped form; IPv6 unchanged', () => {
    const w = world('spec');
    const boss = w.admin('boss', { ip: '10.0.0.1' });
    w.user('bob', { ip: '::ffff:192.168.1.100' });
    w.user('carol', { ip: '2001:db8::7' });
    const ips = (monitor(w, boss.conn).body.connections as Array<{ ip: string }>).map((e) => e.ip);
    expect(ips).toEqual(['::ffff:192.168.1.100', '::ffff:10.0.0.1', '2001:db8::7']);
  });
  it('nexusd: as the listener reported it, without port', () => {
    const w = world('nexusd');
    const boss = w.admin('boss', { ip: '10.0.0.1' });
    w.user('bob', { ip: '::ffff:192.168.1.100' });
    const ips = (monitor(w, boss.conn).body.connections as Array<{ ip: string }>).map((e) => e.ip);
    expect(ips).toEqual(['::ffff:192.168.1.100', '10.0.0.1']);
  });
});

describe('CM-6 / PERM-3 shared accounts cannot monitor', () => {
  it('a shared account created with connection_monitor does not hold it (spec removes it)', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    w.send(boss.conn, 'UserCreate', {
      username: 'shared_acct',
      password: 'pw',
      is_admin: false,
      is_shared: true,
      enabled: true,
      permissions: ['connection_monitor', 'user_list'],
    });
    const v = w.session('shared_acct', { nickname: 'Visitor' });
    expect(sends(w.send(v.conn, 'ConnectionMonitor', {}), v.conn)[0]!.error?.key).toBe('E-PERMISSION-DENIED');
  });
  it('entries carry exactly the era members (later upstream adds port/transfers; harness ignores)', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const body = monitor(w, boss.conn).body;
    expect(Object.keys(body).sort()).toEqual(['connections', 'success', 'type']);
  });
});
