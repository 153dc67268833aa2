// Property tests (fast-check; a failure prints its seed and shrunk counterexample):
// MERGE-1..5 over arbitrary permission sets, PERM-3 / SHARED-1 for shared accounts whatever is
// requested, USR-LIST-5 / CM-4 order, and robustness: any well-typed request from any account kind
// is answered exactly once (WIRE-ID-2) without throwing, and the state stays consistent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { delegateCreate, delegateUpdate, restrictShared } from '../../src/model/merge.ts';
import { ALL_PERMISSIONS, SHARED_ALLOWED, isKnownPermission, isSharedAllowed } from '../../src/model/permissions.ts';
import type { Account } from '../../src/model/state.ts';
import { nameKey } from '../../src/model/state.ts';
import type { Profile } from '../../src/protocol/types.ts';
import { PROFILES } from '../../src/protocol/types.ts';
import { messagesTo, sends, world, type World } from './world.ts';

const profile = fc.constantFrom<Profile>(...PROFILES);
const known = fc.subarray([...ALL_PERMISSIONS]);
/** Requested lists: known names, bogus names and out-of-scope names of later builds, repeats allowed. */
const requested = fc.array(fc.oneof(fc.constantFrom(...ALL_PERMISSIONS), fc.constantFrom('zz_bogus', 'ban_create', 'Chat_Send')), {
  maxLength: 12,
});
const requester = (permissions: string[], isAdmin = false): Account => ({
  username: 'r',
  passwordDigest: null,
  isAdmin,
  isShared: false,
  enabled: true,
  permissions,
  createdAt: 0,
});
const set = (xs: readonly string[]) => new Set(xs);

describe('MERGE-1 / MERGE-3 create delegation, any sets', () => {
  it('spec keeps exactly requested ∩ held; nexusd accepts iff requested ⊆ held; admins keep all', () => {
    fc.assert(
      fc.property(profile, known, known, fc.boolean(), (p, want, held, admin) => {
        const r = delegateCreate(want, requester(held, admin), p);
        const allowed = want.filter((x) => held.includes(x));
        if (admin) expect(r).toEqual({ ok: true, permissions: [...set(want)] });
        else if (p === 'spec') expect(r.ok && set(r.permissions)).toEqual(set(allowed));
        else expect(r.ok).toBe(allowed.length === want.length);
      }),
    );
  });
});

describe('MERGE-2 / MERGE-3 update delegation, any sets', () => {
  it('spec: requested ∩ held; nexusd: (current − held) ∪ requested when requested ⊆ held', () => {
    fc.assert(
      fc.property(profile, known, known, known, fc.boolean(), (p, want, held, current, admin) => {
        const r = delegateUpdate(want, requester(held, admin), current, p);
        if (admin) expect(r).toEqual({ ok: true, permissions: [...set(want)] });
        else if (p === 'spec') expect(r.ok && set(r.permissions)).toEqual(set(want.filter((x) => held.includes(x))));
        else if (!want.every((x) => held.includes(x))) expect(r.ok).toBe(false);
        else expect(r.ok && set(r.permissions)).toEqual(set([...current.filter((x) => !held.includes(x)), ...want]));
      }),
    );
  });
});

describe('MERGE-5 shared restriction, any request', () => {
  it('spec removes exactly the known forbidden names; nexusd refuses iff any name is not shared-allowed', () => {
    fc.assert(
      fc.property(profile, requested, (p, want) => {
        const r = restrictShared(want, p);
        if (p === 'spec') {
          expect(r).toEqual({ ok: true, permissions: want.filter((x) => isSharedAllowed(x) || !isKnownPermission(x)) });
        } else {
          expect(r.ok).toBe(want.every(isSharedAllowed));
        }
      }),
    );
  });
});

describe('PERM-3 / SHARED-1 / MERGE-5 a shared account never holds a forbidden name', () => {
  it('whatever UserCreate and UserUpdate request, by admins or delegating non-admins', () => {
    fc.assert(
      fc.property(profile, requested, requested, known, fc.boolean(), (p, onCreate, onUpdate, held, byAdmin) => {
        const w = world(p);
        const boss = w.admin('boss');
        const r = byAdmin ? boss : w.user('deleg', { permissions: ['user_create', 'user_edit', ...held] });
        w.send(r.conn, 'UserCreate', {
          username: 'kiosk',
          password: 'pw',
          is_admin: false,
          is_shared: true,
          enabled: true,
          permissions: onCreate,
        });
        if (!w.state.accounts.kiosk) w.account('kiosk', { shared: true, permissions: [...SHARED_ALLOWED] });
        w.send(r.conn, 'UserUpdate', {
          username: 'kiosk',
          requested_permissions: onUpdate,
          requested_is_admin: byAdmin ? true : undefined,
        });
        w.send(boss.conn, 'UserUpdate', { username: 'guest', requested_permissions: onUpdate, requested_is_admin: true });
        for (const key of ['kiosk', 'guest']) {
          const a = w.state.accounts[key]!;
          expect(a.isAdmin).toBe(false);
          expect(a.permissions.filter((x) => !isSharedAllowed(x))).toEqual([]);
        }
      }),
    );
  });
});

/** Independent comparator: code points of the lower-cased nicknames. */
function inOrder(nicknames: string[]): boolean {
  const cps = (s: string) => [...s.toLowerCase()].map((c) => c.codePointAt(0)!);
  for (let i = 1; i < nicknames.length; i++) {
    const a = cps(nicknames[i - 1]!);
    const b = cps(nicknames[i]!);
    const n = Math.min(a.length, b.length);
    let k = 0;
    while (k < n && a[k] === b[k]) k++;
    if (k < n ? a[k]! > b[k]! : a.length > b.length) return false;
  }
  return true;
}

describe('USR-LIST-5 / CM-4 list order', () => {
  // Without the u flag the class holds both halves of 𝒜 on their own: lone surrogates are generated too.
  // eslint-disable-next-line no-misleading-character-class
  const name = fc.stringMatching(/^[A-Za-zÄäÖöÉé_0-9𝒜]{1,6}$/);
  it('UserList (both forms) and ConnectionMonitor are always in case-insensitive nickname order', () => {
    fc.assert(
      fc.property(profile, fc.array(name, { maxLength: 8 }), fc.array(name, { maxLength: 8 }), (p, regulars, sharedNicks) => {
        const w = world(p);
        const boss = w.admin('boss');
        w.account('kiosk', { shared: true });
        for (const n of regulars) w.user(n);
        for (const n of sharedNicks) w.session('kiosk', { nickname: n });
        const nicknamesOf = (type: string, body: Record<string, unknown>, member: string) =>
          (messagesTo(w.send(boss.conn, type, body), boss.conn)[0]!.body[member] as Array<{ nickname: string }>).map((u) => u.nickname);
        expect(inOrder(nicknamesOf('UserList', { all: false }, 'users'))).toBe(true);
        expect(inOrder(nicknamesOf('UserList', { all: true }, 'users'))).toBe(true);
        expect(inOrder(nicknamesOf('ConnectionMonitor', {}, 'connections'))).toBe(true);
      }),
    );
  });
});

// --- robustness --------------------------------------------------------------------------------

const names = ['boss', 'bob', 'BOB', 'req', 'guest', 'kiosk', 'Visitor', 'member', 'ghost', 'fresh', 'Fresh2', ''];
// Mostly names the populated server knows, so requests get past validation into the deeper rules.
const text = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...names) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const perms = fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...ALL_PERMISSIONS) }, { weight: 1, arbitrary: text }), {
  maxLength: 30,
});
const u32 = fc.integer({ min: 0, max: 4_294_967_295 });

/** Any well-typed body of every handler's message type (wire.md §6, WIRE-JSON-4). */
const request: fc.Arbitrary<[string, Record<string, unknown>]> = fc.oneof(
  fc.record({ all: opt(fc.boolean()) }).map((b) => ['UserList', b] as [string, Record<string, unknown>]),
  fc.record({ nickname: text }).map((b) => ['UserInfo', b] as [string, Record<string, unknown>]),
  fc.record({ message: opt(fc.option(text)) }).map((b) => ['UserAway', b] as [string, Record<string, unknown>]),
  fc.constant(['UserBack', {}] as [string, Record<string, unknown>]),
  fc.record({ status: opt(fc.option(text)) }).map((b) => ['UserStatus', b] as [string, Record<string, unknown>]),
  fc
    .record({
      username: text,
      password: text,
      is_admin: fc.boolean(),
      is_shared: opt(fc.boolean()),
      enabled: fc.boolean(),
      permissions: perms,
    })
    .map((b) => ['UserCreate', b] as [string, Record<string, unknown>]),
  fc.record({ username: text }).map((b) => ['UserEdit', b] as [string, Record<string, unknown>]),
  fc
    .record({
      username: text,
      current_password: opt(fc.oneof(fc.constant('pw'), text)),
      requested_username: opt(text),
      requested_password: opt(text),
      requested_is_admin: opt(fc.boolean()),
      requested_enabled: opt(fc.boolean()),
      requested_permissions: opt(perms),
    })
    .map((b) => ['UserUpdate', b] as [string, Record<string, unknown>]),
  fc.record({ username: text }).map((b) => ['UserDelete', b] as [string, Record<string, unknown>]),
  fc.record({ nickname: text }).map((b) => ['UserKick', b] as [string, Record<string, unknown>]),
  fc
    .record({ name: opt(text), description: opt(text), max_connections_per_ip: opt(u32), max_transfers_per_ip: opt(u32), image: opt(text) })
    .map((b) => ['ServerInfoUpdate', b] as [string, Record<string, unknown>]),
  fc.constant(['ConnectionMonitor', {}] as [string, Record<string, unknown>]),
);

type Kind = 'regular' | 'admin' | 'shared' | 'guest';

/** A populated server and a requester of the given kind holding `held` (stored as is, even for shared). */
function populated(p: Profile, kind: Kind, held: string[]): { w: World; conn: string } {
  const w = world(p);
  w.admin('boss');
  w.user('bob', { permissions: ['user_list'] });
  w.session('bob');
  w.account('kiosk', { shared: true, permissions: ['user_list'] });
  w.session('kiosk', { nickname: 'Visitor' });
  w.account('ghost', { enabled: false });
  switch (kind) {
    case 'regular':
      return { w, conn: w.user('req', { permissions: held }).conn };
    case 'admin':
      return { w, conn: w.admin('req').conn };
    case 'shared':
      w.account('team', { shared: true, permissions: held });
      return { w, conn: w.session('team', { nickname: 'member' }).conn };
    case 'guest':
      w.enableGuest(held);
      return { w, conn: w.session('', { password: '', nickname: 'roamer' }).conn };
  }
}

function consistent(w: World): void {
  for (const [key, a] of Object.entries(w.state.accounts)) expect(nameKey(a.username)).toBe(key);
  for (const s of Object.values(w.state.sessions)) {
    expect(w.state.accounts[s.accountKey]).toBeDefined();
    if (s.conn !== null) expect(w.state.connections[s.conn]?.sessionId).toBe(s.id);
  }
  expect(JSON.parse(JSON.stringify(w.state))).toEqual(w.state);
}

describe('robustness: any well-typed request from any account kind', () => {
  it('never throws, answers each request once with its id, keeps the state consistent', () => {
    fc.assert(
      fc.property(
        profile,
        fc.constantFrom<Kind>('regular', 'admin', 'shared', 'guest'),
        fc.subarray([...ALL_PERMISSIONS]),
        fc.array(request, { minLength: 1, maxLength: 6 }),
        (p, kind, held, requests) => {
          const { w, conn } = populated(p, kind, held);
          for (const [type, body] of requests) {
            const open = w.state.connections[conn] !== undefined;
            const id = w.nextId();
            const outs = w.send(conn, type, body, id);
            const direct = sends(outs, conn).filter((o) => o.message.id === id);
            // WIRE-SEQ-8: a closed connection processes nothing; otherwise exactly one answer (WIRE-ID-2).
            expect(direct.length).toBe(open ? 1 : 0);
            consistent(w);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
