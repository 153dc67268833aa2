// Rules whose outcome depends on server-wide state, each in every state it depends on (generated
// from the tables below): the first-user rule with accounts and nobody online and with sessions;
// logins of regular, shared and guest accounts while the account is enabled, disabled, renamed or
// deleted; presence and broadcast audiences with zero, one and several eligible receivers. Where a
// state needs nobody online, the check closes the harness's control session; the runner logs it in
// again before the next check (RunContext.ensureControl). The model decides every outcome.
import { admin, check, guest, section, shared, user, type Actor, type CheckContext, type CheckDef } from '../../src/runner/api.ts';
import type { ClientType } from '../../src/protocol/types.ts';
import type { ErrorKey } from '../../src/model/events.ts';
import { credentials, loginBody, sharedLogin } from '../_lib.ts';

/** Closes the control session so that nobody of the run is online; false when others still are. */
async function suspendControl(t: CheckContext): Promise<boolean> {
  await t.admin.close();
  return Object.keys(t.model().sessions).length === 0;
}

/** A Login on a fresh connection; the answer is checked against the model, then the connection let go. */
async function loginAttempt(t: CheckContext, body: Record<string, unknown>, expect?: ErrorKey): Promise<void> {
  const c = await t.connect('shaken', 'login');
  const r = c.login(body);
  if (expect) await r.expectError(expect);
  else await r.expectSuccess();
  if (c.connected) await c.close();
  else await c.expectClosed();
}

// --- first user (SES-AUTH-2, SES-LOGIN-12) -------------------------------------------------------

const firstUser: CheckDef[] = [
  check({
    id: 'first-user/accounts-nobody-online',
    title:
      'With accounts but nobody online, an unknown username is not created as the first user (E-INVALID-CREDENTIALS); the admin still logs in',
    rules: ['SES-AUTH-2', 'SES-LOGIN-12'],
    errors: ['E-INVALID-CREDENTIALS'],
    run: async (_, t) => {
      if (!(await suspendControl(t))) t.skip('other sessions are online on the target, so "nobody online" cannot be reached');
      const name = t.name('first');
      t.created(name);
      await loginAttempt(t, loginBody(name, 'First-Pa55word'), 'E-INVALID-CREDENTIALS');
      await loginAttempt(t, loginBody(name, 'First-Pa55word'), 'E-INVALID-CREDENTIALS');
      await loginAttempt(t, credentials(t.admin));
    },
  }),
  check({
    id: 'first-user/accounts-and-sessions',
    title: 'With accounts and live sessions, an unknown username is not created either (E-INVALID-CREDENTIALS)',
    rules: ['SES-AUTH-2', 'SES-LOGIN-12'],
    errors: ['E-INVALID-CREDENTIALS'],
    actors: { online: user() },
    run: async (_, t) => {
      const name = t.name('first');
      t.created(name);
      await loginAttempt(t, loginBody(name, 'First-Pa55word'), 'E-INVALID-CREDENTIALS');
    },
  }),
];

// --- logins by account state ---------------------------------------------------------------------

type AccountState = 'enabled' | 'disabled' | 're-enabled' | 'renamed' | 'deleted';
const ACCOUNT_STATES: readonly AccountState[] = ['enabled', 'disabled', 're-enabled', 'renamed', 'deleted'];

/** Moves the account of `who` (now named `name`) into `state`; returns its name afterwards. */
async function enter(state: AccountState, name: string, t: CheckContext): Promise<string> {
  const update = (body: Record<string, unknown>) => t.admin.request('UserUpdate', { username: name, ...body }).expectSuccess();
  switch (state) {
    case 'enabled':
      return name;
    case 'disabled':
      await update({ requested_enabled: false });
      return name;
    case 're-enabled':
      await update({ requested_enabled: true });
      return name;
    case 'renamed': {
      const renamed = t.name('renamed');
      t.created(renamed);
      await update({ requested_username: renamed });
      return renamed;
    }
    case 'deleted':
      await t.admin.request('UserDelete', { username: name }).expectSuccess();
      return name;
  }
}

/**
 * One account kind through every state: after each step a Login under the current name (and, once
 * renamed, under the old one). Expected answers: enabled → success; disabled → E-ACCOUNT-DISABLED;
 * renamed → the old name is unknown; deleted → unknown (existence is not revealed).
 */
function loginStates(kind: 'regular' | 'shared'): CheckDef {
  return check({
    id: `login/${kind}-account-states`,
    title: `Login to a ${kind} account while it is enabled, disabled, enabled again, renamed (old and new name) and deleted`,
    rules: [
      'SES-LOGIN-12',
      'SES-LOGIN-13',
      'ADM-UPDATE-15',
      'ADM-UPDATE-18',
      'ADM-DELETE-9',
      'ADM-CREATE-13',
      kind === 'shared' ? 'SES-SHARED-1' : 'SES-AUTH-1',
    ],
    errors: ['E-ACCOUNT-DISABLED', 'E-INVALID-CREDENTIALS'],
    seed: 'admin.md §UserUpdate',
    actors: { who: kind === 'shared' ? shared({ login: false }) : user({ login: false }) },
    run: async ({ who }, t) => {
      const body = (name: string) =>
        kind === 'shared' ? sharedLogin(who!, t.name('nick'), { username: name }) : loginBody(name, who!.password);
      let name = who!.username;
      for (const state of ACCOUNT_STATES) {
        const before = name;
        name = await enter(state, name, t);
        const expect: ErrorKey | undefined =
          state === 'disabled' ? 'E-ACCOUNT-DISABLED' : state === 'deleted' ? 'E-INVALID-CREDENTIALS' : undefined;
        await loginAttempt(t, body(name), expect);
        if (state === 'renamed') await loginAttempt(t, body(before), 'E-INVALID-CREDENTIALS');
      }
    },
  });
}

const guestStates = check({
  id: 'login/guest-account-states',
  title: 'Guest login while the guest account is disabled, enabled, and after a refused rename (any casing of "guest", and "")',
  rules: ['SES-GUEST-1', 'SES-GUEST-2', 'ADM-UPDATE-7', 'GUEST-1'],
  errors: ['E-GUEST-DISABLED', 'E-CANNOT-RENAME-GUEST'],
  seed: 'admin.md §Guest Account',
  // The guest actor makes the runner record the guest account and restore it after the check.
  actors: { boss: admin(), visitor: guest({ permissions: [] }) },
  run: async ({ boss }, t) => {
    const guest = (username: string) => loginBody(username, '', { nickname: t.name('visitor') });
    const setEnabled = (enabled: boolean) => boss!.request('UserUpdate', { username: 'guest', requested_enabled: enabled }).expectSuccess();
    for (const enabled of [false, true]) {
      await setEnabled(enabled);
      for (const username of ['guest', 'GUEST', '']) await loginAttempt(t, guest(username), enabled ? undefined : 'E-GUEST-DISABLED');
    }
    // A rename of the guest account is refused (or, case-only in `nexusd`, keeps it the guest).
    await boss!.request('UserUpdate', { username: 'guest', requested_username: t.name('notguest') });
    await loginAttempt(t, guest('guest'));
  },
});

// --- broadcast audiences: zero, one, several eligible receivers ----------------------------------

interface Trigger {
  title: string;
  rules: string[];
  /** The request that broadcasts (sent by `actor`), or 'presence' for a login and a logout of `subject`. */
  request: { type: ClientType; body: Record<string, unknown> } | 'presence';
  /** The sender must be an admin (ServerInfoUpdate). */
  admin?: boolean;
}

const TRIGGERS: readonly Trigger[] = [
  // BC-4 (UserAway, UserStatus and UserBack share it): its first and its clearing trigger.
  {
    title: 'UserAway → UserUpdated to user_list holders',
    rules: ['BC-4', 'USR-AWAY-5'],
    request: { type: 'UserAway', body: { message: 'away' } },
  },
  { title: 'UserBack → UserUpdated to user_list holders', rules: ['BC-4', 'USR-BACK-2'], request: { type: 'UserBack', body: {} } },
  {
    title: 'Login and logout → UserConnected / UserDisconnected to user_list holders',
    rules: ['SES-BC-1', 'BC-1', 'BC-2', 'SES-BC-3'],
    request: 'presence',
  },
  {
    title: 'ServerInfoUpdate → ServerInfoUpdated to every session',
    rules: ['BC-6', 'ADM-SINFO-10'],
    request: { type: 'ServerInfoUpdate', body: { description: 'state matrix' } },
    admin: true,
  },
];

/**
 * Every trigger with zero, one and several eligible receivers besides the sender, in one check so
 * the actors and the closed control session serve all of them. The admin sender of ServerInfoUpdate
 * is online only for its own request (an admin holds user_list, GEN-5, and would be a receiver).
 */
const audiences = check({
  id: 'broadcast/audiences',
  title: `Broadcasts with zero, one and several eligible receivers besides the sender (control session closed): ${TRIGGERS.map((x) => x.title).join('; ')}`,
  rules: [...new Set(TRIGGERS.flatMap((x) => x.rules))],
  seed: 'users.md §User Presence Broadcasts',
  actors: {
    sender: user(),
    bystander: user(),
    boss: admin({ login: false }),
    subject: user({ login: false }),
    watcher1: user({ login: false, permissions: ['user_list'] }),
    watcher2: user({ login: false, permissions: ['user_list'] }),
  },
  run: async ({ sender, boss, subject, watcher1, watcher2 }, t) => {
    await suspendControl(t);
    /** A login of `who` on a new connection, `then` on it, and its logout. */
    const visit = async (who: Actor, then: (c: Actor) => Promise<unknown>): Promise<void> => {
      const c = await t.connect('shaken', who.name);
      await c.login(credentials(who)).expectSuccess();
      await then(c);
      await c.close();
    };
    const fire = async (trigger: Trigger): Promise<void> => {
      const r = trigger.request;
      if (r === 'presence') await visit(subject!, async () => undefined);
      else if (trigger.admin) await visit(boss!, (c) => c.request(r.type, r.body).expectSuccess());
      else await sender!.request(r.type, r.body).expectSuccess();
    };
    for (const trigger of TRIGGERS) await fire(trigger);
    for (const watcher of [watcher1!, watcher2!]) {
      const w = await t.connect('shaken', watcher.name);
      await w.login(credentials(watcher)).expectSuccess();
      for (const trigger of TRIGGERS) await fire(trigger);
    }
  },
});

export default section({ id: 'generated/state-matrix', title: 'Rules in every server-wide state they depend on (generated)' }, [
  ...firstUser,
  loginStates('regular'),
  loginStates('shared'),
  guestStates,
  audiences,
]);
