// The reference server answers every in-scope client message (wire.md §6) over a real socket:
// a valid request of each type gets its typed success response echoing the request id (WIRE-ID-2),
// in both profiles, and the connection stays usable afterwards.
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES } from '../../src/protocol/types.ts';
import { PROFILES, T, bodyOf, createUser, drain, expectClosed, expectQuiet, login, typesOf, withAdmin, type Body } from './support.ts';
import { perTest } from '../support/per-test.ts';

const pt = perTest();

/** A valid request per type, sent by the admin; targets exist (set up below). */
const REQUESTS: Record<string, Body> = {
  UserList: { all: false },
  UserInfo: { nickname: 'target' },
  UserAway: { message: 'away' },
  UserBack: {},
  UserStatus: { status: 'busy' },
  UserCreate: { username: 'fresh', password: 'pw', is_admin: false, enabled: true, permissions: ['user_list'] },
  UserEdit: { username: 'target' },
  UserUpdate: { username: 'fresh', requested_password: 'pw2' },
  UserDelete: { username: 'fresh' },
  UserKick: { nickname: 'target' },
  ServerInfoUpdate: { description: 'hello' },
  ConnectionMonitor: {},
};

describe.each(PROFILES)('every in-scope message is answered (%s)', (profile) => {
  it('each client type gets its typed success response echoing the id', async () => {
    // Handshake and Login: login() checks the success answers echoing the request ids.
    const { s, admin } = await withAdmin(pt, profile);
    const c = admin.conn;
    // The target must be online for UserInfo / UserKick and exist for UserEdit.
    await createUser(admin, 'target', 'targetpw', { permissions: [] });
    const target = await login(s, 'target', 'targetpw');

    const answered: string[] = [];
    for (const type of CLIENT_TYPES) {
      if (type === 'Handshake' || type === 'Login') continue;
      const body = REQUESTS[type];
      expect(body, `no request for ${type}`).toBeDefined();
      const id = `b${String(answered.length).padStart(11, '0')}`;
      const r = await c.request(type, body!, T, id);
      expect(r.raw.id).toBe(id);
      expect(r.raw.type).toBe(`${type}Response`);
      expect(bodyOf(r), type).toMatchObject({ type: `${type}Response`, success: true });
      answered.push(type);
    }
    expect(answered).toHaveLength(CLIENT_TYPES.length - 2);
    // The broadcasts those requests sent to the admin's own connection (the admin holds user_list):
    // BC-1 for the target's login, BC-4 for away/back/status, BC-2 for the kick, BC-6 for the
    // server info; then nothing else.
    expect(typesOf(await drain(c))).toEqual([
      'UserConnected',
      'UserUpdated',
      'UserUpdated',
      'UserUpdated',
      'UserDisconnected',
      'ServerInfoUpdated',
    ]);
    await expectQuiet(c);
    await expectClosed(target.conn); // kicked
  });
});
