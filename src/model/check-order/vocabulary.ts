// The vocabulary of the check-order table (GEN-3): who sends a request, what a name member refers
// to, the faults that make a step fail, a step and a message's order; and the small constructors
// the table's rows are written with, so each step is one row of data: id, rules, error key, faults.
import type { ClientType, Profile } from '../../protocol/types.ts';
import type { ErrorKey } from '../events.ts';
import type { Permission } from '../permissions.ts';

/**
 * Who sends the request. `new`: a bare connection, no Handshake yet. `none`: handshaken, not logged in (GEN-1). `removed`: a regular session
 * whose account someone else deleted (GEN-2). `plain`: a regular account without permissions.
 * `holder`: a regular account holding every permission. `shared`, `guest`: a session of a shared
 * account / of the guest account, without permissions. `admin`: an admin account.
 */
export type RequesterState = 'new' | 'none' | 'removed' | 'plain' | 'holder' | 'shared' | 'guest' | 'admin';
export const REQUESTER_STATES: readonly RequesterState[] = ['new', 'none', 'removed', 'plain', 'holder', 'shared', 'guest', 'admin'];
/** The states a request message is tried in unless its order says otherwise (`new` adds nothing over `none` there, WIRE-SEQ-3). */
export const MESSAGE_STATES: readonly RequesterState[] = REQUESTER_STATES.filter((s) => s !== 'new');

/**
 * What a name member of a request refers to: the requester itself, the guest account, a name no
 * account has, an account with no live session, another online regular account, an online admin,
 * an online shared session.
 */
export type NameRef = 'self' | 'guest' | 'missing' | 'offline' | 'online' | 'admin' | 'shared' | 'disabled' | 'shared-offline';

/** A property a named account or session has (what a lookup or protection check tests). */
export type NameProp = 'self' | 'guest' | 'missing' | 'exists' | 'not-online' | 'admin' | 'shared' | 'disabled';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A condition under which a step fails; a step fails when all its faults hold. */
export type Fault =
  | { kind: 'not-logged-in' }
  /** No Handshake yet (Login: SES-LOGIN-2) / a Handshake done (SES-HS-7) / a session on the connection (SES-LOGIN-3). */
  | { kind: 'not-shaken' }
  | { kind: 'shaken' }
  | { kind: 'logged-in' }
  | { kind: 'removed' }
  | { kind: 'lacks'; permission: Permission }
  | { kind: 'not-admin' }
  | { kind: 'is-admin' }
  /** The member has this value (set to make the step fail). */
  | { kind: 'member'; member: string; value: Json }
  /** The member is present with any non-null value; `value` is the one set to make the step fail. */
  | { kind: 'present'; member: string; value: Json }
  /** None of these members is present (null counts as absent, WIRE-JSON-4). */
  | { kind: 'absent'; members: string[] }
  /** The name member refers to something with one of `props`; `set` is the reference that does. */
  | { kind: 'names'; member: string; set: NameRef; props: NameProp[] };

export interface OrderStep {
  /** Short name, unique within the message, used in check ids. */
  id: string;
  rules: string[];
  key: ErrorKey;
  faults: Fault[];
  /** Profiles where the step exists (default both). */
  profiles?: Profile[];
  /** An [UNDETERMINED] position or outcome: a request that fails this step is not asserted to one key. */
  open?: { rule: string; profiles: Profile[] };
  /** The answer may end the requester's connection (besides GEN-1 and GEN-2, which always may). */
  mayClose?: boolean;
}

/**
 * A body member value: a literal, a name reference the generator resolves per requester, the
 * requester's password, the password of the account another member names, or the server's
 * protocol version.
 */
export type BodyValue = { value: Json } | { ref: NameRef } | { requesterPassword: true } | { passwordOf: string } | { serverVersion: true };

export interface MessageOrder {
  /** e.g. `user-update-other`; unique. */
  id: string;
  message: ClientType;
  title: string;
  seed?: string;
  /** The body every generated request starts from (passes every step for an admin requester). */
  base: Record<string, BodyValue>;
  /** Which name members hold usernames and which nicknames. */
  names: Record<string, 'username' | 'nickname'>;
  steps: OrderStep[];
  /** Requester states to try (default MESSAGE_STATES). */
  states?: readonly RequesterState[];
  /** Every failure ends the connection (Handshake, Login): each request gets its own requester. */
  failuresClose?: boolean;
  /** Requests whose member names the requester itself take another branch (another order): not planned here. */
  notSelf?: string;
}

/** A step: its id, its rule ids, the error it answers, the faults that make it fail (all of them), options. */
export const step = (
  id: string,
  rules: string[],
  key: ErrorKey,
  faults: Fault[],
  more: Pick<OrderStep, 'profiles' | 'open' | 'mayClose'> = {},
): OrderStep => ({
  id,
  rules,
  key,
  faults,
  ...more,
});
/** GEN-1: not logged in, with the message's own rule. */
export const GEN1 = (rule: string): OrderStep => step('gen-1', [rule, 'GEN-1'], 'E-NOT-LOGGED-IN', [{ kind: 'not-logged-in' }]);
/** GEN-2: the requester's account was deleted, with the message's own rule. */
export const GEN2 = (rule: string): OrderStep => step('gen-2', [rule, 'GEN-2'], 'E-AUTHENTICATION', [{ kind: 'removed' }]);
export const lacks = (permission: Permission): Fault => ({ kind: 'lacks', permission });
export const member = (m: string, value: Json): Fault => ({ kind: 'member', member: m, value });
export const names = (m: string, set: NameRef, props: NameProp[]): Fault => ({ kind: 'names', member: m, set, props });
export const v = (value: Json): BodyValue => ({ value });
export const ref = (r: NameRef): BodyValue => ({ ref: r });
