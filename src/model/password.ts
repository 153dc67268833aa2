// Stored password form of the model. Only digests live in the state, so a state dump or a fixture
// never carries a password (DESIGN §Conventions).
import { createHash } from 'node:crypto';
import type { Account } from './state.ts';

/** SHA-256 hex of the password; `''` for the empty password, so the guest rule of SES-LOGIN-10 reads naturally. */
export function passwordDigest(pw: string): string {
  if (pw === '') return '';
  return createHash('sha256').update(pw, 'utf8').digest('hex');
}

/**
 * SES-LOGIN-10: does `pw` match the stored password? An empty stored digest (the guest) matches only
 * `""`. A null digest (an account observed on a target, password unknown) never matches.
 */
export function passwordMatches(account: Account, pw: string): boolean {
  if (account.passwordDigest === null) return false;
  return account.passwordDigest === passwordDigest(pw);
}
