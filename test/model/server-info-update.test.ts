// rules.md §4.11 ServerInfoUpdate (ADM-SINFO-1..11), VAL-SERVER-*, VAL-LIMIT, BC-6, ADMP-5, GEN-4.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/types.ts';
import { closes, messagesTo, recipients, sends, world, type World } from './world.ts';

type Outs = ReturnType<World['send']>;
const sinfo = (w: World, conn: string, body: Record<string, unknown>) => w.send(conn, 'ServerInfoUpdate', body);
const answer = (outs: Outs, conn: string) =>
  sends(outs, conn).find((o) => o.message.type === 'ServerInfoUpdateResponse' || o.message.type === 'Error')!;
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('ADM-SINFO-1 / ADM-SINFO-2 session checks never close in nexusd', () => {
  it('nexusd: E-NOT-LOGGED-IN and E-AUTHENTICATION as Error, connection open', () => {
    const w = world('nexusd');
    const c = w.connect();
    w.handshake(c);
    const pre = sinfo(w, c, { name: 'x' });
    expect(answer(pre, c).error?.key).toBe('E-NOT-LOGGED-IN');
    expect(closes(pre, c)).toEqual([]);
    const boss = w.admin('boss');
    const k = w.user('k', { permissions: ['user_kick'] });
    w.state.accounts.boss!.isAdmin = false; // so it can be kicked
    w.send(k.conn, 'UserKick', { nickname: 'boss' });
    const gone = sinfo(w, boss.conn, { name: 'x' });
    expect(answer(gone, boss.conn).message.body).toEqual({ type: 'Error', message: 'Authentication error', command: 'ServerInfoUpdate' });
    expect(closes(gone, boss.conn)).toEqual([]);
  });
  it('spec: Error with an optional close (reference: close)', () => {
    const w = world('spec');
    const c = w.connect();
    w.handshake(c);
    const pre = sinfo(w, c, { name: 'x' });
    expect(answer(pre, c).error?.key).toBe('E-NOT-LOGGED-IN');
    expect(closes(pre, c)[0]!.accept).toEqual({ optional: true });
  });
});

describe('ADM-SINFO-3 / ADMP-5 admins only (GEN-4 carrier)', () => {
  it('spec: typed "Permission denied"; nexusd: Error "Admin privileges required"; holding every permission is not enough', () => {
    for (const [profile, body] of [
      ['spec', { type: 'ServerInfoUpdateResponse', success: false, error: 'Permission denied' }],
      ['nexusd', { type: 'Error', message: 'Admin privileges required', command: 'ServerInfoUpdate' }],
    ] as const) {
      const w = world(profile);
      const a = w.user('alice', { permissions: ['user_create', 'user_edit', 'user_delete', 'user_kick', 'connection_monitor'] });
      const outs = sinfo(w, a.conn, { name: 'Mine' });
      expect(answer(outs, a.conn).message.body).toEqual(body);
      expect(answer(outs, a.conn).error?.key).toBe('E-ADMIN-REQUIRED');
      expect(closes(outs)).toEqual([]);
      expect(w.state.serverInfo.name).toBe('Nexus BBS');
    }
  });
});

describe('ADM-SINFO-4 at least one member', () => {
  for (const profile of PROFILES) {
    it(`${profile}: none, or only nulls → E-NO-FIELDS-TO-UPDATE`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      expect(answer(sinfo(w, boss.conn, {}), boss.conn).error?.key).toBe('E-NO-FIELDS-TO-UPDATE');
      const outs = sinfo(w, boss.conn, { name: null, image: null });
      expect(answer(outs, boss.conn).error?.key).toBe('E-NO-FIELDS-TO-UPDATE');
      expect(answer(outs, boss.conn).message.type).toBe(profile === 'spec' ? 'ServerInfoUpdateResponse' : 'Error');
    });
  }
});

describe('ADM-SINFO-5 / ADM-SINFO-6 / ADM-SINFO-7 / ADM-SINFO-8 validation order; ADM-SINFO-9 / GEN-9 nothing written on failure', () => {
  for (const profile of PROFILES) {
    it(`${profile}: VAL-SERVER-NAME, VAL-SERVER-DESCRIPTION, VAL-SERVER-IMAGE, then VAL-LIMIT — the first failure wins`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const all = { name: '   ', description: 'a\nb', image: 'nope', max_connections_per_ip: 0, max_transfers_per_ip: 0 };
      const key = (o: Record<string, unknown>) => answer(sinfo(w, boss.conn, o), boss.conn).error?.key;
      expect(key(all)).toBe('E-SERVER-NAME-EMPTY');
      expect(key({ ...all, name: 'ok' })).toBe('E-SERVER-DESCRIPTION-CONTAINS-NEWLINES');
      expect(key({ ...all, name: 'ok', description: 'ok' })).toBe('E-SERVER-IMAGE-INVALID-FORMAT');
      expect(key({ name: 'ok', image: 'data:image/gif;base64,R0lG' })).toBe('E-SERVER-IMAGE-UNSUPPORTED-TYPE');
      expect(key({ name: 'x'.repeat(65) })).toBe('E-SERVER-NAME-TOO-LONG');
      expect(key({ name: 'a\u0007' })).toBe('E-SERVER-NAME-INVALID-CHARACTERS');
      expect(key({ description: 'd'.repeat(513) })).toBe('E-SERVER-DESCRIPTION-TOO-LONG');
      expect(key({ image: 'data:image/png;base64,' + 'A'.repeat(700_000) })).toBe('E-SERVER-IMAGE-TOO-LARGE');
      expect(w.state.serverInfo).toMatchObject({ name: 'Nexus BBS', description: '', image: '', max_connections_per_ip: 5 });
    });
  }
  it('VAL-SERVER-DESCRIPTION [DIVERGENT]: 300 characters pass in spec (≤ 512), fail in nexusd (≤ 256 bytes)', () => {
    for (const [profile, ok] of [
      ['spec', true],
      ['nexusd', false],
    ] as const) {
      const w = world(profile);
      const boss = w.admin('boss');
      expect(answer(sinfo(w, boss.conn, { description: 'd'.repeat(300) }), boss.conn).message.body.success === true).toBe(ok);
    }
  });
  it('VAL-LIMIT [DIVERGENT] spec: ≥ 1, connections checked first', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    const both = sinfo(w, boss.conn, { name: 'New', max_connections_per_ip: 0, max_transfers_per_ip: 0 });
    expect(answer(both, boss.conn).error?.key).toBe('E-MAX-CONNECTIONS-PER-IP-INVALID');
    expect(answer(sinfo(w, boss.conn, { max_transfers_per_ip: 0 }), boss.conn).error?.key).toBe('E-MAX-TRANSFERS-PER-IP-INVALID');
    expect(w.state.serverInfo.name).toBe('Nexus BBS');
  });
  it('VAL-LIMIT [DIVERGENT] nexusd: 0 is accepted (unlimited)', () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    expect(answer(sinfo(w, boss.conn, { max_connections_per_ip: 0, max_transfers_per_ip: 0 }), boss.conn).message.body.success).toBe(true);
    expect(w.state.serverInfo).toMatchObject({ max_connections_per_ip: 0, max_transfers_per_ip: 0 });
  });
});

describe('ADM-SINFO-9 / ADM-SINFO-10 / BC-6 success', () => {
  for (const profile of PROFILES) {
    it(`${profile}: every given member persisted; complete ServerInfo to every live session (own copy per WIRE-ORD-2)`, () => {
      const w = world(profile);
      const boss = w.admin('boss');
      const blind = w.user('blind'); // no permission filter
      const outs = sinfo(w, boss.conn, { name: 'My BBS', description: 'Hi', image: PNG, max_transfers_per_ip: 2 });
      expect(answer(outs, boss.conn).message.body).toEqual({ type: 'ServerInfoUpdateResponse', success: true });
      expect(recipients(outs, 'ServerInfoUpdated').sort()).toEqual([boss.conn, blind.conn].sort());
      expect(messagesTo(outs, blind.conn)[0]!.body).toEqual({
        type: 'ServerInfoUpdated',
        server_info: {
          name: 'My BBS',
          description: 'Hi',
          version: '0.5.0',
          transfer_port: 7501,
          max_connections_per_ip: 5,
          max_transfers_per_ip: 2,
          image: PNG,
        },
      });
      const mine = sends(outs, boss.conn);
      expect(mine.map((o) => o.message.type)).toEqual(['ServerInfoUpdateResponse', 'ServerInfoUpdated']);
      expect(mine[1]!.accept?.anyOrderWithResponse === true).toBe(profile === 'spec');
    });
  }
  it('SES-SI-7 [DIVERGENT] a cleared image is null in spec and "" in nexusd', () => {
    for (const [profile, image] of [
      ['spec', null],
      ['nexusd', ''],
    ] as const) {
      const w = world(profile);
      const boss = w.admin('boss');
      sinfo(w, boss.conn, { image: PNG });
      const outs = sinfo(w, boss.conn, { image: '' });
      expect(w.state.serverInfo.image).toBe('');
      expect((messagesTo(outs, boss.conn)[1]!.body.server_info as { image: unknown }).image).toBe(image);
    }
  });
});

describe('ADM-SINFO-11 new limits apply to later connections only', () => {
  for (const profile of PROFILES) {
    it(`${profile}: existing connections stay; a new one beyond the limit is dropped`, () => {
      const w = world(profile);
      const ip = '192.0.2.1';
      const boss = w.admin('boss', { ip });
      const other = w.user('other', { ip });
      const outs = sinfo(w, boss.conn, { max_connections_per_ip: 1 });
      expect(closes(outs)).toEqual([]);
      expect(w.state.connections[other.conn]).toBeDefined();
      w.connect(ip);
      expect(closes(w.last)[0]!.reason).toBe('ip-limit');
    });
  }
});
