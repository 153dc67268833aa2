// The stateful fuzzer's command arbitraries: every command (session-commands.ts, admin-commands.ts)
// with the arbitrary of its parameters. Parameters are indices into the live sessions and accounts
// of the fuzzer's model (model.ts), so a shrunk sequence still names something real.
import fc from 'fast-check';
import { ALL_PERMISSIONS, SHARED_ALLOWED } from '../../model/index.ts';
import type { Cmd } from './command-base.ts';
import { Create, Delete, Edit, Kick, ServerInfo, Update, type Change } from './admin-commands.ts';
import { Away, Back, Burst, Info, Junk, List, Login, Logout, Monitor, Status, type BurstItem } from './session-commands.ts';

export { MAX_SESSIONS } from './command-base.ts';

const who = fc.nat({ max: 63 });
const idx = fc.nat({ max: 63 });
const text = fc.constantFrom('brb', 'lunch', '', 'back at 5', 'é中😀', 'x'.repeat(128));
const someOf = (names: readonly string[]): fc.Arbitrary<string[]> => fc.subarray([...names], { maxLength: 5 });

/** Every command with its parameter arbitrary; admin-only actions ask for the admin half of the time. */
export const COMMANDS: Array<fc.Arbitrary<Cmd>> = [
  idx.map((a) => new Login(a)),
  who.map((w) => new Logout(w)),
  fc.tuple(who, fc.option(text, { nil: undefined })).map(([w, t]) => new Away(w, t)),
  who.map((w) => new Back(w)),
  fc.tuple(who, fc.option(text, { nil: null })).map(([w, t]) => new Status(w, t)),
  fc.tuple(who, fc.boolean()).map(([w, all]) => new List(w, all)),
  fc.tuple(who, idx).map(([w, t]) => new Info(w, t)),
  who.map((w) => new Monitor(w)),
  fc
    .tuple(
      who,
      fc.array(fc.constantFrom<BurstItem>('list', 'list-all', 'info', 'monitor', 'away', 'back', 'status'), { minLength: 2, maxLength: 8 }),
      idx,
    )
    .map(([w, items, t]) => new Burst(w, items, t)),
  fc.tuple(who, fc.boolean(), idx).map(([w, a, t]) => new Kick(w, a, t)),
  fc
    .tuple(who, fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), someOf(ALL_PERMISSIONS), someOf(SHARED_ALLOWED))
    .map(
      ([w, a, shared, admin, enabled, perms, sharedPerms]) =>
        new Create(w, a, { shared, admin: admin && !shared, enabled, permissions: shared ? sharedPerms : perms }),
    ),
  fc.tuple(who, fc.boolean(), idx).map(([w, a, t]) => new Edit(w, a, t)),
  fc
    .tuple(
      who,
      fc.boolean(),
      idx,
      fc.constantFrom<Change>('rename', 'rename', 'permissions', 'disable', 'enable', 'promote', 'demote'),
      someOf(SHARED_ALLOWED),
    )
    .map(([w, a, t, c, p]) => new Update(w, a, t, c, p)),
  fc.tuple(who, fc.boolean(), idx).map(([w, a, t]) => new Delete(w, a, t)),
  fc
    .tuple(
      who,
      fc.boolean(),
      fc.constantFrom<'name' | 'description'>('name', 'description'),
      fc.constantFrom('Fuzzed server', 'Ünïcødé 中', 'A much longer description of the server'),
    )
    .map(([w, a, k, v]) => new ServerInfo(w, a, k, v)),
  fc.tuple(who, idx).map(([w, j]) => new Junk(w, j)),
];
