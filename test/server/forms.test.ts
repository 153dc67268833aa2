// forms.ts: the other allowed forms a variant server writes for the model's annotated outputs.
// Each form changes exactly what its annotation allows and nothing else; without forms the server
// writes the reference's outputs (rules.md §8).
import { describe, expect, it } from 'vitest';
import type { Event, Output, SendOutput } from '../../src/model/events.ts';
import { applyForms } from '../../src/server/forms.ts';
import { world } from '../model/world.ts';

const sendsOf = (outs: Output[]) => outs.filter((o): o is SendOutput => o.kind === 'send');
const shape = (outs: Output[]) => outs.map((o) => (o.kind === 'close' ? `${o.conn} close` : `${o.conn} ${o.message.type}`));
const frameEvent = (conn: string, id: string): Event => ({
  kind: 'frame',
  conn,
  frame: { type: 'UserAway', id, payload: new Uint8Array() },
  now: 0,
});

describe('applyForms', () => {
  it('without forms: the reference writes (a notSentByReference frame is left out)', () => {
    const w = world('spec');
    const boss = w.admin('boss');
    w.user('bob', { permissions: ['chat_send'] });
    const outs = w.send(boss.conn, 'UserUpdate', { username: 'bob', requested_permissions: ['chat_send'] });
    expect(shape(applyForms(outs, frameEvent(boss.conn, 'x'), undefined))).not.toContain(expect.stringContaining('PermissionsUpdated'));
    const seen: string[] = [];
    const sent = applyForms(outs, frameEvent(boss.conn, 'x'), { sendUnsent: true }, (s) => seen.push(s));
    expect(sendsOf(sent).map((o) => o.message.type)).toContain('PermissionsUpdated');
    expect(seen).toEqual(['sendUnsent: PermissionsUpdated']);
  });

  it('carrier: a spec Login failure as LoginResponse {success:false}, the close kept', () => {
    const w = world('spec');
    w.account('someone'); // not a first login (SES-AUTH-2)
    const c = w.connect();
    w.handshake(c);
    const outs = w.login(c, 'nobody', 'pw');
    const id = sendsOf(outs)[0]!.message.id;
    const out = applyForms(outs, frameEvent(c, id), { carrier: 'other' });
    expect(shape(out)).toEqual([`${c} LoginResponse`, `${c} close`]);
    expect(sendsOf(out)[0]!.message).toMatchObject({
      id,
      body: { type: 'LoginResponse', success: false, error: 'Invalid username or password' },
    });
  });

  it('carrier: ADM-CREATE-6 in spec as Error (other) or Error with a close (last)', () => {
    const w = world('spec');
    const mod = w.user('mod', { permissions: ['user_create'] });
    const outs = w.send(mod.conn, 'UserCreate', { username: 'x1', password: 'pw', is_admin: true, enabled: true, permissions: [] });
    const id = sendsOf(outs)[0]!.message.id;
    expect(shape(applyForms(outs, frameEvent(mod.conn, id), { carrier: 'other' }))).toEqual([`${mod.conn} Error`]);
    const last = applyForms(outs, frameEvent(mod.conn, id), { carrier: 'last' });
    expect(shape(last)).toEqual([`${mod.conn} Error`, `${mod.conn} close`]);
    expect(sendsOf(last)[0]!.message.body).toEqual({ type: 'Error', message: 'Only admins can create admin users', command: 'UserCreate' });
  });

  it('alternative, optional frames and optional closes', () => {
    const w = world('spec');
    const c = w.connect();
    const outs = w.send(c, 'Handshake', { version: '9.0.0' });
    const alt = applyForms(outs, frameEvent(c, 'x'), { alternative: true });
    expect(sendsOf(alt)[0]!.message.body).not.toHaveProperty('version');
    const d = w.connect();
    w.handshake(d);
    const siu = w.send(d, 'ServerInfoUpdate', { name: 'x' });
    expect(shape(applyForms(siu, frameEvent(d, 'x'), {}))).toEqual([`${d} Error`, `${d} close`]);
    expect(shape(applyForms(siu, frameEvent(d, 'x'), { keepOptionalOpen: true }))).toEqual([`${d} Error`]);
    const e = w.connect();
    const bad = w.event({ kind: 'malformed', conn: e, error: { class: 'BadMagic', rule: 'WIRE-BAD-1', message: 'x' } as never, now: 0 });
    expect(shape(applyForms(bad, { kind: 'malformed', conn: e, error: {} as never, now: 0 }, { omitOptional: true }))).toEqual([
      `${e} close`,
    ]);
  });

  it('copiesFirst: own broadcast copies before the direct response (spec)', () => {
    const w = world('spec');
    const a = w.user('alice', { permissions: ['user_list'] });
    const id = w.nextId();
    const outs = w.send(a.conn, 'UserAway', { message: 'brb' }, id);
    expect(shape(outs).filter((s) => s.startsWith(a.conn))).toEqual([`${a.conn} UserAwayResponse`, `${a.conn} UserUpdated`]);
    const out = applyForms(outs, frameEvent(a.conn, id), { copiesFirst: true });
    expect(shape(out).filter((s) => s.startsWith(a.conn))).toEqual([`${a.conn} UserUpdated`, `${a.conn} UserAwayResponse`]);
  });

  it("lazyClose: a removed session's socket stays open (nexusd SES-KICK-3)", () => {
    const w = world('nexusd');
    const boss = w.admin('boss');
    const bob = w.user('bob');
    const outs = w.send(boss.conn, 'UserKick', { nickname: 'bob' });
    expect(shape(applyForms(outs, frameEvent(boss.conn, 'x'), {}))).toContain(`${bob.conn} close`);
    expect(shape(applyForms(outs, frameEvent(boss.conn, 'x'), { lazyClose: true }))).not.toContain(`${bob.conn} close`);
  });

  it("earliestLocale: aggregated entries take their earliest session's locale (UND-14)", () => {
    const w = world('spec');
    const viewer = w.user('viewer', { permissions: ['user_list'] });
    w.account('alice');
    w.session('alice', { locale: 'fr' });
    w.session('alice', { locale: 'de' });
    const outs = w.send(viewer.conn, 'UserList', {});
    const entry = (o: Output[]) =>
      (sendsOf(o)[0]!.message.body.users as Array<Record<string, unknown>>).find((u) => u.username === 'alice')!;
    expect(entry(outs).locale).toBe('de');
    expect(entry(applyForms(outs, frameEvent(viewer.conn, 'x'), { earliestLocale: true })).locale).toBe('fr');
  });
});
