// Admin family over real sockets, both profiles: UserCreate, UserEdit, UserUpdate (permission
// change → PermissionsUpdated only to the target's sessions, promotion, rename, disable → notice +
// close), UserDelete of an online account, UserKick of a regular account with two sessions,
// ServerInfoUpdate (ServerInfoUpdated to every session), and failures of each with their carriers.
//
// Every test has the same audience: `Admin` (the first user), `mod` (user_list + user_kick, not
// admin) and `quiet` (no permission at all), plus its own targets.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Received } from '../../src/net/connection.ts';
import type { Profile } from '../../src/protocol/types.ts';
import {
  EPOCH,
  FRESH_ID,
  PROFILES,
  PROTOCOL,
  T,
  ask,
  barrier,
  bodies,
  bodyOf,
  createUser,
  divergent,
  drain,
  expectClosed,
  expectQuiet,
  failure,
  login,
  loginFails,
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
  mod: Client;
  quiet: Client;
}

async function world(profile: Profile): Promise<World> {
  const { s, admin } = await withAdmin(pt, profile);
  await createUser(admin, 'mod', 'modpw', { permissions: ['user_list', 'user_kick'] });
  await createUser(admin, 'quiet', 'quietpw', { permissions: [] });
  const mod = await login(s, 'mod', 'modpw');
  const quiet = await login(s, 'quiet', 'quietpw');
  await settle(admin, mod, quiet);
  return { s, admin, mod, quiet };
}

/** Consumes whatever the clients received so far (login broadcasts of the set-up). */
async function settle(...cs: Client[]): Promise<void> {
  for (const c of cs) await drain(c);
}

/** Permission lists compare as sets (GEN-8): sort them, wherever they appear. */
function norm(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(norm);
  if (v !== null && typeof v === 'object') {
    const o: Body = {};
    for (const [k, x] of Object.entries(v as Body)) {
      o[k] = k === 'permissions' && Array.isArray(x) ? [...(x as string[])].sort() : norm(x);
    }
    return o;
  }
  return v;
}

/** Frames left on a connection the server closed, after checking the close. */
async function lastWords(c: Client): Promise<Received[]> {
  await expectClosed(c.conn);
  return c.conn.unconsumed();
}

describe.each(PROFILES)('admin (%s)', (profile) => {
  let w: World;
  beforeEach(async () => {
    w = await world(profile);
  });

  const serverInfo = (name: string, description: string) => ({
    name,
    description,
    version: PROTOCOL,
    transfer_port: 7501,
    max_connections_per_ip: 64, // support.ts raises the default 5 for many local clients
    max_transfers_per_ip: 3,
    image: profile === 'spec' ? null : '', // SES-SI-7
  });

  it('UserCreate: created as sent, no broadcast (ADM-CREATE-12/13); the account logs in with its permissions', async () => {
    expect(
      await ask(w.admin, 'UserCreate', {
        username: 'Newbie',
        password: 'pw1',
        is_admin: false,
        enabled: true,
        permissions: ['user_info', 'user_list', 'user_info'],
      }),
    ).toEqual({ type: 'UserCreateResponse', success: true, username: 'Newbie' });
    await expectQuiet(w.admin, w.mod, w.quiet);
    const newbie = await login(w.s, 'newbie', 'pw1');
    expect(norm(newbie.login)).toMatchObject({ is_admin: false, permissions: ['user_info', 'user_list'] });
  });

  it('UserCreate failures: name taken (as typed), no user_create (GEN-4), non-admin creating an admin (ADM-CREATE-6)', async () => {
    const create = (username: string, isAdmin = false) => ({
      username,
      password: 'pw',
      is_admin: isAdmin,
      enabled: true,
      permissions: [],
    });
    expect(await ask(w.admin, 'UserCreate', create('MOD'))).toEqual(
      failure(w.s, 'UserCreate', 'T', 'E-USERNAME-EXISTS', { username: 'MOD' }),
    );
    expect(await ask(w.mod, 'UserCreate', create('x1'))).toEqual(failure(w.s, 'UserCreate', divergent(w.s), 'E-PERMISSION-DENIED'));
    await expectQuiet(w.admin, w.mod);

    await createUser(w.admin, 'maker', 'makerpw', { permissions: ['user_create'] });
    const maker = await login(w.s, 'maker', 'makerpw');
    await settle(w.admin, w.mod);
    // `spec`: typed, connection stays (reference choice); `nexusd` era: Error + close.
    const r = await ask(maker, 'UserCreate', create('boss', true));
    if (profile === 'spec') {
      expect(r).toEqual(failure(w.s, 'UserCreate', 'T', 'E-CANNOT-CREATE-ADMIN'));
      await expectQuiet(maker);
    } else {
      expect(r).toEqual(failure(w.s, 'UserCreate', 'E', 'E-CANNOT-CREATE-ADMIN'));
      await expectClosed(maker.conn);
      const gone = { type: 'UserDisconnected', session_id: maker.sessionId, nickname: 'maker' };
      expect(await drain(w.admin)).toEqual([gone]);
      expect(await drain(w.mod)).toEqual([gone]);
    }
    expect(w.s.state().accounts['boss']).toBeUndefined();
    await expectQuiet(w.quiet);
  });

  it("UserCreate by a non-admin: spec intersects with the creator's permissions, nexusd refuses with an open Error (MERGE-1)", async () => {
    await createUser(w.admin, 'maker', 'makerpw', { permissions: ['user_create', 'user_list'] });
    const maker = await login(w.s, 'maker', 'makerpw');
    await settle(w.admin, w.mod);
    const r = await ask(maker, 'UserCreate', {
      username: 'kid',
      password: 'kidpw',
      is_admin: false,
      enabled: true,
      permissions: ['user_list', 'user_kick'],
    });
    if (profile === 'spec') {
      expect(r).toEqual({ type: 'UserCreateResponse', success: true, username: 'kid' });
      expect(w.s.state().accounts['kid']?.permissions).toEqual(['user_list']);
    } else {
      expect(r).toEqual(failure(w.s, 'UserCreate', 'E', 'E-PERMISSION-DENIED'));
      expect(w.s.state().accounts['kid']).toBeUndefined();
    }
    await expectQuiet(maker, w.admin, w.mod, w.quiet);
  });

  it('UserEdit: stored values (ADM-EDIT-6); failures: not found, self, non-admin fetching an admin', async () => {
    await createUser(w.admin, 'Ed', 'edpw', { permissions: ['user_edit', 'user_info'] });
    expect(norm(await ask(w.admin, 'UserEdit', { username: 'ED' }))).toEqual({
      type: 'UserEditResponse',
      success: true,
      username: 'Ed',
      is_admin: false,
      is_shared: false,
      enabled: true,
      permissions: ['user_edit', 'user_info'],
    });
    expect(await ask(w.admin, 'UserEdit', { username: 'ghost' })).toEqual(
      failure(w.s, 'UserEdit', 'T', 'E-USER-NOT-FOUND', { username: 'ghost' }),
    );
    expect(await ask(w.admin, 'UserEdit', { username: 'admin' })).toEqual(failure(w.s, 'UserEdit', 'T', 'E-CANNOT-EDIT-SELF'));
    const ed = await login(w.s, 'ed', 'edpw');
    expect(await ask(ed, 'UserEdit', { username: 'Admin' })).toEqual(failure(w.s, 'UserEdit', 'T', 'E-CANNOT-EDIT-ADMIN'));
    expect(await ask(w.mod, 'UserEdit', { username: 'ed' })).toEqual(failure(w.s, 'UserEdit', 'T', 'E-PERMISSION-DENIED'));
    await settle(w.admin, w.mod);
    await expectQuiet(w.admin, w.mod, w.quiet, ed);
  });

  it('UserUpdate permissions: PermissionsUpdated to both target sessions only; UserUpdated per profile; effect is immediate (BC-5, ADM-UPDATE-14/16, GEN-6)', async () => {
    await createUser(w.admin, 'bob', 'bobpw', { permissions: ['user_list', 'user_info'] });
    w.s.clock.now = EPOCH + 10;
    const bob1 = await login(w.s, 'bob', 'bobpw');
    w.s.clock.now = EPOCH + 20;
    const bob2 = await login(w.s, 'bob', 'bobpw');
    await settle(w.admin, w.mod, bob1);

    const r = await w.admin.conn.request('UserUpdate', { username: 'BOB', requested_permissions: ['user_info', 'chat_topic'] }, T);
    // ADM-UPDATE-14: the name as the request gave it.
    expect(bodyOf(r)).toEqual({ type: 'UserUpdateResponse', success: true, username: 'BOB' });

    const perms = {
      type: 'PermissionsUpdated',
      is_admin: false,
      permissions: ['chat_topic', 'user_info'],
      // `nexusd`: chat_info whenever the target holds chat_topic; `spec`: only on promotion.
      ...(profile === 'nexusd' ? { chat_info: { topic: '', topic_set_by: '' } } : {}),
    };
    const updated = {
      type: 'UserUpdated',
      previous_username: 'bob',
      user: {
        username: 'bob',
        nickname: 'bob',
        login_time: EPOCH + 10,
        is_admin: false,
        is_shared: false,
        session_ids: [bob1.sessionId, bob2.sessionId],
        locale: 'en',
        is_away: false,
      },
    };
    // `spec`: UserUpdated after every successful update of an online account, to everyone;
    // `nexusd`: never for a permission-only change.
    const toAll = profile === 'spec' ? [updated] : [];
    expect(norm(await drain(bob1))).toEqual([perms, ...toAll]);
    expect(norm(await drain(bob2))).toEqual([perms, ...toAll]);
    const own = await barrier(w.admin.conn);
    expect(bodies(own)).toEqual(toAll);
    expect(own.every((x) => x.seq > r.seq)).toBe(true); // reference: answer first (WIRE-ORD-2)
    expect(await drain(w.mod)).toEqual(toAll);
    expect(await drain(w.quiet)).toEqual(toAll);

    // GEN-6: bob lost user_list at once — no UserConnected for him, a denied UserList.
    const late = await login(w.s, 'quiet', 'quietpw');
    expect(await drain(w.mod)).toEqual([{ type: 'UserConnected', user: expect.objectContaining({ session_ids: [late.sessionId] }) }]);
    await expectQuiet(bob1, bob2);
    expect(await ask(bob1, 'UserList', {})).toEqual(failure(w.s, 'UserList', divergent(w.s), 'E-PERMISSION-DENIED'));
  });

  it('UserUpdate promotion: PermissionsUpdated with server/chat info per profile; UserUpdated audience per profile (BC-3, BC-5)', async () => {
    await createUser(w.admin, 'carol', 'carolpw', { permissions: ['user_info'] });
    w.s.clock.now = EPOCH + 10;
    const carol = await login(w.s, 'carol', 'carolpw');
    await settle(w.admin, w.mod);

    expect(await ask(w.admin, 'UserUpdate', { username: 'carol', requested_is_admin: true })).toEqual({
      type: 'UserUpdateResponse',
      success: true,
      username: 'carol',
    });
    const perms =
      profile === 'spec'
        ? {
            type: 'PermissionsUpdated',
            is_admin: true,
            permissions: [],
            server_info: serverInfo('Nexus BBS', ''),
            chat_info: { topic: '', topic_set_by: '' },
          }
        : {
            type: 'PermissionsUpdated',
            is_admin: true,
            permissions: [],
            server_info: { max_connections_per_ip: 64 },
            chat_info: { topic: '', topic_set_by: '' },
          };
    const updated = {
      type: 'UserUpdated',
      previous_username: 'carol',
      user: {
        username: 'carol',
        nickname: 'carol',
        login_time: EPOCH + 10,
        is_admin: true,
        is_shared: false,
        session_ids: [carol.sessionId],
        locale: 'en',
        is_away: false,
      },
    };
    // `spec`: everyone; `nexusd`: user_list holders after the change (carol is admin now; quiet is not).
    expect(await drain(carol)).toEqual([perms, updated]);
    expect(await drain(w.admin)).toEqual([updated]);
    expect(await drain(w.mod)).toEqual([updated]);
    expect(await drain(w.quiet)).toEqual(profile === 'spec' ? [updated] : []);
    // GEN-6: carol now holds everything, ConnectionMonitor included.
    expect(await ask(carol, 'ConnectionMonitor', {})).toMatchObject({ success: true });
  });

  it('UserUpdate rename of an online account: UserUpdated with the new name; old name gone (ADM-UPDATE-16/18)', async () => {
    await createUser(w.admin, 'dave', 'davepw', { permissions: ['user_list'] });
    w.s.clock.now = EPOCH + 10;
    const dave = await login(w.s, 'dave', 'davepw');
    await settle(w.admin, w.mod);

    expect(await ask(w.admin, 'UserUpdate', { username: 'dave', requested_username: 'David' })).toEqual({
      type: 'UserUpdateResponse',
      success: true,
      username: 'David',
    });
    const updated = {
      type: 'UserUpdated',
      previous_username: 'dave',
      user: {
        username: 'David',
        nickname: 'David', // UND-7 reference: the new name
        login_time: EPOCH + 10,
        is_admin: false,
        is_shared: false,
        session_ids: [dave.sessionId],
        locale: 'en',
        is_away: false,
      },
    };
    // No permission or admin change: no PermissionsUpdated in either profile.
    expect(await drain(dave)).toEqual([updated]);
    expect(await drain(w.admin)).toEqual([updated]);
    expect(await drain(w.mod)).toEqual([updated]);
    expect(await drain(w.quiet)).toEqual(profile === 'spec' ? [updated] : []);

    expect(await ask(w.admin, 'UserInfo', { nickname: 'david' })).toMatchObject({ success: true, user: { username: 'David' } });
    expect(await loginFails(w.s, 'dave', 'davepw')).toBe(w.s.err('E-INVALID-CREDENTIALS'));
    await login(w.s, 'DAVID', 'davepw');
    // Renaming onto a taken name fails and changes nothing (ADM-UPDATE-13, GEN-9).
    expect(await ask(w.admin, 'UserUpdate', { username: 'David', requested_username: 'Mod' })).toEqual(
      failure(w.s, 'UserUpdate', 'T', 'E-USERNAME-EXISTS', { username: 'Mod' }),
    );
  });

  it('UserUpdate disable of an online account: notice without command, close, UserDisconnected to user_list holders (SES-FORCE-2)', async () => {
    await createUser(w.admin, 'erin', 'erinpw', { permissions: ['user_info'] });
    w.s.clock.now = EPOCH + 10;
    const erin = await login(w.s, 'erin', 'erinpw');
    await settle(w.admin, w.mod);

    const r = await w.admin.conn.request('UserUpdate', { username: 'erin', requested_enabled: false }, T);
    expect(bodyOf(r)).toEqual({ type: 'UserUpdateResponse', success: true, username: 'erin' });

    const updated = {
      type: 'UserUpdated',
      previous_username: 'erin',
      user: {
        username: 'erin',
        nickname: 'erin',
        login_time: EPOCH + 10,
        is_admin: false,
        is_shared: false,
        session_ids: [erin.sessionId],
        locale: 'en',
        is_away: false,
      },
    };
    const notice = { type: 'Error', message: w.s.err('E-ACCOUNT-DISABLED-BY-ADMIN') };
    const gone = { type: 'UserDisconnected', session_id: erin.sessionId, nickname: 'erin' };
    const last = await lastWords(erin);
    if (profile === 'spec') {
      // Reference: no PermissionsUpdated for a disable-only update; UserUpdated first, then the notice.
      expect(bodies(last)).toEqual([updated, notice]);
    } else {
      // `nexusd`: requested_enabled alone triggers PermissionsUpdated, before the notice.
      expect(bodies(last)).toEqual([{ type: 'PermissionsUpdated', is_admin: false, permissions: ['user_info'] }, notice]);
    }
    expect(last.at(-1)!.raw.id).toMatch(FRESH_ID);
    expect(last.at(-1)!.raw.id).not.toBe(r.raw.id);
    const toAll = profile === 'spec' ? [updated] : [];
    expect(await drain(w.admin)).toEqual([...toAll, gone]);
    expect(await drain(w.mod)).toEqual([...toAll, gone]);
    expect(await drain(w.quiet)).toEqual(toAll);
    expect(w.s.state().sessions[String(erin.sessionId)]).toBeUndefined();
    expect(await loginFails(w.s, 'erin', 'erinpw')).toBe(w.s.err('E-ACCOUNT-DISABLED', { username: 'erin' }));
  });

  it('UserUpdate failures: self edit, no user_edit (GEN-4), unknown target, non-admin touching the admin flag', async () => {
    expect(await ask(w.admin, 'UserUpdate', { username: 'Admin', requested_permissions: ['user_list'] })).toEqual(
      failure(w.s, 'UserUpdate', 'T', 'E-CANNOT-EDIT-SELF'),
    );
    expect(await ask(w.mod, 'UserUpdate', { username: 'quiet', requested_permissions: ['user_list'] })).toEqual(
      failure(w.s, 'UserUpdate', divergent(w.s), 'E-PERMISSION-DENIED'),
    );
    expect(await ask(w.admin, 'UserUpdate', { username: 'ghost', requested_enabled: true })).toEqual(
      failure(w.s, 'UserUpdate', 'T', 'E-USER-NOT-FOUND', { username: 'ghost' }),
    );
    await createUser(w.admin, 'ed', 'edpw', { permissions: ['user_edit'] });
    const ed = await login(w.s, 'ed', 'edpw');
    expect(await ask(ed, 'UserUpdate', { username: 'quiet', requested_is_admin: false })).toEqual(
      failure(w.s, 'UserUpdate', divergent(w.s), 'E-PERMISSION-DENIED'),
    );
    // Self password change needs the current password (ADM-UPDATE-4).
    expect(await ask(w.quiet, 'UserUpdate', { username: 'quiet', requested_password: 'new' })).toEqual(
      failure(w.s, 'UserUpdate', 'T', 'E-CURRENT-PASSWORD-REQUIRED'),
    );
    await settle(w.admin, w.mod);
    // GEN-9: nothing changed, nobody was told anything.
    await expectQuiet(w.admin, w.mod, w.quiet, ed);
    expect(w.s.state().accounts['quiet']).toMatchObject({ permissions: [], isAdmin: false });
  });

  it('UserDelete of an online account: notice, close, UserDisconnected to user_list holders (ADM-DELETE-9/11, SES-FORCE-1)', async () => {
    await createUser(w.admin, 'fred', 'fredpw', { permissions: ['user_list'] });
    const fred = await login(w.s, 'fred', 'fredpw');
    await settle(w.admin, w.mod);

    const r = await w.admin.conn.request('UserDelete', { username: 'FRED' }, T);
    // ADM-DELETE-11: stored casing.
    expect(bodyOf(r)).toEqual({ type: 'UserDeleteResponse', success: true, username: 'fred' });
    const last = await lastWords(fred);
    expect(bodies(last)).toEqual([{ type: 'Error', message: w.s.err('E-ACCOUNT-DELETED') }]);
    expect(last[0]!.raw.id).toMatch(FRESH_ID);
    const gone = { type: 'UserDisconnected', session_id: fred.sessionId, nickname: 'fred' };
    const own = await barrier(w.admin.conn);
    expect(bodies(own)).toEqual([gone]);
    if (profile === 'nexusd') expect(own[0]!.seq).toBeGreaterThan(r.seq); // WIRE-ORD-2
    expect(await drain(w.mod)).toEqual([gone]);
    await expectQuiet(w.quiet);
    expect(w.s.state().accounts['fred']).toBeUndefined();
    expect(await loginFails(w.s, 'fred', 'fredpw')).toBe(w.s.err('E-INVALID-CREDENTIALS'));
  });

  it('UserDelete failures: self, guest, no user_delete, unknown (ADM-DELETE-4..7)', async () => {
    expect(await ask(w.admin, 'UserDelete', { username: 'ADMIN' })).toEqual(failure(w.s, 'UserDelete', 'T', 'E-CANNOT-DELETE-SELF'));
    expect(await ask(w.admin, 'UserDelete', { username: 'Guest' })).toEqual(failure(w.s, 'UserDelete', 'T', 'E-CANNOT-DELETE-GUEST'));
    expect(await ask(w.mod, 'UserDelete', { username: 'quiet' })).toEqual(failure(w.s, 'UserDelete', 'T', 'E-PERMISSION-DENIED'));
    expect(await ask(w.admin, 'UserDelete', { username: 'ghost' })).toEqual(
      failure(w.s, 'UserDelete', 'T', 'E-USER-NOT-FOUND', { username: 'ghost' }),
    );
    await expectQuiet(w.admin, w.mod, w.quiet);
    expect(w.s.state().accounts['quiet']).toBeDefined();
  });

  it('UserKick of a regular account with two sessions: both get the notice and close; two UserDisconnected (SES-KICK-1/2)', async () => {
    await createUser(w.admin, 'gus', 'guspw', { permissions: [] });
    const gus1 = await login(w.s, 'gus', 'guspw');
    const gus2 = await login(w.s, 'gus', 'guspw');
    await settle(w.admin, w.mod);

    const r = await w.mod.conn.request('UserKick', { nickname: 'GUS' }, T);
    expect(bodyOf(r)).toEqual({ type: 'UserKickResponse', success: true, nickname: 'gus' });
    // E-KICKED-BY names the kicker's username; command "UserKick"; fresh id.
    const notice = { type: 'Error', message: w.s.err('E-KICKED-BY', { username: 'mod' }), command: 'UserKick' };
    for (const g of [gus1, gus2]) {
      const last = await lastWords(g);
      expect(bodies(last)).toEqual([notice]);
      expect(last[0]!.raw.id).not.toBe(r.raw.id);
    }
    const gone = [
      { type: 'UserDisconnected', session_id: gus1.sessionId, nickname: 'gus' },
      { type: 'UserDisconnected', session_id: gus2.sessionId, nickname: 'gus' },
    ];
    const own = await barrier(w.mod.conn);
    expect(bodies(own)).toEqual(gone);
    if (profile === 'nexusd') expect(own.every((x) => x.seq > r.seq)).toBe(true); // SES-KICK-1
    expect(await drain(w.admin)).toEqual(gone);
    await expectQuiet(w.quiet);
    expect(
      Object.values(w.s.state().sessions)
        .map((x) => x.nickname)
        .sort(),
    ).toEqual(['Admin', 'mod', 'quiet']);
  });

  it('UserKick of a shared session removes that session only; failures: admin, self, not online, no user_kick', async () => {
    await createUser(w.admin, 'lobby', 'lobbypw', { isShared: true, permissions: [] });
    const one = await login(w.s, 'lobby', 'lobbypw', { nickname: 'One' });
    const two = await login(w.s, 'lobby', 'lobbypw', { nickname: 'Two' });
    await settle(w.admin, w.mod);

    expect(await ask(w.admin, 'UserKick', { nickname: 'one' })).toEqual({ type: 'UserKickResponse', success: true, nickname: 'One' });
    expect(bodies(await lastWords(one))).toEqual([
      { type: 'Error', message: w.s.err('E-KICKED-BY', { username: 'Admin' }), command: 'UserKick' },
    ]);
    const gone = { type: 'UserDisconnected', session_id: one.sessionId, nickname: 'One' };
    expect(await drain(w.admin)).toEqual([gone]);
    expect(await drain(w.mod)).toEqual([gone]);
    await expectQuiet(two, w.quiet);

    expect(await ask(w.mod, 'UserKick', { nickname: 'admin' })).toEqual(failure(w.s, 'UserKick', 'T', 'E-CANNOT-KICK-ADMIN'));
    expect(await ask(w.mod, 'UserKick', { nickname: 'MOD' })).toEqual(failure(w.s, 'UserKick', 'T', 'E-CANNOT-KICK-SELF'));
    expect(await ask(w.mod, 'UserKick', { nickname: 'One' })).toEqual(
      failure(w.s, 'UserKick', 'T', 'E-NICKNAME-NOT-ONLINE', { nickname: 'One' }),
    );
    expect(await ask(w.quiet, 'UserKick', { nickname: 'Two' })).toEqual(failure(w.s, 'UserKick', 'T', 'E-PERMISSION-DENIED'));
    await expectQuiet(w.admin, w.mod, w.quiet, two);
  });

  it('ServerInfoUpdate: ServerInfoUpdated with the full ServerInfo to every session, no permission filter (ADM-SINFO-10, BC-6)', async () => {
    await createUser(w.admin, 'lobby', 'lobbypw', { isShared: true, permissions: [] });
    const visitor = await login(w.s, 'lobby', 'lobbypw', { nickname: 'Visitor' });
    await settle(w.admin, w.mod);

    const r = await w.admin.conn.request('ServerInfoUpdate', { name: 'My BBS', description: 'Welcome!' }, T);
    expect(bodyOf(r)).toEqual({ type: 'ServerInfoUpdateResponse', success: true });
    const updated = { type: 'ServerInfoUpdated', server_info: serverInfo('My BBS', 'Welcome!') };
    const own = await barrier(w.admin.conn);
    expect(bodies(own)).toEqual([updated]);
    if (profile === 'nexusd') expect(own[0]!.seq).toBeGreaterThan(r.seq);
    for (const c of [w.mod, w.quiet, visitor]) expect(await drain(c)).toEqual([updated]);
    // Later logins see the new info.
    const late = await login(w.s, 'quiet', 'quietpw');
    expect(late.login.server_info).toEqual(serverInfo('My BBS', 'Welcome!'));
  });

  it('ServerInfoUpdate failures: non-admin (E-ADMIN-REQUIRED), empty name, no fields — spec typed, nexusd open Error; nothing changes', async () => {
    expect(await ask(w.mod, 'ServerInfoUpdate', { name: 'Mine' })).toEqual(
      failure(w.s, 'ServerInfoUpdate', divergent(w.s), 'E-ADMIN-REQUIRED'),
    );
    expect(await ask(w.admin, 'ServerInfoUpdate', { name: '   ' })).toEqual(
      failure(w.s, 'ServerInfoUpdate', divergent(w.s), 'E-SERVER-NAME-EMPTY'),
    );
    expect(await ask(w.admin, 'ServerInfoUpdate', { name: null })).toEqual(
      failure(w.s, 'ServerInfoUpdate', divergent(w.s), 'E-NO-FIELDS-TO-UPDATE'),
    );
    // VAL-LIMIT [DIVERGENT]: 0 is refused in `spec`, accepted (unlimited) in `nexusd`.
    const zero = await ask(w.admin, 'ServerInfoUpdate', { max_transfers_per_ip: 0 });
    if (profile === 'spec') {
      expect(zero).toEqual(failure(w.s, 'ServerInfoUpdate', 'T', 'E-MAX-TRANSFERS-PER-IP-INVALID'));
      await expectQuiet(w.admin, w.mod, w.quiet);
      expect(w.s.state().serverInfo).toMatchObject({ name: 'Nexus BBS', max_transfers_per_ip: 3 });
    } else {
      expect(zero).toEqual({ type: 'ServerInfoUpdateResponse', success: true });
      const updated = { type: 'ServerInfoUpdated', server_info: { ...serverInfo('Nexus BBS', ''), max_transfers_per_ip: 0 } };
      for (const c of [w.admin, w.mod, w.quiet]) expect(await drain(c)).toEqual([updated]);
    }
  });
});
