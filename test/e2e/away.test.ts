// Away family over real sockets: UserAway / UserBack / UserStatus answer the requester and send
// UserUpdated (BC-4) to user_list holders only, requester included when it holds user_list;
// USR-STATUS-3 divergence; failures change nothing; away inheritance of a second session (SES-ID-3).
import { beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/protocol/types.ts';
import {
  EPOCH,
  PROFILES,
  T,
  ask,
  barrier,
  bodies,
  bodyOf,
  createUser,
  drain,
  expectQuiet,
  failure,
  login,
  withAdmin,
  type Body,
  type Client,
  type Server,
} from './support.ts';
import { perTest } from '../support/per-test.ts';

const pt = perTest();

interface World {
  s: Server;
  admin: Client;
  alice: Client;
  bob: Client;
  visitor: Client;
}

/** alice holds user_list, bob holds nothing, lobby (shared, user_list) is online as "Visitor". */
async function world(profile: Profile): Promise<World> {
  const { s, admin } = await withAdmin(pt, profile);
  await createUser(admin, 'alice', 'alicepw', { permissions: ['user_list'] });
  await createUser(admin, 'bob', 'bobpw', { permissions: [] });
  await createUser(admin, 'lobby', 'lobbypw', { isShared: true, permissions: ['user_list'] });
  s.clock.now = EPOCH + 10;
  const alice = await login(s, 'alice', 'alicepw');
  const bob = await login(s, 'bob', 'bobpw');
  const visitor = await login(s, 'lobby', 'lobbypw', { nickname: 'Visitor' });
  for (const c of [admin, alice, bob, visitor]) await drain(c);
  return { s, admin, alice, bob, visitor };
}

function aliceView(w: World, away: boolean, status?: string): Body {
  return {
    username: 'alice',
    nickname: 'alice',
    login_time: EPOCH + 10,
    is_admin: false,
    is_shared: false,
    session_ids: [w.alice.sessionId],
    locale: 'en',
    is_away: away,
    ...(status !== undefined ? { status } : {}),
  };
}

describe.each(PROFILES)('away (%s)', (profile) => {
  let w: World;
  beforeEach(async () => {
    w = await world(profile);
  });

  /**
   * Sends from `who`, checks the success answer, and returns the requester's own broadcast copies.
   * WIRE-ORD-2: `nexusd` answers first; `spec` allows either order (the reference answers first).
   */
  async function act(who: Client, type: string, body: Body): Promise<Body[]> {
    const r = await who.conn.request(type, body, T);
    expect(bodyOf(r)).toEqual({ type: `${type}Response`, success: true });
    const own = await barrier(who.conn);
    if (profile === 'nexusd') expect(own.filter((o) => o.seq < r.seq)).toEqual([]);
    return bodies(own);
  }

  it('UserAway with a message: UserUpdated to every user_list holder, requester included; not to bob (BC-4, USR-AWAY-5)', async () => {
    const expected = { type: 'UserUpdated', previous_username: 'alice', user: aliceView(w, true, 'grabbing lunch') };
    expect(await act(w.alice, 'UserAway', { message: 'grabbing lunch' })).toEqual([expected]);
    expect(await drain(w.admin)).toEqual([expected]);
    expect(await drain(w.visitor)).toEqual([expected]);
    await expectQuiet(w.bob);
    // Later lists show it.
    const list = await ask(w.admin, 'UserList', {});
    expect((list.users as Body[]).find((u) => u.nickname === 'alice')).toEqual(aliceView(w, true, 'grabbing lunch'));
  });

  it('UserStatus keeps the away flag in spec and clears it in nexusd (USR-STATUS-3); UserBack clears both (USR-BACK-2)', async () => {
    await act(w.alice, 'UserAway', { message: null });
    const away = { type: 'UserUpdated', previous_username: 'alice', user: aliceView(w, true) };
    expect(await drain(w.admin)).toEqual([away]);
    expect(await drain(w.visitor)).toEqual([away]);

    const afterStatus = { type: 'UserUpdated', previous_username: 'alice', user: aliceView(w, profile === 'spec', 'working') };
    expect(await act(w.alice, 'UserStatus', { status: 'working' })).toEqual([afterStatus]);
    expect(await drain(w.admin)).toEqual([afterStatus]);
    expect(await drain(w.visitor)).toEqual([afterStatus]);

    const back = { type: 'UserUpdated', previous_username: 'alice', user: aliceView(w, false) };
    expect(await act(w.alice, 'UserBack', {})).toEqual([back]);
    expect(await drain(w.admin)).toEqual([back]);
    expect(await drain(w.visitor)).toEqual([back]);

    // UserStatus {status:null} clears the status.
    await act(w.alice, 'UserStatus', { status: 'x' });
    expect(await act(w.alice, 'UserStatus', { status: null })).toEqual([back]);
    await drain(w.admin);
    await drain(w.visitor);
    await expectQuiet(w.bob);
  });

  it('a shared session reports itself, previous_username = the shared account (BC-4)', async () => {
    const expected = {
      type: 'UserUpdated',
      previous_username: 'lobby',
      user: {
        username: 'lobby',
        nickname: 'Visitor',
        login_time: EPOCH + 10,
        is_admin: false,
        is_shared: true,
        session_ids: [w.visitor.sessionId],
        locale: 'en',
        is_away: true,
        status: 'afk',
      },
    };
    expect(await act(w.visitor, 'UserAway', { message: 'afk' })).toEqual([expected]);
    expect(await drain(w.admin)).toEqual([expected]);
    expect(await drain(w.alice)).toEqual([expected]);
    await expectQuiet(w.bob);
  });

  it('a requester without user_list gets only its answer; the holders get the update (BC-4)', async () => {
    expect(await act(w.bob, 'UserAway', { message: 'brb' })).toEqual([]);
    const expected = {
      type: 'UserUpdated',
      previous_username: 'bob',
      user: expect.objectContaining({ username: 'bob', nickname: 'bob', is_away: true, status: 'brb', session_ids: [w.bob.sessionId] }),
    };
    expect(await drain(w.admin)).toEqual([expected]);
    expect(await drain(w.alice)).toEqual([expected]);
    expect(await drain(w.visitor)).toEqual([expected]);
  });

  it('failures are typed, keep the connection and broadcast nothing (VAL-STATUS, USR-AWAY-2, USR-STATUS-1)', async () => {
    expect(await ask(w.alice, 'UserAway', { message: 'two\nlines' })).toEqual(failure(w.s, 'UserAway', 'T', 'E-STATUS-CONTAINS-NEWLINES'));
    expect(await ask(w.alice, 'UserStatus', { status: 'tab\there' })).toEqual(
      failure(w.s, 'UserStatus', 'T', 'E-STATUS-INVALID-CHARACTERS'),
    );
    await expectQuiet(w.alice, w.admin, w.visitor, w.bob);
    expect(w.s.state().sessions[String(w.alice.sessionId)]).toMatchObject({ isAway: false, status: null });
  });

  it('a second session inherits away/status; UserConnected shows it in spec, cleared in nexusd (SES-ID-3, SES-BC-2)', async () => {
    await act(w.alice, 'UserAway', { message: 'lunch' });
    await drain(w.admin);
    w.s.clock.now = EPOCH + 20;
    const alice2 = await login(w.s, 'alice', 'alicepw');
    const user = {
      username: 'alice',
      nickname: 'alice',
      login_time: EPOCH + 20,
      is_admin: false,
      is_shared: false,
      session_ids: [alice2.sessionId],
      locale: 'en',
      is_away: profile === 'spec',
      ...(profile === 'spec' ? { status: 'lunch' } : {}),
    };
    expect(await drain(w.admin)).toEqual([{ type: 'UserConnected', user }]);
    expect(await drain(w.alice)).toEqual([{ type: 'UserConnected', user }]);
    await expectQuiet(alice2, w.bob);
    // The aggregated entry takes away/status from the latest login (SES-ID-2), both profiles.
    const list = await ask(w.admin, 'UserList', {});
    expect((list.users as Body[]).find((u) => u.nickname === 'alice')).toMatchObject({
      session_ids: [w.alice.sessionId, alice2.sessionId],
      login_time: EPOCH + 10,
      is_away: true,
      status: 'lunch',
    });
  });
});
