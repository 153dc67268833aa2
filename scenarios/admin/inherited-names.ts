// seed admin.md §Username Validation; rules.md GEN-7, VAL-USERNAME, §4.6–§4.9, USR-INFO-*. Usernames
// whose lower-cased key names a property every JavaScript object inherits (`constructor`,
// `__proto__`) are names like any other. A server that keeps accounts or sessions in a plain object
// keyed by name finds them before anyone created them, refuses to create them, or crashes on them.
import { admin, check, section, shared, user, type CheckContext } from '../../src/runner/api.ts';
import { nameKey } from '../../src/model/index.ts';
import { accountBody, CREATED_PASSWORD, loginBody, sharedLogin } from '../_lib.ts';

/** Exact names, not run-prefixed: the fault lies in the key itself. */
const INHERITED = ['constructor', '__proto__'];

/** The names that no account or live session of the target has (its own are left alone, and UND-15 never arises). */
const unused = (t: CheckContext): string[] => {
  const model = t.model();
  const online = new Set(Object.values(model.sessions).map((s) => nameKey(s.nickname)));
  return INHERITED.filter((name) => !Object.hasOwn(model.accounts, name) && !online.has(name));
};

const EXACT = "uses exact names, not the run's, which every lane's listing of accounts or sessions would show";

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
      exclusive: EXACT,
      actors: { boss: admin() },
      run: async ({ boss }, t) => {
        for (const name of unused(t)) {
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
    check({
      id: 'nickname-and-rename',
      title:
        'A shared session may take the nickname "constructor" or "__proto__" while no account has that name, and an account may be renamed to it',
      rules: ['GEN-7', 'VAL-NICKNAME', 'SES-LOGIN-15', 'SES-LOGIN-16', 'SES-LOGIN-17', 'USR-INFO-6', 'ADM-UPDATE-13', 'ADM-EDIT-6'],
      seed: 'users.md §Username vs Nickname',
      exclusive: EXACT,
      actors: { boss: admin(), acct: shared({ login: false }), target: user({ login: false }) },
      run: async ({ boss, acct, target }, t) => {
        for (const name of unused(t)) {
          const door = await t.connect('shaken', 'door');
          await door.login(sharedLogin(acct, name)).expectSuccess();
          const info = await boss.request('UserInfo', { nickname: name }).expectSuccess();
          t.expectBody(info, { user: { username: acct.username, nickname: name } }, 'USR-INFO-6', 'the shared session under its nickname');
          await door.close();
          t.created(name);
          await boss.request('UserUpdate', { username: target.username, requested_username: name }).expectSuccess();
          const renamed = await boss.request('UserEdit', { username: name }).expectSuccess();
          t.expectBody(renamed, { username: name }, 'ADM-EDIT-6', 'the account under its new name');
          await boss.request('UserUpdate', { username: name, requested_username: target.username }).expectSuccess();
        }
      },
    }),
  ],
);
