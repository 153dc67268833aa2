// Faults of Login (session.md §2–§3): regular accounts, the first user, shared accounts and the guest.
import { nameKey, passwordDigest, type State } from '../../model/index.ts';
import {
  BOTH,
  SUITE,
  altered,
  errorKeyOf,
  inheritedNameFound,
  isSend,
  mapOutputs,
  onRequest,
  patchBody,
  reword,
  withBody,
  type FaultEntry,
  type Req,
} from './kit.ts';

const regular = 'login (regular)';
const first = 'login (first user)';
const sharedFamily = 'login (shared)';
const guestFamily = 'login (guest)';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const loginName = (req: Req): string => {
  const u = str(req.body.username) ?? '';
  return u === '' ? 'guest' : u;
};
const accountFor = (state: State, req: Req) => state.accounts[nameKey(loginName(req))];

export const LOGIN_FAULTS: FaultEntry[] = [
  {
    name: 'login-disabled-reveals-with-wrong-password',
    family: regular,
    description: 'a wrong password on a disabled account is answered "account disabled", revealing the account',
    rules: ['SES-LOGIN-10', 'SES-LOGIN-11'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        const account = accountFor(state, req);
        const pw = str(req.body.password);
        if (!account || account.enabled || pw === undefined || req.connection?.phase !== 'shaken') return undefined;
        // The enabled flag is checked before the password.
        const r = next(
          altered(state, (s) => (s.accounts[nameKey(account.username)]!.passwordDigest = passwordDigest(pw))),
          event,
        );
        return {
          ...r,
          state: altered(
            r.state,
            (s) =>
              s.accounts[nameKey(account.username)] && (s.accounts[nameKey(account.username)]!.passwordDigest = account.passwordDigest),
          ),
        };
      }),
  },
  {
    name: 'login-unknown-user-revealed',
    family: regular,
    description: 'a Login naming an unknown account says "user not found" instead of "invalid credentials"',
    rules: ['SES-LOGIN-12'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        if (accountFor(state, req)) return undefined;
        return mapOutputs(next(state, event), (o) =>
          isSend(o) && errorKeyOf(o) === 'E-INVALID-CREDENTIALS'
            ? reword(o, 'E-USER-NOT-FOUND', { username: loginName(req) }, state.config.profile)
            : o,
        );
      }),
  },
  {
    name: 'login-locale-not-echoed',
    family: regular,
    description: 'LoginResponse always reports locale "en", whatever the Login asked for',
    rules: ['SES-LR-4'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (_req, state, event, next) =>
        mapOutputs(next(state, event), (o) =>
          isSend(o, 'LoginResponse') && o.message.body.success === true ? patchBody(o, { locale: 'en' }) : o,
        ),
      ),
  },
  {
    name: 'login-admin-lists-permissions',
    family: regular,
    description: "an admin's LoginResponse lists every permission name instead of []",
    rules: ['SES-LR-3', 'PERM-4'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (_req, state, event, next) =>
        mapOutputs(next(state, event), (o) =>
          isSend(o, 'LoginResponse') && o.message.body.is_admin === true
            ? patchBody(o, { permissions: ['chat_receive', 'chat_send', 'user_list', 'user_info'] })
            : o,
        ),
      ),
  },
  {
    name: 'login-features-limit-off-by-one',
    family: regular,
    description: 'a Login with 17 features is accepted (the limit is 16)',
    rules: ['VAL-FEATURES', 'SES-LOGIN-7'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) =>
        Array.isArray(req.body.features) && req.body.features.length === 17
          ? next(state, withBody(event, { ...req.body, features: req.body.features.slice(0, 16) }))
          : undefined,
      ),
  },
  {
    name: 'login-locale-control-accepted',
    family: regular,
    description: 'a locale with a control character is accepted (only its length is checked)',
    rules: ['VAL-LOCALE', 'SES-LOGIN-6'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        const locale = str(req.body.locale);

        return locale !== undefined && /[\u0000-\u001f\u007f-\u009f]/.test(locale)
          ? next(state, withBody(event, { ...req.body, locale: locale.replace(/[\u0000-\u001f\u007f-\u009f]/g, '') }))
          : undefined;
      }),
  },
  {
    name: 'login-auto-registers-unknown-user',
    family: first,
    description: 'a Login naming an unknown account creates it (as a regular account) even though accounts exist',
    rules: ['SES-LOGIN-12', 'SES-AUTH-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        const pw = str(req.body.password);
        const name = loginName(req);
        const others = Object.keys(state.accounts).some((k) => k !== 'guest');
        if (accountFor(state, req) || !others || !pw || req.connection?.phase !== 'shaken' || !/^[\x21-\x7e]{1,32}$/.test(name))
          return undefined;
        return next(
          altered(state, (s) => {
            s.accounts[nameKey(name)] = {
              username: name,
              passwordDigest: passwordDigest(pw),
              isAdmin: false,
              isShared: false,
              enabled: true,
              permissions: [],
              createdAt: event.now,
            };
          }),
          event,
        );
      }),
  },
  {
    name: 'first-user-not-admin',
    family: first,
    description: 'the first Login of a fresh server creates a regular account without admin rights',
    rules: ['SES-AUTH-2', 'SES-LOGIN-12'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        if (accountFor(state, req) || Object.keys(state.accounts).some((k) => k !== 'guest')) return undefined;
        const r = next(state, event);
        const key = nameKey(loginName(req));
        if (!r.state.accounts[key]) return r;
        return {
          state: altered(r.state, (s) => (s.accounts[key]!.isAdmin = false)),
          outputs: r.outputs.map((o) =>
            isSend(o, 'LoginResponse') ? patchBody(o, { is_admin: false, permissions: [], chat_info: undefined }) : o,
          ),
        };
      }),
  },
  {
    name: 'shared-nickname-optional',
    family: sharedFamily,
    description: 'a shared Login without nickname succeeds with a generated nickname',
    rules: ['SES-LOGIN-13'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        const account = accountFor(state, req);
        if (!account?.isShared || (req.body.nickname !== undefined && req.body.nickname !== null)) return undefined;
        return next(state, withBody(event, { ...req.body, nickname: `anon${state.nextSessionId}` }));
      }),
  },
  {
    name: 'shared-nickname-in-use-case-sensitive',
    family: sharedFamily,
    description: 'a shared nickname differing only in case from a live nickname is accepted',
    rules: ['SES-LOGIN-16', 'GEN-7'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        const nick = str(req.body.nickname);
        if (!accountFor(state, req)?.isShared || nick === undefined) return undefined;
        const clashing = Object.values(state.sessions).filter((s) => nameKey(s.nickname) === nameKey(nick) && s.nickname !== nick);
        if (clashing.length === 0) return undefined;
        const r = next(
          altered(state, (s) => clashing.forEach((c) => (s.sessions[String(c.id)]!.nickname = `\u0000${c.id}`))),
          event,
        );
        return {
          ...r,
          state: altered(r.state, (s) =>
            clashing.forEach((c) => s.sessions[String(c.id)] && (s.sessions[String(c.id)]!.nickname = c.nickname)),
          ),
        };
      }),
  },
  {
    name: 'shared-nickname-may-be-username',
    family: sharedFamily,
    description: 'a shared session may take the username of an existing account as its nickname',
    rules: ['SES-LOGIN-15'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        const nick = str(req.body.nickname);
        const owner = nick !== undefined ? state.accounts[nameKey(nick)] : undefined;
        if (!accountFor(state, req)?.isShared || !owner || nameKey(owner.username) === nameKey(loginName(req))) return undefined;
        const key = nameKey(owner.username);
        const r = next(
          altered(state, (s) => delete s.accounts[key]),
          event,
        );
        return { ...r, state: altered(r.state, (s) => (s.accounts[key] = structuredClone(owner))) };
      }),
  },
  {
    name: 'inherited-nickname-is-username',
    family: sharedFamily,
    description:
      'a shared session cannot take the nickname "constructor" or "__proto__" (any casing): it is refused as a username, as by a server keeping accounts in a plain JavaScript object',
    rules: ['SES-LOGIN-15', 'GEN-7'],
    profiles: BOTH,
    detection: SUITE,
    make: () => inheritedNameFound(['Login'], (req) => req.body.nickname),
  },
  {
    name: 'guest-any-password',
    family: guestFamily,
    description: 'the guest account accepts any password',
    rules: ['SES-GUEST-1', 'SES-LOGIN-10'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) =>
        nameKey(loginName(req)) === 'guest' && req.body.password !== ''
          ? next(state, withBody(event, { ...req.body, password: '' }))
          : undefined,
      ),
  },
  {
    name: 'guest-enabled-at-start',
    family: guestFamily,
    description: 'a fresh server starts with the guest account enabled',
    rules: ['SES-GUEST-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () => {
      let started = false;
      return {
        step: (state, event, next) => {
          if (started || !state.accounts.guest) return next(state, event);
          started = true;
          return next(
            altered(state, (s) => (s.accounts.guest!.enabled = true)),
            event,
          );
        },
      };
    },
  },
  {
    name: 'guest-name-case-sensitive',
    family: guestFamily,
    description: 'Login as "GUEST" is not recognised as the guest account',
    rules: ['SES-GUEST-1', 'GEN-7', 'SES-LOGIN-9'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        const u = str(req.body.username);
        return u !== undefined && u !== 'guest' && nameKey(u) === 'guest'
          ? next(state, withBody(event, { ...req.body, username: 'guest-0' }))
          : undefined;
      }),
  },
];
