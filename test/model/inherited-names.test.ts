// Usernames whose lower-cased key (GEN-7) names a property every JavaScript object inherits
// (`constructor`, `__proto__`) are ordinary names (VAL-USERNAME): an account of that name exists
// only once it is created, and creating one stores an account, never the table's prototype. Found
// by the robustness property (properties.test.ts): a UserUpdate of `__proto__` crashed the model.
// And a request member named `__proto__` is an unknown member like any other (WIRE-JSON-3): it
// lends the request none of the members it holds, so a required one it holds is still missing
// (WIRE-JSON-4, WIRE-BAD-12).
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/protocol/types.ts';
import { isClosed, sends, world, type World } from './world.ts';

const INHERITED = ['constructor', 'Constructor', '__proto__', '__Proto__'];

/** The answer to a request: its type, success and error key (no ids, no texts). */
function answer(w: World, conn: string, type: string, body: Record<string, unknown>) {
  const o = sends(w.send(conn, type, body), conn)[0]!;
  return { type: o.message.type, success: o.message.body.success, error: o.error?.key ?? null };
}

describe('GEN-7 / VAL-USERNAME: names an object inherits are names like any other', () => {
  for (const profile of PROFILES) {
    for (const name of INHERITED) {
      it(`${profile}: "${name}" is unknown until created, then an account like any other`, () => {
        const w = world(profile);
        const admin = w.admin();
        for (const [type, body] of [
          ['UserEdit', { username: name }],
          ['UserUpdate', { username: name, requested_enabled: false }],
          ['UserDelete', { username: name }],
        ] as const) {
          // The same answer as for a name nobody has.
          const unknown = answer(w, admin.conn, type, { ...body, username: 'nobodyhere' });
          expect(answer(w, admin.conn, type, body), `${type} of "${name}" before it exists`).toEqual(unknown);
          expect(unknown.error).toBe('E-USER-NOT-FOUND');
        }
        const create = { username: name, password: 'secret1', is_admin: false, enabled: true, permissions: ['user_list'] };
        expect(answer(w, admin.conn, 'UserCreate', create)).toMatchObject({ type: 'UserCreateResponse', success: true });
        expect(Object.getPrototypeOf(w.state.accounts)).toBe(Object.getPrototypeOf(world(profile).state.accounts));
        const edit = sends(w.send(admin.conn, 'UserEdit', { username: name }), admin.conn)[0]!.message.body;
        expect(edit).toMatchObject({ success: true, username: name, permissions: ['user_list'] });
        const s = w.session(name, { password: 'secret1' });
        expect(s.sessionId).toBeGreaterThan(0);
        expect(answer(w, admin.conn, 'UserDelete', { username: name })).toMatchObject({ type: 'UserDeleteResponse', success: true });
        expect(answer(w, admin.conn, 'UserEdit', { username: name }).error).toBe('E-USER-NOT-FOUND');
      });
    }
  }

  for (const profile of PROFILES) {
    it(`${profile}: a shared session may take "constructor" as its nickname while no account has that name (SES-SHARED-*)`, () => {
      const w = world(profile);
      w.account('team', { shared: true, password: 'pw' });
      for (const nickname of ['constructor', '__proto__']) expect(w.session('team', { nickname }).sessionId, nickname).toBeGreaterThan(0);
    });
  }
});

describe('WIRE-JSON-3 / WIRE-JSON-4 / WIRE-BAD-12: a member named __proto__ lends the request nothing', () => {
  /** Every message the request caused, by connection (ids left out), and whether it closed. */
  const reaction = (w: World, conn: string, payload: string) => {
    const outs = w.raw(conn, 'UserDelete', payload);
    return { sent: sends(outs).map((o) => [o.conn, o.message.type, o.error?.key ?? null]), closed: isClosed(outs, conn) };
  };

  for (const profile of PROFILES) {
    it(`${profile}: a UserDelete whose username sits only in "__proto__" is answered as one without a username`, () => {
      const w = world(profile);
      const admin = w.admin();
      w.account('bob');
      const hidden = reaction(w, admin.conn, '{"type":"UserDelete","__proto__":{"username":"bob"}}');
      expect(Object.hasOwn(w.state.accounts, 'bob'), 'bob was deleted').toBe(true);
      const w2 = world(profile);
      const admin2 = w2.admin();
      w2.account('bob');
      expect(hidden).toEqual(reaction(w2, admin2.conn, '{"type":"UserDelete"}'));
    });
  }
});
