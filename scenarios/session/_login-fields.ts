// Login field validators (SES-LOGIN-4..8) and the order in which they are checked (session.md §2.1):
// one failing Login per case, as lists that session/login.ts places in its section. Not a section
// itself (the loader skips `_`-prefixed files); the check ids stay `session/login/<id>`.
import { check, user } from '../../src/runner/api.ts';
import type { Actor, CheckContext } from '../../src/runner/api.ts';
import type { ErrorKey } from '../../src/model/events.ts';
import { credentials, loginBody } from '../_lib.ts';

/**
 * A Login that must fail with `key`: every Login failure closes the connection (session.md §2; the
 * carrier may be Error or, in `spec`, LoginResponse — the runner accepts both).
 */
export const loginFails = (
  id: string,
  title: string,
  key: ErrorKey,
  rules: string[],
  body: (account: Actor, t: CheckContext) => Record<string, unknown>,
  opts: { enabled?: boolean } = {},
) =>
  check({
    id,
    title,
    rules: [...rules, 'SES-ERR-2', 'WIRE-SEQ-6'],
    errors: [key],
    actors: { account: user({ login: false, enabled: opts.enabled ?? true }) },
    run: async ({ account }, t) => {
      await account.login(body(account, t)).expectError(key);
      await account.expectClosed();
    },
  });

/** A feature name of the maximal 32 bytes (VAL-FEATURES). */
export const LONG_FEATURE = 'f'.repeat(32);

/** Username and password validators (SES-LOGIN-4, SES-LOGIN-5). */
export const USERNAME_AND_PASSWORD = [
  loginFails(
    'username-too-long',
    'A 33-character username is rejected with E-USERNAME-TOO-LONG',
    'E-USERNAME-TOO-LONG',
    ['SES-LOGIN-4', 'VAL-USERNAME'],
    () => loginBody('u'.repeat(33), 'secret'),
  ),
  loginFails(
    'username-space',
    'A username with a space is rejected with E-USERNAME-INVALID',
    'E-USERNAME-INVALID',
    ['SES-LOGIN-4', 'VAL-USERNAME'],
    () => loginBody('has space', 'secret'),
  ),
  loginFails(
    'username-control',
    'A username with a control character is rejected with E-USERNAME-INVALID',
    'E-USERNAME-INVALID',
    ['SES-LOGIN-4', 'VAL-USERNAME'],
    () => loginBody('tab\tname', 'secret'),
  ),
  loginFails(
    'username-emoji',
    'A username with an emoji is rejected with E-USERNAME-INVALID',
    'E-USERNAME-INVALID',
    ['SES-LOGIN-4', 'VAL-USERNAME'],
    () => loginBody('smile\u{1F600}', 'secret'),
  ),
  loginFails(
    'password-too-long',
    'A 257-character password is rejected with E-PASSWORD-TOO-LONG',
    'E-PASSWORD-TOO-LONG',
    ['SES-LOGIN-5', 'VAL-PASSWORD'],
    (a) => credentials(a, { password: 'p'.repeat(257) }),
  ),
];

/** Locale, features and avatar validators (SES-LOGIN-6..8). */
export const LOCALE_FEATURES_AND_AVATAR = [
  loginFails(
    'locale-too-long',
    'A 17-byte locale is rejected with E-LOCALE-TOO-LONG',
    'E-LOCALE-TOO-LONG',
    ['SES-LOGIN-6', 'VAL-LOCALE'],
    (a) => credentials(a, { locale: 'en-GB-x-abcdefghi' }),
  ),
  loginFails(
    'locale-bytes',
    'The locale limit counts bytes: 9 two-byte characters (18 bytes) are too long',
    'E-LOCALE-TOO-LONG',
    ['SES-LOGIN-6', 'VAL-LOCALE'],
    (a) => credentials(a, { locale: 'é'.repeat(9) }),
  ),
  loginFails(
    'locale-control',
    'A locale with a control character is rejected with E-LOCALE-INVALID-CHARACTERS',
    'E-LOCALE-INVALID-CHARACTERS',
    ['SES-LOGIN-6', 'VAL-LOCALE'],
    (a) => credentials(a, { locale: 'en\u0007' }),
  ),
  loginFails(
    'features-too-many',
    'Seventeen features are rejected with E-FEATURES-TOO-MANY',
    'E-FEATURES-TOO-MANY',
    ['SES-LOGIN-7', 'VAL-FEATURES'],
    (a) => credentials(a, { features: Array.from({ length: 17 }, (_, i) => `f${i}`) }),
  ),
  loginFails(
    'features-empty-name',
    'An empty feature name is rejected with E-FEATURES-EMPTY-FEATURE',
    'E-FEATURES-EMPTY-FEATURE',
    ['SES-LOGIN-7', 'VAL-FEATURES'],
    (a) => credentials(a, { features: ['chat', ''] }),
  ),
  loginFails(
    'features-name-too-long',
    'A 33-byte feature name is rejected with E-FEATURES-FEATURE-TOO-LONG',
    'E-FEATURES-FEATURE-TOO-LONG',
    ['SES-LOGIN-7', 'VAL-FEATURES'],
    (a) => credentials(a, { features: [`${LONG_FEATURE}x`] }),
  ),
  loginFails(
    'features-name-bytes',
    'The feature-name limit counts bytes: 17 two-byte characters are too long',
    'E-FEATURES-FEATURE-TOO-LONG',
    ['SES-LOGIN-7', 'VAL-FEATURES'],
    (a) => credentials(a, { features: ['é'.repeat(17)] }),
  ),
  loginFails(
    'features-control',
    'A feature name with a control character is rejected with E-FEATURES-INVALID-CHARACTERS',
    'E-FEATURES-INVALID-CHARACTERS',
    ['SES-LOGIN-7', 'VAL-FEATURES'],
    (a) => credentials(a, { features: ['chat\n'] }),
  ),
  loginFails(
    'avatar-too-large',
    'An avatar of 176 001 bytes is rejected with E-AVATAR-TOO-LARGE',
    'E-AVATAR-TOO-LARGE',
    ['SES-LOGIN-8', 'VAL-AVATAR'],
    (a) => credentials(a, { avatar: 'data:image/png;base64,' + 'A'.repeat(176_001 - 'data:image/png;base64,'.length) }),
  ),
  loginFails(
    'avatar-not-data-uri',
    'An avatar that is not a data URI is rejected with E-AVATAR-INVALID-FORMAT',
    'E-AVATAR-INVALID-FORMAT',
    ['SES-LOGIN-8', 'VAL-AVATAR'],
    (a) => credentials(a, { avatar: 'https://example.com/me.png' }),
  ),
  loginFails(
    'avatar-not-base64',
    'A data URI without ";base64," is rejected with E-AVATAR-INVALID-FORMAT',
    'E-AVATAR-INVALID-FORMAT',
    ['SES-LOGIN-8', 'VAL-AVATAR'],
    (a) => credentials(a, { avatar: 'data:image/png,rawbytes' }),
  ),
  loginFails(
    'avatar-gif',
    'A GIF avatar is rejected with E-AVATAR-UNSUPPORTED-TYPE',
    'E-AVATAR-UNSUPPORTED-TYPE',
    ['SES-LOGIN-8', 'VAL-AVATAR'],
    (a) => credentials(a, { avatar: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' }),
  ),
  loginFails(
    'avatar-type-case',
    'The avatar MIME type is case-sensitive: image/PNG is unsupported',
    'E-AVATAR-UNSUPPORTED-TYPE',
    ['SES-LOGIN-8', 'VAL-AVATAR'],
    (a) => credentials(a, { avatar: 'data:image/PNG;base64,iVBORw0KGgo=' }),
  ),
];

/** Which of two invalid fields is reported (session.md §2.1). */
export const CHECK_ORDER = [
  loginFails(
    'order/username-first',
    'An invalid username is reported before an invalid locale, features or avatar',
    'E-USERNAME-INVALID',
    ['SES-LOGIN-4', 'SES-LOGIN-6'],
    () => loginBody('bad name', 'secret', { locale: 'x'.repeat(17), features: [''], avatar: 'nope' }),
  ),
  loginFails(
    'order/password-before-locale',
    'A too-long password is reported before an invalid locale',
    'E-PASSWORD-TOO-LONG',
    ['SES-LOGIN-5', 'SES-LOGIN-6'],
    (a) => credentials(a, { password: 'p'.repeat(257), locale: 'x'.repeat(17) }),
  ),
  loginFails(
    'order/locale-before-features',
    'An invalid locale is reported before invalid features',
    'E-LOCALE-TOO-LONG',
    ['SES-LOGIN-6', 'SES-LOGIN-7'],
    (a) => credentials(a, { locale: 'x'.repeat(17), features: [''] }),
  ),
  loginFails(
    'order/features-before-avatar',
    'Invalid features are reported before an invalid avatar',
    'E-FEATURES-EMPTY-FEATURE',
    ['SES-LOGIN-7', 'SES-LOGIN-8'],
    (a) => credentials(a, { features: [''], avatar: 'nope' }),
  ),
  loginFails(
    'order/validation-before-credentials',
    'Field validation precedes the credential check: a wrong password with an invalid avatar gets the avatar error',
    'E-AVATAR-INVALID-FORMAT',
    ['SES-LOGIN-8', 'SES-LOGIN-10'],
    (a) => credentials(a, { password: `${a.password}x`, avatar: 'nope' }),
  ),
];
