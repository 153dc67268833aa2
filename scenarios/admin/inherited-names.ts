// seed admin.md §Username Validation; rules.md GEN-7, VAL-USERNAME, §4.6–§4.9, USR-INFO-*. Usernames
// whose lower-cased key names a property every JavaScript object inherits (`constructor`,
// `__proto__`) are names like any other. A server that keeps accounts or sessions in a plain object
// keyed by name finds them before anyone created them, refuses to create them, or crashes on them.
import { admin, check, section } from '../../src/runner/api.ts';
import { nameKey } from '../../src/model/index.ts';
import { accountBody, CREATED_PASSWORD, loginBody } from '../_lib.ts';

/** Exact names, not run-prefixed: the fault lies in the key itself. */
const INHERITED = ['constructor', '__proto__'];

export default section(
  { id: 'admin/inherited-names', title: 'Usernames that name inherited object properties', seed: 'admin.md §Username Validation' },
  [
    check({
      id: 'unknown-until-created',
      title:
        'The usernames "constructor" and "__proto__" are unknown until created, then an account like any other: created, fetched in another casing, logged in, found online, deleted',
      rules: [
        'GEN-7',
        'VAL-USERNAME',
        'ADM-EDIT-4',
        'USR-INFO-5',
        'ADM-CREATE-11',
        'ADM-CREATE-12',
        'ADM-EDIT-6',
        'SES-LOGIN-10',
        'USR-INFO-6',
        'ADM-DELETE-11',
      ],
      errors: ['E-USER-NOT-FOUND', 'E-NICKNAME-NOT-ONLINE'],
      seed: 'admin.md §Username Validation',
      exclusive: "creates accounts under exact names, not the run's, which every lane's listing of accounts would show",
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        for (const name of INHERITED) {
          // The target's own account or session of that name is left alone (and UND-15 never arises).
          const model = t.model();
          if (Object.hasOwn(model.accounts, name) || Object.values(model.sessions).some((s) => nameKey(s.nickname) === name)) continue;
          await boss.request('UserEdit', { username: name }).expectError('E-USER-NOT-FOUND');
          await boss.request('UserInfo', { nickname: name }).expectError('E-NICKNAME-NOT-ONLINE');
          t.created(name);
          await boss.request('UserCreate', accountBody(name)).expectSuccess();
          const stored = await boss.request('UserEdit', { username: name.toUpperCase() }).expectSuccess();
          t.expectBody(stored, { username: name }, 'ADM-EDIT-6', 'the account is found in any casing and reports its stored name');
          const door = await t.connect('shaken', 'door');
          await door.login(loginBody(name, CREATED_PASSWORD)).expectSuccess();
          await boss.request('UserInfo', { nickname: name }).expectSuccess();
          await door.close();
          await boss.request('UserDelete', { username: name }).expectSuccess();
          await boss.request('UserEdit', { username: name }).expectError('E-USER-NOT-FOUND');
        }
      },
    }),
  ],
);
