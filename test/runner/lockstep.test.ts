// The lockstep engine against the reference server. Where the target and the mirror are made to
// disagree (different state or profile), each kind of fault must be reported precisely: a missing
// broadcast, an extra one, a wrong carrier, a missing close, an unexpected close. Strangers on the
// target must not fail anything.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/protocol/frame.ts';
import type { RawFrame } from '../../src/protocol/types.ts';
import { BASE, NOW, account, cleanupWorlds, failuresOf, login, stateWith, strays, world } from '../support/lockstep.ts';
import { RawClient } from '../../src/net/raw-client.ts';
import { seededIds } from '../../src/protocol/ids.ts';
import { faultHooks } from '../../src/server/faults/index.ts';
import { AbsentOutputs, FULL_MISSES, REMOVAL_CLOSE } from '../../src/runner/lockstep/absent-outputs.ts';
import type { ReferenceServer } from '../../src/server/server.ts';

/** Message ids of the test's raw clients (seeded, like the harness's). */
const ids = seededIds(7);

afterEach(cleanupWorlds);

describe('lockstep against the reference server', () => {
  it('passes when the target does what the model predicts, across connections', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE) });
    const root = await login(ls, 'root', 'root');
    const watch = await login(ls, 'watch', 'run_watch');
    await login(ls, 'quiet', 'run_quiet'); // root and watch both get UserConnected (BC-1)
    const [list] = await ls.exchange(root, [{ kind: 'message', type: 'UserList', body: { all: false } }]);
    expect(list!.observed?.message?.type).toBe('UserListResponse');
    expect(list!.predicted?.message.type).toBe('UserListResponse');
    const answers = await ls.exchange(watch, [
      { kind: 'message', type: 'UserList', body: {} },
      { kind: 'message', type: 'UserInfo', body: { nickname: '' } },
    ]);
    expect(answers.map((a) => a.observed?.message?.type)).toEqual(['UserListResponse', 'UserInfoResponse']);
    // Requests issued without waiting run one after another, in the order they were made.
    const [x, y] = await Promise.all([ls.request(root, 'UserList', {}), ls.request(watch, 'UserAway', { message: 'brb' })]);
    expect(x!.observed?.message?.type).toBe('UserListResponse');
    expect(y!.observed?.message?.type).toBe('UserAwayResponse');
    await ls.barrier(root);
    await ls.barrier(watch);
    expect(ls.failures).toEqual([]);
    expect(ls.stats.connections).toBe(3);
    expect(ls.stats.roundTrips).toBeGreaterThanOrEqual(10);
    expect(ls.stats.logins).toBe(3);
  });

  it('reports a missing broadcast (the target did not send what the model predicts)', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE) });
    await login(ls, 'root', 'root');
    await login(ls, 'quiet', 'run_quiet');
    ls.alterMirror((s) => (s.accounts.run_quiet!.permissions = ['user_list'])); // the mirror now believes quiet will be told
    ls.setTimeout(400); // only the wait that must expire is short
    const failures = await failuresOf(login(ls, 'watch', 'run_watch'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ actor: 'quiet', rule: 'SES-BC-1', actual: 'nothing within 400 ms' });
    expect(failures[0]!.expected[0]).toMatch(
      /^NX\|13\|UserConnected\|[0-9a-f]{12}\|\d+\|\{"type":"UserConnected","user":\{"username":"run_watch"/,
    );
  });

  it("takes a session's UserDisconnected read before its LoginResponse (another connection, WIRE-ORD-3) as the session's, not a stranger's", async () => {
    // The watcher never gets quiet's UserConnected, and quiet's LoginResponse never reaches the
    // harness: the UserDisconnected that follows quiet's closing error carries an id nothing taught.
    const { ls } = await world({
      server: stateWith('spec', BASE),
      timeoutMs: 400,
      hook: (f, conn) => ((conn === 1 && f.type === 'UserConnected') || (conn === 2 && f.type === 'LoginResponse') ? [] : [f]),
    });
    await login(ls, 'watch', 'run_watch');
    const quiet = await ls.open('quiet');
    await ls.request(quiet, 'Handshake', { version: '0.5.0' });
    const body = { type: 'Login', username: 'run_quiet', password: 'pw-run_quiet', features: ['chat'], locale: 'en' };
    const bytes = `${encodeFrame('Login', 'a1b2c3d4e5f6', JSON.stringify(body)).toString('latin1')}\n`; // one stray byte after it
    const failures = await failuresOf(ls.exchange(quiet, [{ kind: 'raw', bytes }]));
    const shown = failures.map((f) => `${f.actor} ${f.rule}: ${f.expected[0]?.split('|')[2]} / ${f.actual.split('|')[2] ?? f.actual}`);
    // Missing: the LoginResponse and the UserConnected. The UserDisconnected came (after a missing
    // frame, so out of order); before, it was taken for a stranger's and reported missing too.
    expect(shown).toEqual([
      'quiet SES-ERR-1: LoginResponse / Error',
      'quiet SES-LOGIN-17: LoginResponse / connection closed (eof: peer closed the connection)',
      'watch SES-BC-3: UserConnected / UserDisconnected',
      'watch SES-BC-1: UserConnected / nothing within 400 ms',
    ]);
    expect(failures[2]!.actual).toMatch(/"nickname":"run_quiet"\} arrived out of order$/);
  });

  it('reports an extra broadcast at the next barrier (wrong audience)', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE) });
    await login(ls, 'root', 'root');
    const watch = await login(ls, 'watch', 'run_watch');
    ls.alterMirror((s) => (s.accounts.run_watch!.permissions = [])); // the mirror now believes watch will not be told
    const failures = await failuresOf(
      (async () => {
        await login(ls, 'quiet', 'run_quiet');
        await ls.barrier(watch);
      })(),
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]!.actor).toBe('watch');
    expect(failures[0]!.expected).toEqual(['no frame on this connection (none predicted)']);
    expect(failures[0]!.actual).toMatch(/^unexpected NX\|13\|UserConnected\|.*"username":"run_quiet"/);
  });

  it('reports a wrong carrier (typed response where the profile wants Error, GEN-4)', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE), mirror: stateWith('nexusd', BASE) });
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const failures = await failuresOf(ls.request(quiet, 'UserList', { all: false }));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.rule).toBe('USR-LIST-2');
    expect(failures[0]!.actual).toContain('carrier: expected E-PERMISSION-DENIED in Error (E) got UserListResponse');
    expect(failures[0]!.sent).toMatch(/^NX\|8\|UserList\|[0-9a-f]{12}\|\d+\|\{"type":"UserList","all":false\}$/);
  });

  it('lenient: UserList all:true may follow either profile (USR-LIST-4); key does not', async () => {
    const accounts = [...BASE, account('run_lister', { permissions: ['user_edit'] })];
    for (const [server, mirror] of [
      ['spec', 'nexusd'],
      ['nexusd', 'spec'],
    ] as const) {
      const { ls } = await world({ server: stateWith(server, accounts), mirror: stateWith(mirror, accounts), match: 'lenient' });
      const lister = await login(ls, 'lister', 'run_lister');
      await ls.request(lister, 'UserList', { all: true });
      expect(ls.failures).toEqual([]);
    }
    const strict = await world({ server: stateWith('spec', accounts), mirror: stateWith('nexusd', accounts), match: 'key' });
    const lister = await login(strict.ls, 'lister', 'run_lister');
    const failures = await failuresOf(strict.ls.request(lister, 'UserList', { all: true }));
    expect(failures[0]!.rule).toBe('USR-LIST-4');
  });

  it('reports a missing close (ADM-CREATE-6: nexusd closes, this target keeps the connection)', async () => {
    const accounts = [...BASE, account('run_maker', { permissions: ['user_create'] })];
    const { ls } = await world({ server: stateWith('spec', accounts), mirror: stateWith('nexusd', accounts), match: 'lenient' });
    const maker = await login(ls, 'maker', 'run_maker');
    ls.setTimeout(60_000); // a wait of the timeout would fail the test's own: the next request proves it
    const failures = await failuresOf(
      ls.request(maker, 'UserCreate', { username: 'run_boss', password: 'x', is_admin: true, enabled: true, permissions: [] }),
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ actor: 'maker', expected: ['connection closed by the server [error]'] });
    expect(failures[0]!.actual).toMatch(
      /^still open: the server answered a request written after its answer to the request that was to close it with NX\|16\|UserInfoResponse\|/,
    );
  });

  it('proves a connection kept open after a closing error with one request, not the timeout (WIRE-SEQ-8)', async () => {
    const sent: string[] = [];
    const { ls } = await world({
      server: stateWith('spec', BASE),
      timeoutMs: 60_000, // a wait of the timeout would fail the test's own
      faults: faultHooks(['not-logged-in-stays-open']),
      hook: (f) => [f],
      watch: (f) => sent.push(f.type),
    });
    await login(ls, 'root', 'root'); // an exchange completes first: the target's usual answer time is known (answer-time.ts)
    const early = await ls.open('early');
    const failures = await failuresOf(ls.request(early, 'UserList', {}));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ actor: 'early', rule: 'GEN-1', expected: ['connection closed by the server [error]'] });
    expect(failures[0]!.actual).toMatch(
      /^still open: the server answered a request written after the closing error \(WIRE-SEQ-8: .*\) with NX\|5\|Error\|[0-9a-f]{12}\|\d+\|\{"type":"Error","message":"Not logged in","command":"UserInfo"\}$/,
    );
    expect(sent.slice(-2)).toEqual(['UserList', 'UserInfo']); // the request after the closing error
  });

  it('proves a connection kept open after a decoding failure with one request too (SES-ERR-1, WIRE-SEQ-8)', async () => {
    const { ls } = await world({
      server: stateWith('spec', BASE),
      timeoutMs: 60_000, // a wait of the timeout would fail the test's own
      faults: faultHooks(['handshake-failure-stays-open']),
    });
    await login(ls, 'root', 'root'); // the target's usual answer time is known (answer-time.ts)
    const early = await ls.open('early');
    // A "type" member that differs from the frame type: SES-ERR-1's Error, then the close.
    const payload = JSON.stringify({ type: 'Login', version: '0.5.0' });
    const bytes = encodeFrame('Handshake', 'badc0de0bad1', payload);
    const failures = await failuresOf(ls.exchange(early, [{ kind: 'raw', bytes }]));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ actor: 'early', rule: 'SES-ERR-1', expected: ['connection closed by the server [malformed]'] });
    expect(failures[0]!.actual).toMatch(
      /^still open: the server answered a request written after the closing error \(WIRE-SEQ-8: .*\) with /,
    );
  });

  it('after a close proven missing, the logout the close would have caused is not waited for', async () => {
    const { ls } = await world({
      server: stateWith('nexusd', BASE), // every Login error closes there (errors.md §8)
      timeoutMs: 60_000, // a wait of the timeout would fail the test's own
      faults: faultHooks(['second-login-keeps-session']),
    });
    const watch = await login(ls, 'watch', 'run_watch'); // holds user_list: the model predicts quiet's UserDisconnected to it
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const failures = await failuresOf(
      ls.request(quiet, 'Login', { username: 'run_quiet', password: 'pw-run_quiet', features: [], locale: 'en' }),
    );
    // The close fails, proven in one round trip; the logout after it rests on a close that did not
    // happen, and is not waited for. The harness then closes the connection: the target's logout
    // of the session it kept is what the model expects of that close, not a frame nothing predicted.
    expect(failures.map((f) => [f.actor, f.rule])).toEqual([['quiet', 'SES-LOGIN-3']]);
    expect(failures[0]!.actual).toMatch(/^still open: the server answered a request written after the closing error/);
    await ls.closeFromClient(quiet);
    await ls.barrier(watch);
    expect(ls.failures.map((f) => [f.actor, f.rule])).toEqual([['quiet', 'SES-LOGIN-3']]);
  });

  it('a logout after a close the spec allowed on an error follows a closing error, as after a required close', async () => {
    // WIRE-BAD-15 "read and refused": Error, then an optional close. The target closes and never
    // announces the logout: the miss counts for the kind every other closing error's logout has.
    const absent = new AbsentOutputs();
    const { ls } = await world({
      server: stateWith('spec', BASE),
      timeoutMs: 500,
      faults: faultHooks(['user-disconnected-missing-on-error-close']),
      absent,
    });
    await login(ls, 'watch', 'run_watch');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const bytes = encodeFrame('FileStart', '0a1b2c3d4e5f', '{"type":"FileStart","path":"/","version":"0.5.0"}\n');
    const failures = await failuresOf(ls.exchange(quiet, [{ kind: 'raw', bytes }]));
    expect(failures.map((f) => [f.actor, f.rule])).toEqual([['watch', 'SES-BC-3']]);
    expect(absent.presumed({ type: 'UserDisconnected', cause: 'closing-error', side: 'holder' })).toBe(true);
    expect(absent.presumed({ type: 'UserDisconnected', cause: 'close', side: 'holder' })).toBe(false);
  });

  it("a kicked session's close presumed absent: the target's late close counts once the harness lets go of the connection, the harness's own does not", async () => {
    // The front holds back the target's close of a kicked session's socket until the test releases
    // it. The kind is already presumed (an earlier full wait missed it): the kick fails on it after
    // the target's usual time; what the harness reads when it lets go of the connection decides
    // whether a re-check is due (schedule.ts).
    const kickClose = { type: REMOVAL_CLOSE, cause: 'UserKick', side: null };
    const absent = new AbsentOutputs();
    for (let i = 0; i < FULL_MISSES; i++) absent.missedInFullWait(kickClose);
    const held: Array<() => void> = [];
    const holdsCloses = (srv: ReferenceServer): net.Server =>
      net.createServer((client) => {
        const up = net.connect(srv.port, srv.host);
        client.on('data', (chunk: Buffer) => up.write(chunk));
        up.on('data', (chunk: Buffer) => client.write(chunk));
        up.on('end', () => held.push(() => client.end()));
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        client.on('close', () => up.destroy());
      });
    const { ls } = await world({ server: stateWith('spec', BASE), timeoutMs: 1000, front: holdsCloses, absent });
    const root = await login(ls, 'root', 'root');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const watch = await login(ls, 'watch', 'run_watch');
    const presumed = (nickname: string) =>
      failuresOf(ls.request(root, 'UserKick', { nickname })).then((fs) => fs.map((f) => [f.actor, f.rule, f.actual]));
    // Let go of before the target's close came: the harness's own close shows nothing.
    expect(await presumed('run_quiet')).toEqual([['quiet', 'SES-KICK-3', 'nothing (not waited for)']]);
    await ls.discard(quiet);
    expect(absent.hasSeen(kickClose)).toBe(false);
    // Let go of after it came: the kind arrived after all.
    expect(await presumed('run_watch')).toEqual([['watch', 'SES-KICK-3', 'nothing (not waited for)']]);
    held.pop()!();
    expect((await watch.conn!.closed).reason).toBe('eof');
    expect(absent.hasSeen(kickClose)).toBe(false);
    await ls.discard(watch);
    expect(absent.hasSeen(kickClose)).toBe(true);
  });

  it('a target that closes late after its closing error, reading nothing more, passes (WIRE-SEQ-8)', async () => {
    // The close is held back until the harness writes again, and what it writes is never read: the
    // request after the closing error goes out, goes unanswered, and the close settles it.
    let wroteAfterClose = false;
    const closesLate = (srv: ReferenceServer): net.Server =>
      net.createServer((client) => {
        const up = net.connect(srv.port, srv.host);
        let closing = false;
        client.on('data', (chunk: Buffer) => {
          if (!closing) up.write(chunk);
          else {
            wroteAfterClose = true;
            client.end();
          }
        });
        up.on('data', (chunk: Buffer) => client.write(chunk));
        up.on('end', () => (closing = true));
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        client.on('close', () => up.destroy());
      });
    const { ls } = await world({ server: stateWith('spec', BASE), front: closesLate });
    await login(ls, 'root', 'root'); // the target's usual answer time is known
    const early = await ls.open('early');
    const answer = await ls.request(early, 'UserList', {});
    expect(answer!.observed?.message?.type).toBe('Error');
    expect(wroteAfterClose).toBe(true);
    expect(ls.failures).toEqual([]);
  });

  it('does not wait for the broadcasts of an outcome the target did not take: the differing answer fails the check', async () => {
    // A target that refuses the away (and so broadcasts nothing): the model predicted success and BC-4.
    const refused = (f: RawFrame): RawFrame[] => {
      if (f.type === 'UserUpdated') return [];
      if (f.type !== 'UserAwayResponse') return [f];
      const body = JSON.stringify({ type: 'UserAwayResponse', success: false, error: 'Status message is too long (max 128 characters)' });
      return [{ ...f, payload: new TextEncoder().encode(body) }];
    };
    const { ls } = await world({ server: stateWith('spec', BASE), timeoutMs: 60_000, hook: refused });
    const watch = await login(ls, 'watch', 'run_watch');
    await login(ls, 'quiet', 'run_quiet');
    const failures = await failuresOf(ls.request(watch, 'UserAway', { message: 'brb' }));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ actor: 'watch', rule: 'USR-AWAY-5' });
    expect(failures[0]!.actual).toMatch(/"success":false/);
  });

  it("an outcome not taken is its exchange's only: a later request with the same id still waits for its broadcasts", async () => {
    // Raw frames carry fixed ids, so an id comes back in later exchanges. The first away is
    // answered as refused (not taken: its broadcast is not waited for); the UserUpdated of the
    // UserBack after it, with the same id, never comes and must fail.
    let refuse = true;
    const hook = (f: RawFrame): RawFrame[] => {
      if (f.type === 'UserUpdated') return [];
      if (f.type !== 'UserAwayResponse' || !refuse) return [f];
      refuse = false;
      const body = JSON.stringify({ type: 'UserAwayResponse', success: false, error: 'Status message is too long (max 128 characters)' });
      return [{ ...f, payload: new TextEncoder().encode(body) }];
    };
    const { ls } = await world({ server: stateWith('spec', BASE), timeoutMs: 300, hook });
    const watch = await login(ls, 'watch', 'run_watch');
    const first = await failuresOf(ls.request(watch, 'UserAway', { message: 'brb' }, '0a1b2c3d4e5f'));
    expect(first.map((f) => f.rule)).toEqual(['USR-AWAY-5']);
    const second = await failuresOf(ls.request(watch, 'UserBack', {}, '0a1b2c3d4e5f'));
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ actor: 'watch', actual: 'nothing within 300 ms' });
    expect(second[0]!.expected.join(' ')).toMatch(/UserUpdated/);
  });

  it('a close nothing predicted fails the check; the logout broadcasts the model then predicts are not waited for', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE), timeoutMs: 60_000, faults: faultHooks(['soft-error-closes']) });
    await login(ls, 'watch', 'run_watch'); // hears the logout the model predicts for the closed session (SES-BC-3)
    const asker = await login(ls, 'asker', 'root'); // an admin may ask UserInfo
    await ls.request(asker, 'UserInfo', { nickname: 'nobody_online' }); // answered as predicted; the close comes after
    // Whether the close is read before or after the barrier is written, it fails the barrier's operation.
    const failures = await failuresOf(ls.barrier(asker));
    expect(failures.filter((f) => f.actor === 'asker' && /^connection closed \(/.test(f.actual))).toHaveLength(1);
    expect(failures.filter((f) => /^nothing within/.test(f.actual))).toEqual([]);
  });

  it('proves a missing answer with one barrier, not the timeout (WIRE-ORD-1)', async () => {
    const sent: string[] = [];
    const { ls } = await world({
      server: stateWith('spec', BASE),
      timeoutMs: 5000,
      hook: (f) => (f.type === 'UserAwayResponse' ? [] : [f]), // a handler that never answers
      watch: (f) => sent.push(f.type),
    });
    const watch = await login(ls, 'watch', 'run_watch');
    const failures = await failuresOf(ls.request(watch, 'UserAway', { message: 'brb' }));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ actor: 'watch', rule: 'USR-AWAY-5' });
    expect(failures[0]!.expected[0]).toMatch(/^NX\|16\|UserAwayResponse\|/);
    expect(failures[0]!.actual).toMatch(/^nothing before NX\|16\|UserInfoResponse\|.*the answer to a later request \(WIRE-ORD-1/);
    expect(sent.slice(-2)).toEqual(['UserAway', 'UserInfo']); // the barrier
    // The broadcast the away caused still came and was checked; the connection goes on.
    await ls.barrier(watch);
    expect(ls.failures).toHaveLength(1);
  });

  it('proves a missing answer to raw bytes too: the id is the one the target reads (WIRE-ORD-1)', async () => {
    const { ls } = await world({
      server: stateWith('spec', BASE),
      timeoutMs: 5000,
      hook: (f) => (f.type === 'UserAwayResponse' ? [] : [f]),
    });
    const watch = await login(ls, 'watch', 'run_watch');
    const bytes = encodeFrame('UserAway', 'a1b2c3d4e5f6', JSON.stringify({ type: 'UserAway', message: 'raw' }));
    const failures = await failuresOf(ls.exchange(watch, [{ kind: 'raw', bytes }]));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.expected[0]).toMatch(/^NX\|16\|UserAwayResponse\|a1b2c3d4e5f6\|/);
    expect(failures[0]!.actual).toMatch(/^nothing before NX\|16\|UserInfoResponse\|/);
  });

  it('an answer that is late but in order passes, barrier or not (WIRE-ORD-1)', async () => {
    let held: RawFrame | null = null;
    const sent: string[] = [];
    const { ls } = await world({
      server: stateWith('spec', BASE),
      // The UserAwayResponse is held back until the target writes its next frame on that connection.
      hook: (f) => {
        if (f.type === 'UserAwayResponse') {
          held = f;
          return [];
        }
        if (held === null || f.type === 'UserUpdated') return [f];
        const out = [held, f];
        held = null;
        return out;
      },
      watch: (f) => sent.push(f.type),
    });
    const watch = await login(ls, 'watch', 'run_watch');
    const [away] = await ls.exchange(watch, [{ kind: 'message', type: 'UserAway', body: { message: 'brb' } }]);
    expect(away!.observed?.message?.type).toBe('UserAwayResponse');
    expect(sent.slice(-2)).toEqual(['UserAway', 'UserInfo']); // released by the barrier's answer
    expect(ls.failures).toEqual([]);
  });

  it('reports an unexpected close (the target timed out a connection the model keeps)', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE), idleTimeoutMs: 150 });
    const bare = await ls.open('bare');
    await bare.conn!.closed; // the server's WIRE-TMO-1 timer, which the mirror does not run
    const failures = await failuresOf(ls.exchange(bare, []));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ actor: 'bare', expected: ['no frame on this connection (none predicted)'] });
    expect(failures[0]!.actual).toMatch(/^unexpected NX\|5\|Error\|.*Invalid message format/);
    expect(failures[1]).toMatchObject({ actor: 'bare', expected: ['the connection stays open'] });
    expect(failures[1]!.actual).toMatch(/^connection closed \(eof/);
  });

  it("in slow checks, tells the model when the target's timers close connections (WIRE-TMO-1/2)", async () => {
    const { ls } = await world({ server: stateWith('spec', BASE), idleTimeoutMs: 200, frameTimeoutMs: 300 });
    ls.beginCheck([], { serverTimeouts: true });
    const root = await login(ls, 'root', 'root');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const bare = await ls.open('bare');
    await ls.awaitClose(bare, 3000); // idle before login: optional Error, close
    await ls.exchange(quiet, [{ kind: 'raw', bytes: 'NX|8|UserList|' }]); // a frame left incomplete
    await ls.awaitClose(quiet, 3000); // Error, close, and UserDisconnected to root (SES-BC-3)
    await ls.barrier(root);
    expect(ls.failures).toEqual([]);
    expect(Object.values(ls.model().sessions).map((s) => s.nickname)).toEqual(['root']);
  });

  it('absorbs strangers that log in and out meanwhile', async () => {
    const accounts = [...BASE, account('alice', { permissions: ['user_list'] })];
    const { srv, ls } = await world({ server: stateWith('spec', accounts) });
    const root = await login(ls, 'root', 'root');
    const stranger = await RawClient.open({ host: srv.host, port: srv.port, transport: 'plain', timeoutMs: 3000 }, ids);
    strays.push(stranger);
    await stranger.request('Handshake', { version: '0.5.0' }, 3000);
    await stranger.request('Login', { username: 'alice', password: 'pw-alice', features: [], locale: 'en' }, 3000);
    await ls.barrier(root); // UserConnected of alice arrives before the barrier's answer
    expect(
      Object.values(ls.model().sessions)
        .map((s) => s.nickname)
        .sort(),
    ).toEqual(['alice', 'root']);
    await login(ls, 'watch', 'run_watch'); // alice is told too; only the harness copies are checked
    await ls.exchange(root, [{ kind: 'message', type: 'UserList', body: {} }]);
    await stranger.close();
    await ls.exchange(root, [{ kind: 'message', type: 'ConnectionMonitor', body: {} }]);
    await ls.barrier(root);
    expect(
      Object.values(ls.model().sessions)
        .map((s) => s.nickname)
        .sort(),
    ).toEqual(['root', 'run_watch']);
    expect(ls.failures).toEqual([]);
  });

  it('decodes raw bytes like the target: a malformed frame ends the session (WIRE-BAD-1, SES-BC-3)', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE) });
    const root = await login(ls, 'root', 'root');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    await ls.exchange(quiet, [{ kind: 'raw', bytes: 'GET / HTTP/1.1\r\n\r\n' }]);
    expect(ls.isOpen(quiet)).toBe(false);
    await ls.barrier(root); // root got UserDisconnected, which was predicted
    expect(ls.failures).toEqual([]);
  });

  it('settles an optional close without a sleep (WIRE-SEQ-4 in spec)', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE) });
    const bare = await ls.open('bare');
    const [a] = await ls.exchange(bare, [{ kind: 'message', type: 'ServerInfoUpdate', body: { name: 'x' } }]);
    expect(a!.observed?.message?.body.message).toBe('Not logged in');
    expect(ls.isOpen(bare)).toBe(false);
    expect(ls.model().connections[bare.id]).toBeUndefined();
    expect(ls.failures).toEqual([]);
  });

  it('treats what the reference never sends as optional (no-op PermissionsUpdated in spec, ADM-UPDATE-14)', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE) });
    const root = await login(ls, 'root', 'root');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const [a] = await ls.exchange(root, [
      { kind: 'message', type: 'UserUpdate', body: { username: 'run_quiet', requested_permissions: [] } },
    ]);
    expect(a!.observed?.message?.body.success).toBe(true);
    await ls.barrier(quiet);
    expect(ls.failures).toEqual([]);
  });

  it('settles a tolerated close once: ADM-CREATE-6 in spec answered as Error, with or without a close', async () => {
    const accounts = [...BASE, account('run_mod', { permissions: ['user_create'] })];
    const create = {
      kind: 'message' as const,
      type: 'UserCreate',
      body: { username: 'run_new', password: 'pw', is_admin: true, enabled: true, permissions: [] },
    };
    for (const carrier of ['other', 'last'] as const) {
      const { ls } = await world({ server: stateWith('spec', accounts), variant: { forms: { carrier } } });
      const mod = await login(ls, 'mod', 'run_mod');
      const [a] = await ls.exchange(mod, [create]);
      expect(a!.observed?.message?.type).toBe('Error');
      expect(ls.isOpen(mod)).toBe(carrier !== 'last');
      if (carrier === 'other') await ls.barrier(mod);
      expect(ls.failures).toEqual([]);
    }
  });

  it('settles an optional own copy that may precede the response (a self no-op update in spec sends PermissionsUpdated or not)', async () => {
    for (const forms of [undefined, { sendUnsent: true }, { sendUnsent: true, copiesFirst: true }]) {
      const { ls } = await world({ server: stateWith('spec', BASE), ...(forms ? { variant: { forms } } : {}) });
      const quiet = await login(ls, 'quiet', 'run_quiet');
      const [a] = await ls.exchange(quiet, [
        { kind: 'message', type: 'UserUpdate', body: { username: 'run_quiet', current_password: 'pw-run_quiet' } },
      ]);
      expect(a!.observed?.message?.body.success).toBe(true);
      await ls.barrier(quiet);
      expect(ls.failures).toEqual([]);
    }
  });

  it('accepts a lazily removed session in nexusd (SES-KICK-3)', async () => {
    const accounts = [...BASE];
    const { ls } = await world({ server: stateWith('nexusd', accounts) });
    const root = await login(ls, 'root', 'root');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const [kick] = await ls.exchange(root, [{ kind: 'message', type: 'UserKick', body: { nickname: 'run_quiet' } }]);
    expect(kick!.observed?.message?.body.success).toBe(true);
    await ls.awaitClose(quiet);
    expect(ls.isOpen(quiet)).toBe(false);
    await ls.barrier(root);
    expect(ls.failures).toEqual([]);
  });

  describe('orders and extras the reference server never shows', () => {
    /** Holds watch's (connection 2) UserAwayResponse back until its own UserUpdated copy has passed. */
    function ownCopyFirst(): (f: RawFrame, conn: number) => RawFrame[] {
      let held: RawFrame | null = null;
      return (f, conn) => {
        if (conn === 2 && f.type === 'UserAwayResponse') {
          held = f;
          return [];
        }
        if (conn === 2 && held && f.type === 'UserUpdated') {
          const h = held;
          held = null;
          return [f, h];
        }
        return [f];
      };
    }

    it('accepts the own broadcast copy before the response in spec (WIRE-ORD-2)', async () => {
      const { ls } = await world({ server: stateWith('spec', BASE), hook: ownCopyFirst() });
      const root = await login(ls, 'root', 'root');
      const watch = await login(ls, 'watch', 'run_watch');
      const [a] = await ls.exchange(watch, [{ kind: 'message', type: 'UserAway', body: { message: 'lunch' } }]);
      expect(a!.observed?.message?.type).toBe('UserAwayResponse');
      await ls.barrier(root);
      expect(ls.failures).toEqual([]);
    });

    it('reports the same order as out of order in nexusd (response first)', async () => {
      const { ls } = await world({ server: stateWith('nexusd', BASE), hook: ownCopyFirst() });
      await login(ls, 'root', 'root');
      const watch = await login(ls, 'watch', 'run_watch');
      const failures = await failuresOf(ls.exchange(watch, [{ kind: 'message', type: 'UserAway', body: { message: 'lunch' } }]));
      expect(failures).toHaveLength(1);
      expect(failures[0]!.actor).toBe('watch');
      expect(failures[0]!.expected[0]).toMatch(/^NX\|16\|UserAwayResponse\|/);
      expect(failures[0]!.note).toMatch(/^due first on this connection/);
      expect(failures[0]!.actual).toMatch(/^NX\|11\|UserUpdated\|.* arrived out of order$/);
    });

    /** After root (connection 1) sees a UserDisconnected, a UserUpdated about `username` follows. */
    function updatedAfterLogout(username: string): (f: RawFrame, conn: number) => RawFrame[] {
      return (f, conn) => {
        if (conn !== 1 || f.type !== 'UserDisconnected') return [f];
        const body = {
          type: 'UserUpdated',
          previous_username: username,
          user: {
            username,
            nickname: username,
            login_time: NOW,
            is_admin: false,
            is_shared: false,
            session_ids: [],
            locale: 'en',
            is_away: false,
          },
        };
        return [f, { type: 'UserUpdated', id: 'abcdefabcdef', payload: Buffer.from(JSON.stringify(body)) }];
      };
    }

    it("tolerates the later builds' UserUpdated after a logout of a multi-session account (SES-BC-4)", async () => {
      const { ls } = await world({ server: stateWith('spec', BASE), hook: updatedAfterLogout('run_watch') });
      const root = await login(ls, 'root', 'root');
      await login(ls, 'watch', 'run_watch');
      const second = await login(ls, 'watch2', 'run_watch');
      await ls.closeFromClient(second);
      await ls.barrier(root);
      expect(ls.failures).toEqual([]);
    });

    it('still reports a UserUpdated about an account nothing happened to', async () => {
      const { ls } = await world({ server: stateWith('spec', BASE), hook: updatedAfterLogout('run_quiet') });
      const root = await login(ls, 'root', 'root');
      await login(ls, 'quiet', 'run_quiet');
      await login(ls, 'watch', 'run_watch');
      const second = await login(ls, 'watch2', 'run_watch');
      const failures = await failuresOf(
        (async () => {
          await ls.closeFromClient(second);
          await ls.barrier(root);
        })(),
      );
      expect(failures).toHaveLength(1);
      expect(failures[0]!.actor).toBe('root');
      expect(failures[0]!.actual).toMatch(/^unexpected NX\|11\|UserUpdated\|abcdefabcdef\|.*"previous_username":"run_quiet"/);
    });
  });
});
