// Alternative outcomes in the lockstep (outcomes.ts): where the spec lets a server choose and the
// choice changes what happens next, a target taking the reference's choice and a target taking
// another allowed one (a variant reference server) must both pass, the mirror must adopt the
// outcome the target showed, and a third behaviour must fail with every allowed outcome named.
import { afterEach, describe, expect, it } from 'vitest';
import { renderError } from '../../src/model/errors.ts';
import { encodeFrame, FrameDecoder } from '../../src/protocol/frame.ts';
import { clientLimit, PADDED_LIMITS, undeterminedLimit } from '../../src/protocol/limits.ts';
import type { Profile } from '../../src/protocol/types.ts';
import { CLIENT_TYPES, isClientType } from '../../src/protocol/types.ts';
import type { HarnessConn, Lockstep } from '../../src/runner/lockstep.ts';
import type { ConnView, Judge, Outcome } from '../../src/runner/outcomes.ts';
import { decide, decodings } from '../../src/runner/outcomes.ts';
import type { CloseOutput, SendOutput } from '../../src/model/events.ts';
import type { Received } from '../../src/net/connection.ts';
import { BASE, account, cleanupWorlds, expectedText, failuresOf, login, rewrite, stateWith, world } from '../support/lockstep.ts';

afterEach(cleanupWorlds);

const ID = '0a1b2c3d4e5f';
const msg = (type: string, body: Record<string, unknown>) => ({ kind: 'message' as const, type, body });
const raw = (type: string, payload: string) => ({ kind: 'raw' as const, bytes: encodeFrame(type, ID, payload) });

function sessionOf(ls: Lockstep, hc: HarnessConn) {
  const id = ls.model().connections[hc.id]?.sessionId;
  return id === null || id === undefined ? undefined : ls.model().sessions[String(id)];
}

function decoder(profile: Profile): FrameDecoder {
  return new FrameDecoder({ isKnownType: isClientType, limitFor: (t) => (isClientType(t) ? clientLimit(t, profile) : 0) });
}

describe('decodings: how a target may decode what the harness writes', () => {
  const kick = (nickname: string) => encodeFrame('UserKick', ID, JSON.stringify({ type: 'UserKick', nickname }));

  it('nexusd: a declared length between the exact and the padded limit decodes two ways (UND-11)', () => {
    const bytes = kick('n'.repeat(33)); // 66 bytes: one over the exact 65
    const [reference, processed, ...rest] = decodings(decoder('nexusd'), bytes, 'nexusd');
    expect(rest).toEqual([]);
    expect(reference).toMatchObject({ label: 'UND-11: frame over the limit rejected (WIRE-BAD-7)', frames: [] });
    expect(reference!.error?.info.rule).toBe('WIRE-BAD-7');
    expect(processed).toMatchObject({ label: 'UND-11: frame over the limit processed', error: undefined });
    expect(processed!.frames.map((f) => f.type)).toEqual(['UserKick']);
  });

  it('one way within the limit, and one way above the undetermined bound', () => {
    expect(decodings(decoder('nexusd'), kick('n'.repeat(32)), 'nexusd')).toHaveLength(1);
    expect(decodings(decoder('spec'), kick('n'.repeat(33)), 'spec')).toHaveLength(1); // spec limit 225
    const above = `NX|8|UserKick|${ID}|${PADDED_LIMITS.UserKick + 1}|`;
    expect(decodings(decoder('nexusd'), Buffer.from(above), 'nexusd')).toHaveLength(1);
    const spec = `NX|8|UserKick|${ID}|${undeterminedLimit('UserKick', 'spec')}|`;
    expect(decodings(decoder('spec'), Buffer.from(spec), 'spec')).toHaveLength(2);
  });

  it("continues from the connection's position and leaves its decoder untouched (a split header)", () => {
    const d = decoder('nexusd');
    const bytes = kick('n'.repeat(33));
    expect(decodings(d, bytes.subarray(0, 20), 'nexusd')).toHaveLength(1);
    d.push(bytes.subarray(0, 20));
    const later = decodings(d, bytes.subarray(20), 'nexusd');
    expect(later.map((x) => x.frames.length)).toEqual([0, 1]);
    expect(d.midFrame).toBe(true);
    expect(later[1]!.decoder.midFrame).toBe(false);
  });

  it('every variant accepts what the reference accepts (so a clean decoding is the only one)', () => {
    for (const profile of ['spec', 'nexusd'] as const) {
      for (const type of CLIENT_TYPES) {
        expect(clientLimit(type, profile)).toBeGreaterThan(0);
        expect(undeterminedLimit(type, profile)).toBeGreaterThanOrEqual(clientLimit(type, profile));
        // At the reference's own limit: decoded, one way.
        const bytes = Buffer.concat([
          Buffer.from(`NX|${type.length}|${type}|${ID}|${clientLimit(type, profile)}|`),
          Buffer.alloc(clientLimit(type, profile), 0x20),
          Buffer.from('\n'),
        ]);
        const all = decodings(decoder(profile), bytes, profile);
        expect(all.map((d) => [d.frames.length, d.error])).toEqual([[1, undefined]]);
      }
    }
  });

  it('a transfer-port type decodes two ways (WIRE-BAD-15)', () => {
    const bytes = encodeFrame('FileStart', ID, '{"type":"FileStart","path":"/"}');
    const all = decodings(decoder('spec'), bytes, 'spec');
    expect(all.map((x) => [x.label, x.frames.length, x.error?.info.rule])).toEqual([
      ['WIRE-BAD-15: unknown type rejected by the framing layer', 0, 'WIRE-BAD-3'],
      ['WIRE-BAD-15: transfer-port type read and refused', 1, undefined],
    ]);
  });
});

describe('decide: which outcome the traffic shows', () => {
  const send = (conn: string, type: string, v: number, accept?: SendOutput['accept']): SendOutput => ({
    kind: 'send',
    conn,
    message: { type, id: ID, body: { type, v } },
    rules: ['TEST-1'],
    ...(accept ? { accept } : {}),
  });
  const close = (conn: string): CloseOutput => ({ kind: 'close', conn, reason: 'malformed', rules: ['TEST-1'] });
  const outcome = (label: string, outputs: Array<SendOutput | CloseOutput>): Outcome => ({
    label,
    rules: [],
    state: stateWith('spec', []),
    outputs: outputs.map((output) => ({ output, cause: 'X' })),
    decoder: decoder('spec'),
  });
  const got = (type: string, v: number): Received => ({
    seq: 0,
    at: 0,
    raw: { type, id: ID, payload: new Uint8Array() },
    message: { type, id: ID, body: { type, v } },
  });
  const view = (id: string, inbox: Received[], closed = false): ConnView => ({
    id,
    queue: [],
    inbox,
    closed,
    closeTolerated: false,
    lazyRemoved: false,
  });
  const judge: Judge = {
    matches: (out, f) => f.message!.type === out.message.type && f.message!.body.v === out.message.body.v,
    neutral: (f) => f.message!.type === 'UserConnected',
    presumedAbsent: () => false,
  };
  const A = outcome('A', [send('h1', 'XResponse', 1), send('h2', 'Note', 1)]);
  const B = outcome('B', [send('h1', 'XResponse', 2), send('h2', 'Note', 2)]);
  const C = outcome('C', [send('h1', 'XResponse', 1), send('h2', 'Note', 3)]);
  const R = outcome('R', [send('h1', 'Error', 9, { optional: true }), close('h1')]);

  it('waits while nothing tells them apart; at the deadline the first is compared, unmatched', () => {
    expect(decide([A, B], 'h1', [view('h1', []), view('h2', [])], judge, false)).toEqual({ kind: 'wait' });
    expect(decide([A, B], 'h1', [view('h1', []), view('h2', [])], judge, true)).toEqual({
      kind: 'adopt',
      index: 0,
      matched: false,
      equivalent: [],
    });
  });

  it("the requester's earliest telling frame decides, even before the other connections' frames", () => {
    expect(decide([A, B], 'h1', [view('h1', [got('XResponse', 2)]), view('h2', [])], judge, false)).toMatchObject({
      kind: 'adopt',
      index: 1,
      matched: true,
    });
    // A stranger's frame tells nothing and is skipped.
    expect(decide([A, B], 'h1', [view('h1', [got('UserConnected', 0), got('XResponse', 2)]), view('h2', [])], judge, false)).toMatchObject({
      index: 1,
      matched: true,
    });
  });

  it('then the other connections decide (full matching)', () => {
    const requester = view('h1', [got('XResponse', 1)]);
    expect(decide([A, C], 'h1', [requester, view('h2', [])], judge, false)).toEqual({ kind: 'wait' });
    expect(decide([A, C], 'h1', [requester, view('h2', [got('Note', 3)])], judge, false)).toMatchObject({ index: 1, matched: true });
  });

  it('a close decides too; a frame no outcome explains ends it unmatched', () => {
    expect(decide([A, R], 'h1', [view('h1', [], true), view('h2', [])], judge, false)).toMatchObject({ index: 1, matched: true });
    expect(decide([A, R], 'h1', [view('h1', [got('Error', 9)], true), view('h2', [])], judge, false)).toMatchObject({
      index: 1,
      matched: true,
    });
    expect(decide([A, B, R], 'h1', [view('h1', [got('XResponse', 7)]), view('h2', [])], judge, false)).toEqual({
      kind: 'adopt',
      index: 0,
      matched: false,
      equivalent: [],
    });
    // The closest is the first outcome still fitting when the traffic stopped fitting any.
    expect(decide([B, A, C], 'h1', [view('h1', [got('XResponse', 1)]), view('h2', [got('Note', 9)])], judge, false)).toMatchObject({
      index: 1,
      matched: false,
    });
  });

  it('when every outcome waits only for broadcasts presumed absent, the first is compared at once, unmatched', () => {
    const presumingNotes: Judge = { ...judge, presumedAbsent: (due) => due.output.kind === 'send' && due.output.message.type === 'Note' };
    const requester = view('h1', [got('XResponse', 1)]);
    expect(decide([A, C], 'h1', [requester, view('h2', [])], presumingNotes, false)).toEqual({
      kind: 'adopt',
      index: 0,
      matched: false,
      equivalent: [],
    });
    // A direct answer still due is waited for, whatever is presumed.
    expect(decide([A, B], 'h1', [view('h1', []), view('h2', [])], presumingNotes, false)).toEqual({ kind: 'wait' });
  });

  it('a complete outcome is adopted at once when an earlier one waits only for broadcasts presumed absent', () => {
    // WIRE-BAD-15's two outcomes: both answered alike, the first also broadcasts what the target never sent.
    const silent = outcome('silent', [send('h1', 'XResponse', 1)]);
    const requester = view('h1', [got('XResponse', 1)]);
    expect(decide([A, silent], 'h1', [requester, view('h2', [])], judge, false)).toEqual({ kind: 'wait' });
    const presumingNotes: Judge = { ...judge, presumedAbsent: (due) => due.output.kind === 'send' && due.output.message.type === 'Note' };
    expect(decide([A, silent], 'h1', [requester, view('h2', [])], presumingNotes, false)).toEqual({
      kind: 'adopt',
      index: 1,
      matched: true,
      equivalent: [],
    });
  });

  it('outcomes the traffic fits alike: the first is adopted, the others are equivalent', () => {
    const A2 = outcome('A2', [send('h1', 'XResponse', 1), send('h2', 'Note', 1)]);
    expect(decide([A, A2], 'h1', [view('h1', [got('XResponse', 1)]), view('h2', [got('Note', 1)])], judge, false)).toEqual({
      kind: 'adopt',
      index: 0,
      matched: true,
      equivalent: [1],
    });
  });
});

describe('UND-5 / ADM-UPDATE-17: promoting a shared account in nexusd', () => {
  const accounts = [...BASE, account('run_kiosk', { isShared: true })];
  const promote = msg('UserUpdate', { username: 'run_kiosk', requested_is_admin: true });

  async function scene(o: Parameters<typeof world>[0]) {
    const { ls } = await world(o);
    const root = await login(ls, 'root', 'root');
    const kiosk = await login(ls, 'kiosk', 'run_kiosk', { nickname: 'run_visitor' });
    return { ls, root, kiosk };
  }

  it("accepts the reference's refusal", async () => {
    const { ls, root, kiosk } = await scene({ server: stateWith('nexusd', accounts) });
    const [a] = await ls.exchange(root, [promote]);
    expect(a!.outcome).toBe('UND-5: promotion of a shared account refused (E-SHARED-CANNOT-BE-ADMIN)');
    expect(ls.model().accounts.run_kiosk!.isAdmin).toBe(false);
    await ls.barrier(kiosk);
    expect(ls.failures).toEqual([]);
  });

  it('accepts the promotion, with its PermissionsUpdated and UserUpdated, and adopts its state', async () => {
    const { ls, root, kiosk } = await scene({ server: stateWith('nexusd', accounts), variant: { choices: { 'UND-5': 'promoted' } } });
    const [a] = await ls.exchange(root, [promote]);
    expect(a!.outcome).toBe('UND-5: promotion of a shared account carried out');
    expect(a!.observed?.message?.body.success).toBe(true);
    expect(ls.model().accounts.run_kiosk!.isAdmin).toBe(true);
    await ls.barrier(kiosk);
    // The mirror now predicts what an admin sees: the admin view of UserInfo (addresses).
    await ls.exchange(kiosk, [msg('UserInfo', { nickname: 'root' })]);
    expect(ls.failures).toEqual([]);
  });

  it('rejects a third answer, naming both allowed outcomes', async () => {
    const hook = rewrite(
      (b) => b.type === 'UserUpdateResponse',
      (b) => ({ ...b, error: 'Permission denied' }),
    );
    const { ls, root } = await scene({ server: stateWith('nexusd', accounts), hook });
    const failures = await failuresOf(ls.exchange(root, [promote]));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.rule).toBe('ADM-UPDATE-17');
    expect(expectedText(failures[0]!)).toContain(
      'no allowed outcome matched (UND-5: promotion of a shared account refused (E-SHARED-CANNOT-BE-ADMIN) | UND-5: promotion of a shared account carried out)',
    );
  });
});

describe('UND-11 / WIRE-LIM-2/4: lengths between the limits', () => {
  const tooLong = msg('UserKick', { nickname: 'n'.repeat(33) }); // 66 bytes: nexusd exact 65, padded 2 550
  const padded = { limitFor: (t: string) => (isClientType(t) ? PADDED_LIMITS[t] : 0) };

  it("nexusd: accepts the era's framing rejection (the session ends)", async () => {
    const { ls } = await world({ server: stateWith('nexusd', BASE) });
    const watch = await login(ls, 'watch', 'run_watch');
    const root = await login(ls, 'root', 'root');
    const [a] = await ls.exchange(root, [tooLong]);
    expect(a!.outcome).toBe('UND-11: frame over the limit rejected (WIRE-BAD-7)');
    expect(ls.isOpen(root)).toBe(false);
    await ls.barrier(watch); // UserDisconnected of root
    expect(ls.failures).toEqual([]);
  });

  it('nexusd: accepts a padded build reaching the validator, and keeps decoding like it', async () => {
    const { ls } = await world({ server: stateWith('nexusd', BASE), variant: padded });
    const root = await login(ls, 'root', 'root');
    const [a] = await ls.exchange(root, [tooLong]);
    expect(a!.outcome).toBe('UND-11: frame over the limit processed');
    expect(a!.predicted?.error?.key).toBe('E-NICKNAME-TOO-LONG');
    const [b] = await ls.exchange(root, [tooLong]); // the adopted decoder admits it: no choice left
    expect(b!.outcome).toBeUndefined();
    expect(b!.observed?.message?.type).toBe('UserKickResponse');
    await ls.barrier(root);
    expect(ls.failures).toEqual([]);
  });

  it('spec: between its limit and the probe length both are allowed too', async () => {
    const away = msg('UserAway', { message: 'm'.repeat(600) }); // 631 bytes: spec limit 608
    for (const variant of [undefined, { limitFor: (t: string) => (isClientType(t) ? undeterminedLimit(t, 'spec') : 0) }]) {
      const { ls } = await world({ server: stateWith('spec', BASE), ...(variant ? { variant } : {}) });
      const root = await login(ls, 'root', 'root');
      const [a] = await ls.exchange(root, [away]);
      expect(a!.outcome).toBe(variant ? 'UND-11: frame over the limit processed' : 'UND-11: frame over the limit rejected (WIRE-BAD-7)');
      expect(ls.failures).toEqual([]);
    }
  });

  it('rejects a target that neither rejects nor answers', async () => {
    const hook = (f: { type: string }) => (f.type === 'UserKickResponse' ? [] : [f as never]);
    const { ls } = await world({ server: stateWith('nexusd', BASE), variant: padded, hook });
    const root = await login(ls, 'root', 'root');
    ls.setTimeout(400); // only the wait that must expire is short
    const failures = await failuresOf(ls.exchange(root, [tooLong]));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ actor: 'root', actual: 'nothing within 400 ms' });
    expect(expectedText(failures[0]!)).toMatch(
      /^connection closed by the server \[malformed\]\n\(no allowed outcome matched \(UND-11: frame over the limit rejected \(WIRE-BAD-7\) \| UND-11: frame over the limit processed\); compared with: UND-11: frame over the limit rejected/,
    );
  });
});

describe('UND-10 / WIRE-JSON-6: duplicate member names', () => {
  const duplicate = raw('UserStatus', '{"type":"UserStatus","status":"first","status":"second"}');

  for (const [choice, label, status] of [
    [undefined, 'UND-10: duplicate member names: the last value is used', 'second'],
    ['first', 'UND-10: duplicate member names: the first value is used', 'first'],
    ['reject', 'UND-10: duplicate member names: framing error', null],
  ] as const) {
    it(`accepts: ${label}`, async () => {
      const { ls } = await world({ server: stateWith('spec', BASE), ...(choice ? { variant: { choices: { 'UND-10': choice } } } : {}) });
      const watch = await login(ls, 'watch', 'run_watch');
      const quiet = await login(ls, 'quiet', 'run_quiet');
      const before = sessionOf(ls, quiet)!;
      await ls.exchange(quiet, [duplicate]);
      expect(ls.lastOutcome).toBe(label);
      await ls.barrier(watch); // the UserUpdated (or UserDisconnected) about quiet told the worlds apart
      expect(ls.model().sessions[String(before.id)]?.status ?? null).toBe(status);
      expect(ls.isOpen(quiet)).toBe(status !== null);
      expect(ls.failures).toEqual([]);
    });
  }

  it('rejects processing with a value that was never sent', async () => {
    const hook = rewrite(
      (b) => b.type === 'UserUpdated',
      (b) => ({ ...b, user: { ...(b.user as object), status: 'third' } }),
    );
    const { ls } = await world({ server: stateWith('spec', BASE), hook });
    const watch = await login(ls, 'watch', 'run_watch');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const failures = await failuresOf(
      (async () => {
        await ls.exchange(quiet, [duplicate]);
        await ls.barrier(watch);
      })(),
    );
    expect(failures.map((f) => f.actor)).toEqual(['watch']);
    expect(failures[0]!.actual).toContain('user.status: expected "second" got "third"');
    expect(expectedText(failures[0]!)).toContain(
      'no allowed outcome matched (UND-10: duplicate member names: the last value is used | UND-10: duplicate member names: the first value is used | UND-10: duplicate member names: framing error)',
    );
  });
});

describe('UND-3 / VAL-PATHCHARS: path-sensitive characters in names', () => {
  const create = msg('UserCreate', { username: 'run_a.b', password: 'pw', is_admin: false, enabled: true, permissions: [] });

  it("accepts the seed era's acceptance (reference): the account exists", async () => {
    const { ls } = await world({ server: stateWith('spec', BASE) });
    const root = await login(ls, 'root', 'root');
    const [a] = await ls.exchange(root, [create]);
    expect(a!.outcome).toBe('VAL-PATHCHARS: path characters in username accepted');
    expect(ls.model().accounts['run_a.b']).toBeDefined();
    expect(ls.failures).toEqual([]);
  });

  it('accepts the later refusal (E-USERNAME-INVALID): nothing is created', async () => {
    const { ls } = await world({ server: stateWith('spec', BASE), variant: { choices: { 'VAL-PATHCHARS': 'rejected' } } });
    const root = await login(ls, 'root', 'root');
    const [a] = await ls.exchange(root, [create]);
    expect(a!.outcome).toBe('VAL-PATHCHARS: path characters in username rejected');
    expect(a!.predicted?.error?.key).toBe('E-USERNAME-INVALID');
    expect(ls.model().accounts['run_a.b']).toBeUndefined();
    await ls.exchange(root, [msg('UserInfo', { nickname: 'run_a.b' })]); // a later name: refused again
    expect(ls.failures).toEqual([]);
  });

  it('rejects another error', async () => {
    const tooLong = renderError('E-USERNAME-TOO-LONG', { max_length: 32 }, 'spec');
    const hook = rewrite(
      (b) => b.type === 'UserCreateResponse',
      (b) => ({ ...b, success: false, error: tooLong }),
    );
    const { ls } = await world({ server: stateWith('spec', BASE), hook });
    const root = await login(ls, 'root', 'root');
    const failures = await failuresOf(ls.exchange(root, [create]));
    expect(failures).toHaveLength(1);
    expect(expectedText(failures[0]!)).toContain(
      'no allowed outcome matched (VAL-PATHCHARS: path characters in username accepted | VAL-PATHCHARS: path characters in username rejected)',
    );
  });
});

describe('WIRE-BAD-15: a transfer-port type on the BBS port', () => {
  const fileStart = raw('FileStart', '{"type":"FileStart","path":"/"}');

  it('accepts the framing-layer rejection (reference) and "Message type not supported"', async () => {
    for (const variant of [undefined, { isKnownType: (t: string) => isClientType(t) || t === 'FileStart' }]) {
      const { ls } = await world({ server: stateWith('nexusd', BASE), ...(variant ? { variant } : {}) });
      const c = await ls.open('bare');
      await ls.exchange(c, [fileStart]);
      // "Invalid message format" and a close fit both outcomes; "not supported" only the second.
      const allowed = ['WIRE-BAD-15: transfer-port type read and refused', 'WIRE-BAD-15: unknown type rejected by the framing layer'];
      expect(variant ? allowed.slice(0, 1) : allowed).toContain(ls.lastOutcome);
      expect(ls.isOpen(c)).toBe(false);
      expect(ls.failures).toEqual([]);
    }
  });

  it('rejects another error', async () => {
    const hook = rewrite(
      (b) => b.type === 'Error',
      (b) => ({ ...b, message: 'Not logged in' }),
    );
    const { ls } = await world({
      server: stateWith('nexusd', BASE),
      hook,
      variant: { isKnownType: (t) => isClientType(t) || t === 'FileStart' },
    });
    const c = await ls.open('bare');
    const failures = await failuresOf(ls.exchange(c, [fileStart]));
    expect(failures.length).toBeGreaterThan(0);
    expect(expectedText(failures[0]!)).toContain(
      'no allowed outcome matched (WIRE-BAD-15: unknown type rejected by the framing layer | WIRE-BAD-15: transfer-port type read and refused)',
    );
  });
});

describe('UND-7 / ADM-UPDATE-18: the nickname after renaming an online account', () => {
  const rename = msg('UserUpdate', { username: 'run_quiet', requested_username: 'run_q2' });

  async function renamed(profile: Profile, o: Omit<Parameters<typeof world>[0], 'server'> = {}) {
    const { ls } = await world({ server: stateWith(profile, BASE), ...o });
    const root = await login(ls, 'root', 'root');
    const watch = await login(ls, 'watch', 'run_watch');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const [a] = await ls.exchange(root, [rename]);
    await ls.barrier(watch);
    return { ls, root, watch, quiet, outcome: a!.outcome };
  }
  const nickname = (ls: Lockstep, hc: HarnessConn) => sessionOf(ls, hc)?.nickname;

  it('nexusd: both worlds stay possible until a list tells them apart (new nickname)', async () => {
    const { ls, watch, quiet, outcome } = await renamed('nexusd');
    expect(outcome).toBe('UND-7: renamed sessions take the new username as nickname');
    const [list] = await ls.exchange(watch, [msg('UserList', {})]);
    expect(list!.outcome).toBe('UND-7: renamed sessions take the new username as nickname');
    expect(nickname(ls, quiet)).toBe('run_q2');
    expect(ls.failures).toEqual([]);
  });

  it('nexusd: … or the old nickname, which the mirror then keeps', async () => {
    const { ls, watch, quiet } = await renamed('nexusd', { variant: { choices: { 'UND-7': 'old' } } });
    const [list] = await ls.exchange(watch, [msg('UserList', {})]);
    expect(list!.outcome).toBe('UND-7: renamed sessions keep the old nickname');
    expect(nickname(ls, quiet)).toBe('run_quiet');
    await ls.exchange(watch, [msg('UserInfo', { nickname: 'run_quiet' })]); // found under its old nickname
    expect(ls.failures).toEqual([]);
  });

  it('nexusd: a logout can decide too (the nickname in UserDisconnected)', async () => {
    const { ls, watch, quiet } = await renamed('nexusd', { variant: { choices: { 'UND-7': 'old' } } });
    await ls.closeFromClient(quiet);
    await ls.barrier(watch);
    expect(ls.failures).toEqual([]);
  });

  it('spec: the UserUpdated every session gets decides at once', async () => {
    const { ls, quiet, outcome } = await renamed('spec', { variant: { choices: { 'UND-7': 'old' } } });
    expect(outcome).toBe('UND-7: renamed sessions keep the old nickname');
    expect(nickname(ls, quiet)).toBe('run_quiet');
    expect(ls.failures).toEqual([]);
  });

  it('rejects a nickname that is neither', async () => {
    const hook = rewrite(
      (b) => b.type === 'UserListResponse',
      (b) => ({
        ...b,
        users: (b.users as Array<Record<string, unknown>>).map((u) => (u.username === 'run_q2' ? { ...u, nickname: 'run_zz' } : u)),
      }),
    );
    const { ls, watch } = await renamed('nexusd', { hook });
    const failures = await failuresOf(ls.exchange(watch, [msg('UserList', {})]));
    expect(failures).toHaveLength(1);
    expect(expectedText(failures[0]!)).toContain(
      'no allowed outcome matched (UND-7: renamed sessions take the new username as nickname | UND-7: renamed sessions keep the old nickname)',
    );
  });
});

describe('UND-4 / USR-AWAY-4: "" as away message', () => {
  const away = msg('UserAway', { message: '' });
  const statusOf = (ls: Lockstep, hc: HarnessConn) => sessionOf(ls, hc)?.status;

  for (const [choice, label, stored] of [
    [undefined, 'UND-4: "" stored as no status', null],
    ['empty', 'UND-4: "" stored as an empty status', ''],
  ] as const) {
    it(`accepts: ${label}, and later lists and UserInfo follow it`, async () => {
      const { ls } = await world({ server: stateWith('spec', BASE), ...(choice ? { variant: { choices: { 'UND-4': choice } } } : {}) });
      const watch = await login(ls, 'watch', 'run_watch');
      const quiet = await login(ls, 'quiet', 'run_quiet');
      await ls.exchange(quiet, [away]);
      expect(ls.lastOutcome).toBe(label);
      expect(statusOf(ls, quiet)).toBe(stored);
      await ls.exchange(watch, [msg('UserList', {})]);
      await ls.exchange(quiet, [msg('UserInfo', { nickname: 'run_quiet' })]);
      expect(ls.failures).toEqual([]);
    });
  }

  it('without a listener the outcomes stay open until an answer shows the status', async () => {
    const accounts = [...BASE, account('run_asker', { permissions: ['user_info'] })];
    const { ls } = await world({ server: stateWith('nexusd', accounts), variant: { choices: { 'UND-4': 'empty' } } });
    const asker = await login(ls, 'asker', 'run_asker');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    await ls.exchange(quiet, [away]);
    const [info] = await ls.exchange(asker, [msg('UserInfo', { nickname: 'run_quiet' })]);
    expect(info!.observed?.message?.body.user).toMatchObject({ status: '' });
    expect(statusOf(ls, quiet)).toBe('');
    expect(ls.failures).toEqual([]);
  });

  it('rejects a status that was never sent', async () => {
    const hook = rewrite(
      (b) => b.type === 'UserUpdated',
      (b) => ({ ...b, user: { ...(b.user as object), status: ' ' } }),
    );
    const { ls } = await world({ server: stateWith('spec', BASE), hook });
    await login(ls, 'watch', 'run_watch');
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const failures = await failuresOf(ls.exchange(quiet, [away]));
    expect(expectedText(failures[0]!)).toContain(
      'no allowed outcome matched (UND-4: "" stored as no status | UND-4: "" stored as an empty status)',
    );
  });
});

describe('UND-2 / VAL-STATUS in nexusd: the status unit at multi-byte boundaries', () => {
  const status = msg('UserStatus', { status: 'é'.repeat(65) }); // 65 chars, 130 bytes; 163-byte frame
  const padded = { limitFor: (t: string) => (isClientType(t) ? PADDED_LIMITS[t] : 0) };

  for (const [choice, label] of [
    [undefined, 'UND-2: status length counted in characters'],
    ['bytes', 'UND-2: status length counted in bytes'],
  ] as const) {
    it(`accepts (padded build): ${label}`, async () => {
      const { ls } = await world({
        server: stateWith('nexusd', BASE),
        variant: { ...padded, ...(choice ? { choices: { 'UND-2': choice } } : {}) },
      });
      const watch = await login(ls, 'watch', 'run_watch');
      const quiet = await login(ls, 'quiet', 'run_quiet');
      const [a] = await ls.exchange(quiet, [status]);
      expect(a!.outcome).toContain(label);
      expect(a!.observed?.message?.type).toBe('UserStatusResponse');
      expect(a!.observed?.message?.body.success).toBe(choice === undefined);
      await ls.barrier(watch);
      expect(ls.failures).toEqual([]);
    });
  }

  it('accepts the era frame limit answering first, and rejects another error', async () => {
    const { ls } = await world({ server: stateWith('nexusd', BASE) });
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const [a] = await ls.exchange(quiet, [status]);
    expect(a!.outcome).toBe('UND-11: frame over the limit rejected (WIRE-BAD-7)');
    expect(ls.failures).toEqual([]);
    const hook = rewrite(
      (b) => b.type === 'UserStatusResponse',
      (b) => ({ ...b, success: false, error: 'Status message contains invalid characters' }),
    );
    const bad = await world({ server: stateWith('nexusd', BASE), variant: padded, hook });
    const q2 = await login(bad.ls, 'quiet', 'run_quiet');
    const failures = await failuresOf(bad.ls.exchange(q2, [status]));
    expect(expectedText(failures[0]!)).toContain('UND-2: status length counted in characters');
    expect(expectedText(failures[0]!)).toContain('UND-2: status length counted in bytes');
  });
});

describe('VAL-SERVER-IMAGE: 700 001–716 800 bytes', () => {
  const image = (bytes: number) => msg('ServerInfoUpdate', { image: `data:image/png;base64,${'A'.repeat(bytes - 22)}` });

  for (const profile of ['spec', 'nexusd'] as const) {
    it(`${profile}: accepts the refusal (reference) and the acceptance, and adopts the stored image`, async () => {
      for (const choice of [undefined, '716800'] as const) {
        const { ls } = await world({
          server: stateWith(profile, BASE),
          ...(choice ? { variant: { choices: { 'VAL-SERVER-IMAGE': choice } } } : {}),
        });
        const root = await login(ls, 'root', 'root');
        const [a] = await ls.exchange(root, [image(700_001)]);
        expect(a!.outcome).toBe(
          choice
            ? 'VAL-SERVER-IMAGE: image limit 716 800 bytes (700 KiB)'
            : 'VAL-SERVER-IMAGE: image limit 700 000 bytes (700 001–716 800 refused)',
        );
        expect(ls.model().serverInfo.image.length).toBe(choice ? 700_001 : 0);
        expect(ls.failures).toEqual([]);
      }
    });
  }

  it('rejects another error', async () => {
    const hook = rewrite(
      (b) => b.type === 'ServerInfoUpdateResponse',
      (b) => ({ ...b, success: false, error: 'Invalid image format' }),
    );
    const { ls } = await world({ server: stateWith('spec', BASE), hook });
    const root = await login(ls, 'root', 'root');
    const failures = await failuresOf(ls.exchange(root, [image(700_001)]));
    expect(expectedText(failures[0]!)).toContain('no allowed outcome matched (VAL-SERVER-IMAGE: image limit 700 000 bytes');
  });
});

describe('UND-1 / ADM-EDIT-1: where VAL-USERNAME sits', () => {
  const edit = msg('UserEdit', { username: 'bad name' });

  it('accepts variant A (reference) and variant B for a requester without user_edit', async () => {
    for (const choice of [undefined, 'B'] as const) {
      const { ls } = await world({ server: stateWith('spec', BASE), ...(choice ? { variant: { choices: { 'UND-1': choice } } } : {}) });
      const quiet = await login(ls, 'quiet', 'run_quiet');
      const [a] = await ls.exchange(quiet, [edit]);
      expect(a!.predicted?.error?.key).toBe(choice ? 'E-PERMISSION-DENIED' : 'E-USERNAME-INVALID');
      expect(ls.failures).toEqual([]);
    }
  });

  it('rejects another error', async () => {
    const hook = rewrite(
      (b) => b.type === 'UserEditResponse',
      (b) => ({ ...b, error: 'User not found' }),
    );
    const { ls } = await world({ server: stateWith('spec', BASE), hook });
    const quiet = await login(ls, 'quiet', 'run_quiet');
    const failures = await failuresOf(ls.exchange(quiet, [edit]));
    expect(expectedText(failures[0]!)).toContain('UND-1: variant A (username validated first) | UND-1: variant B');
  });
});

describe('ADM-UPDATE-13: a case-only rename', () => {
  const rename = msg('UserUpdate', { username: 'run_quiet', requested_username: 'RUN_QUIET' });

  it('accepts the rename (reference) and E-USERNAME-EXISTS, and adopts the stored casing', async () => {
    for (const choice of [undefined, 'refused'] as const) {
      const { ls } = await world({
        server: stateWith('nexusd', BASE),
        ...(choice ? { variant: { choices: { 'ADM-UPDATE-13': choice } } } : {}),
      });
      const root = await login(ls, 'root', 'root');
      const [a] = await ls.exchange(root, [rename]);
      expect(a!.outcome).toBe(
        choice ? 'ADM-UPDATE-13: case-only rename refused (E-USERNAME-EXISTS)' : 'ADM-UPDATE-13: case-only rename carried out',
      );
      expect(ls.model().accounts.run_quiet!.username).toBe(choice ? 'run_quiet' : 'RUN_QUIET');
      await ls.exchange(root, [msg('UserEdit', { username: 'run_quiet' })]);
      expect(ls.failures).toEqual([]);
    }
  });

  it('rejects another error', async () => {
    const hook = rewrite(
      (b) => b.type === 'UserUpdateResponse',
      (b) => ({ type: b.type, success: false, error: 'Cannot rename the guest account' }),
    );
    const { ls } = await world({ server: stateWith('spec', BASE), hook });
    const root = await login(ls, 'root', 'root');
    const failures = await failuresOf(ls.exchange(root, [rename]));
    expect(expectedText(failures[0]!)).toContain(
      'no allowed outcome matched (ADM-UPDATE-13: case-only rename carried out | ADM-UPDATE-13: case-only rename refused',
    );
  });
});

describe('WIRE-JSON-2 in spec: a payload without "type"', () => {
  const bare = raw('Handshake', '{"version":"0.5.0"}');

  it('accepts processing (reference) and a decoding failure with a close', async () => {
    for (const choice of [undefined, 'rejected'] as const) {
      const { ls } = await world({
        server: stateWith('spec', BASE),
        ...(choice ? { variant: { choices: { 'WIRE-JSON-2': choice } } } : {}),
      });
      const c = await ls.open('bare');
      await ls.exchange(c, [bare]);
      expect(ls.lastOutcome).toBe(
        choice ? 'WIRE-JSON-2: a payload without "type" is a decoding failure' : 'WIRE-JSON-2: a payload without "type" is processed',
      );
      expect(ls.isOpen(c)).toBe(choice === undefined);
      expect(ls.failures).toEqual([]);
    }
  });

  it('nexusd: only the decoding failure', async () => {
    const { ls } = await world({ server: stateWith('nexusd', BASE) });
    const c = await ls.open('bare');
    await ls.exchange(c, [bare]);
    expect(ls.lastOutcome).toBeUndefined();
    expect(ls.isOpen(c)).toBe(false);
    expect(ls.failures).toEqual([]);
  });
});

describe('UND-14: the locale of an aggregated entry', () => {
  const accounts = [...BASE, account('run_multi')];

  async function scene(o: Omit<Parameters<typeof world>[0], 'server'> = {}) {
    const { ls } = await world({ server: stateWith('spec', accounts), ...o });
    const watch = await login(ls, 'watch', 'run_watch');
    await login(ls, 'm1', 'run_multi', { locale: 'fr' });
    await login(ls, 'm2', 'run_multi', { locale: 'de' });
    return { ls, watch };
  }

  it("accepts the latest login's locale (reference) and the earliest's (a variant server)", async () => {
    for (const variant of [undefined, { forms: { earliestLocale: true } }]) {
      const { ls, watch } = await scene(variant ? { variant } : {});
      const [list] = await ls.exchange(watch, [msg('UserList', {})]);
      const entry = (list!.observed!.message!.body.users as Array<Record<string, unknown>>).find((u) => u.username === 'run_multi');
      expect(entry!.locale).toBe(variant ? 'fr' : 'de');
      await ls.exchange(watch, [msg('UserInfo', { nickname: 'run_multi' })]);
      expect(ls.failures).toEqual([]);
    }
  });

  it('rejects a locale none of its sessions has', async () => {
    const hook = rewrite(
      (b) => b.type === 'UserListResponse',
      (b) => ({
        ...b,
        users: (b.users as Array<Record<string, unknown>>).map((u) => (u.username === 'run_multi' ? { ...u, locale: 'en' } : u)),
      }),
    );
    const { ls, watch } = await scene({ hook });
    const failures = await failuresOf(ls.exchange(watch, [msg('UserList', {})]));
    expect(failures[0]!.actual).toContain('locale: expected the locale of one of its sessions "fr" or "de" got "en" (UND-14)');
  });
});
