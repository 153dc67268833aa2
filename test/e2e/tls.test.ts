// One run over TLS (WIRE-TLS-1..3): the server has a fingerprint, every client sees the same one,
// and Handshake, Login, a broadcast and a request behave exactly as over plain TCP.
import { describe, expect, it } from 'vitest';
import { serverInfoView } from '../../src/model/index.ts';
import { PROTOCOL, T, ask, bodyOf, createUser, drain, expectQuiet, login, serve } from './support.ts';
import { perTest } from '../support/per-test.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

const pt = perTest();

describe('TLS (nexusd)', () => {
  it('fingerprint present; Handshake, Login, UserConnected and UserList as over plain TCP', async () => {
    const s = await serve(pt, 'nexusd', { tls: true });
    expect(s.srv.tls).toBe(true);
    expect(s.srv.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    // A pinned connection to the announced fingerprint opens; Handshake echoes the id.
    const pinned = pt.own(
      await RawClient.open(
        {
          host: s.srv.host,
          port: s.srv.port,
          transport: 'tls',
          fingerprint: s.srv.fingerprint!,
          timeoutMs: T,
        },
        ids,
      ),
    );
    expect(pinned.conn.transport).toBe('tls');
    const hs = await pinned.request('Handshake', { version: PROTOCOL }, T, 'a1b2c3d4e5f6');
    expect(hs.raw.id).toBe('a1b2c3d4e5f6');
    expect(bodyOf(hs)).toEqual({ type: 'HandshakeResponse', success: true, version: PROTOCOL });
    pinned.destroy(); // the rest of the test runs without it; after a failed expectation above, pt ends it

    const admin = await login(s, 'Admin', 'adminpw');
    expect(admin.conn.conn.transport).toBe('tls');
    expect(admin.conn.conn.fingerprint).toBe(s.srv.fingerprint);
    expect(admin.login).toEqual({
      type: 'LoginResponse',
      success: true,
      session_id: admin.sessionId,
      is_admin: true,
      permissions: [],
      server_info: serverInfoView(s.state().serverInfo, 'nexusd'),
      chat_info: { topic: '', topic_set_by: '' },
      locale: 'en',
    });

    await createUser(admin, 'alice', 'alicepw', { permissions: ['user_list'] });
    const alice = await login(s, 'alice', 'alicepw');
    expect(alice.conn.conn.fingerprint).toBe(s.srv.fingerprint);
    expect(await drain(admin)).toEqual([
      {
        type: 'UserConnected',
        user: {
          username: 'alice',
          nickname: 'alice',
          login_time: s.clock.now,
          is_admin: false,
          is_shared: false,
          session_ids: [alice.sessionId],
          locale: 'en',
          is_away: false,
        },
      },
    ]);
    expect(await ask(alice, 'UserList', {})).toMatchObject({
      type: 'UserListResponse',
      success: true,
      users: [
        { nickname: 'Admin', session_ids: [admin.sessionId] },
        { nickname: 'alice', session_ids: [alice.sessionId] },
      ],
    });
    await expectQuiet(alice);
    await alice.conn.close();
    expect(await drain(admin)).toEqual([{ type: 'UserDisconnected', session_id: alice.sessionId, nickname: 'alice' }]);
  });
});
