// The admin the harness logs in as: its credentials, read from `user:password` (split at the first
// colon), or made up fresh for an embedded server, whose first login creates it (SES-AUTH-2). The
// library and the CLI both take them from here.
import { randomBytes } from 'node:crypto';

export interface AdminCredentials {
  username: string;
  password: string;
}

/** `user:password` split at the first colon; null unless both parts are non-empty. */
export function splitCredentials(value: string): AdminCredentials | null {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) return null;
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

/**
 * A fresh admin for a server the harness starts itself: a random name under the `nc-admin-` prefix
 * and a random password (never printed; not part of the run seed, since it is a secret).
 */
export function freshAdmin(): AdminCredentials {
  return { username: `nc-admin-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') };
}
