// Check order data (GEN-3) of the session messages (Handshake, Login: session.md, SES-*): one entry per
// message, its steps in the order the handler checks them. Vocabulary: vocabulary.ts.
import { member, names, v, ref, step, type MessageOrder } from './vocabulary.ts';

export const SESSION_ORDERS: readonly MessageOrder[] = [
  {
    id: 'handshake',
    message: 'Handshake',
    title: 'Handshake',
    base: { version: { serverVersion: true } },
    names: {},
    states: ['new', 'none', 'plain'],
    failuresClose: true,
    steps: [
      step('already-completed', ['SES-HS-7', 'WIRE-SEQ-5'], 'E-HANDSHAKE-ALREADY-COMPLETED', [{ kind: 'shaken' }]),
      step('version', ['SES-HS-1', 'VAL-VERSION'], 'E-VERSION-EMPTY', [member('version', '')]),
      step('compatibility', ['SES-HS-2'], 'E-VERSION-MAJOR-MISMATCH', [member('version', '99.0.0')]),
    ],
  },
  {
    id: 'login',
    message: 'Login',
    title: 'Login',
    base: { username: ref('offline'), password: { passwordOf: 'username' }, features: v(['chat']), locale: v('en') },
    names: { username: 'username', nickname: 'nickname' },
    states: ['new', 'none', 'plain'],
    failuresClose: true,
    steps: [
      step('handshake-required', ['SES-LOGIN-2', 'WIRE-SEQ-2'], 'E-HANDSHAKE-REQUIRED', [{ kind: 'not-shaken' }]),
      step('already-logged-in', ['SES-LOGIN-3', 'WIRE-SEQ-7'], 'E-ALREADY-LOGGED-IN', [{ kind: 'logged-in' }]),
      step('username', ['SES-LOGIN-4', 'VAL-USERNAME'], 'E-USERNAME-INVALID', [member('username', 'has space')]),
      step('password', ['SES-LOGIN-5', 'VAL-PASSWORD'], 'E-PASSWORD-TOO-LONG', [member('password', 'p'.repeat(257))]),
      step('locale', ['SES-LOGIN-6', 'VAL-LOCALE'], 'E-LOCALE-TOO-LONG', [member('locale', 'l'.repeat(17))]),
      step('features', ['SES-LOGIN-7', 'VAL-FEATURES'], 'E-FEATURES-EMPTY-FEATURE', [member('features', [''])]),
      step('avatar', ['SES-LOGIN-8', 'VAL-AVATAR'], 'E-AVATAR-INVALID-FORMAT', [member('avatar', 'not a data uri')]),
      step('password-wrong', ['SES-LOGIN-10', 'SES-AUTH-1'], 'E-INVALID-CREDENTIALS', [
        names('username', 'offline', ['exists']),
        member('password', 'Gen-Wrong-Pa55'),
      ]),
      step('disabled', ['SES-LOGIN-11'], 'E-ACCOUNT-DISABLED', [names('username', 'disabled', ['disabled'])]),
      step('unknown', ['SES-LOGIN-12', 'SES-AUTH-2'], 'E-INVALID-CREDENTIALS', [names('username', 'missing', ['missing'])]),
      step('nickname-required', ['SES-LOGIN-13', 'SES-SHARED-1'], 'E-NICKNAME-REQUIRED', [
        names('username', 'shared-offline', ['shared']),
        { kind: 'absent', members: ['nickname'] },
      ]),
      step('nickname', ['SES-LOGIN-14', 'VAL-NICKNAME', 'SES-SHARED-1'], 'E-NICKNAME-INVALID', [
        names('username', 'shared-offline', ['shared']),
        member('nickname', 'has space'),
      ]),
      step('nickname-is-username', ['SES-LOGIN-15', 'SES-SHARED-1'], 'E-NICKNAME-IS-USERNAME', [
        names('username', 'shared-offline', ['shared']),
        names('nickname', 'offline', ['exists']),
      ]),
    ],
  },
];
