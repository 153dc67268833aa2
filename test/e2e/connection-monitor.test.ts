// ConnectionMonitor over real sockets: one entry per live session (not aggregated), requester
// included, sorted by lower-cased nickname, ip per profile (CM-3..5); E-PERMISSION-DENIED typed in
// both profiles without connection_monitor (CM-2); no broadcast.
import { describe, expect, it } from 'vitest';
import { EPOCH, PROFILES, ask, createUser, drain, expectQuiet, failure, login, withAdmin } from './support.ts';
import { perTest } from '../support/per-test.ts';

const pt = perTest();

describe.each(PROFILES)('connection monitor (%s)', (profile) => {
  it('lists every session, requester included; a monitor holder sees the same; others are refused', async () => {
    const { s, admin } = await withAdmin(pt, profile);
    await createUser(admin, 'watch', 'watchpw', { permissions: ['connection_monitor'] });
    await createUser(admin, 'bob', 'bobpw', { permissions: ['user_list', 'user_info'] });
    await createUser(admin, 'lobby', 'lobbypw', { isShared: true, permissions: ['user_list'] });
    s.clock.now = EPOCH + 10;
    const bob1 = await login(s, 'bob', 'bobpw');
    s.clock.now = EPOCH + 20;
    const bob2 = await login(s, 'bob', 'bobpw');
    s.clock.now = EPOCH + 30;
    const amy = await login(s, 'lobby', 'lobbypw', { nickname: 'amy' });
    s.clock.now = EPOCH + 40;
    const watch = await login(s, 'watch', 'watchpw');
    for (const c of [admin, bob1, bob2, amy, watch]) await drain(c);

    // CM-5: `spec` shows IPv4 peers IPv4-mapped; `nexusd` as the listener saw them.
    const ip = profile === 'spec' ? '::ffff:127.0.0.1' : '127.0.0.1';
    const entry = (nickname: string, username: string, loginTime: number, isAdmin: boolean, isShared: boolean) => ({
      nickname,
      username,
      ip,
      login_time: loginTime,
      is_admin: isAdmin,
      is_shared: isShared,
    });
    const expected = {
      type: 'ConnectionMonitorResponse',
      success: true,
      connections: [
        entry('Admin', 'Admin', EPOCH, true, false),
        entry('amy', 'lobby', EPOCH + 30, false, true),
        // CM-3: bob's two sessions are two entries (tie order unspecified, the reference uses ids).
        entry('bob', 'bob', EPOCH + 10, false, false),
        entry('bob', 'bob', EPOCH + 20, false, false),
        entry('watch', 'watch', EPOCH + 40, false, false),
      ],
    };
    expect(await ask(admin, 'ConnectionMonitor', {})).toEqual(expected);
    expect(await ask(watch, 'ConnectionMonitor', {})).toEqual(expected);

    // CM-2: typed in both profiles, connection stays open.
    expect(await ask(bob1, 'ConnectionMonitor', {})).toEqual(failure(s, 'ConnectionMonitor', 'T', 'E-PERMISSION-DENIED'));
    expect(await ask(amy, 'ConnectionMonitor', {})).toEqual(failure(s, 'ConnectionMonitor', 'T', 'E-PERMISSION-DENIED'));
    await expectQuiet(admin, bob1, bob2, amy, watch);

    // A session that ends disappears from the monitor.
    await bob2.conn.close();
    await drain(admin);
    const after = await ask(watch, 'ConnectionMonitor', {});
    expect(after.connections).toEqual(expected.connections.filter((e) => e.login_time !== EPOCH + 20));
  });
});
