// The stateful fuzzer's own small model: only what command preconditions need (which sessions are
// still worth talking to, which accounts exist under which symbolic name) and the steps the
// commands have emitted so far. It is never an oracle: the lockstep compares every response and
// broadcast with the reference model. It errs on the side of "gone": a session that a command may
// have removed (kick, delete, disable, junk frame) is not used again.
import type { ActorSpec } from '../../runner/api.ts';
import type { Step } from '../fixture.ts';

export interface Account {
  /** Symbolic username: `{{r1.username}}` for a declared account, `{{name:uN}}` after a rename or for a created one. */
  ref: string;
  password: string;
  shared: boolean;
  admin: boolean;
  enabled: boolean;
}

export interface Session {
  actor: string;
  account: string;
  /** Symbolic nickname (a regular session's is its account's username). */
  nickname: string;
  alive: boolean;
}

export interface Model {
  accounts: Map<string, Account>;
  sessions: Session[];
  /** Counter for fresh actor and name symbols. */
  next: number;
}

/** The steps the commands emit (fast-check's "real system" for fc.modelRun). */
export interface Steps {
  steps: Step[];
}

/** The declared actors: regular users with several sessions, a shared account with two nicknames, the guest, an admin. */
export const ACTORS: Record<string, ActorSpec> = {
  r1: { kind: 'user', permissions: ['user_list', 'user_info'] },
  r1b: { kind: 'sessionOf', of: 'r1' },
  r2: {
    kind: 'user',
    permissions: ['user_list', 'user_info', 'user_kick', 'user_edit', 'user_create', 'user_delete', 'connection_monitor'],
  },
  s1: { kind: 'shared', permissions: ['user_list', 'user_info'] },
  s1b: { kind: 'sessionOf', of: 's1' },
  g: { kind: 'guest', permissions: ['user_list'] },
  ad: { kind: 'user', admin: true },
};

export function initialModel(): Model {
  const declared = (actor: string, shared = false, admin = false): Account => ({
    ref: `{{${actor}.username}}`,
    password: `{{${actor}.password}}`,
    shared,
    admin,
    enabled: true,
  });
  const accounts = new Map<string, Account>([
    ['r1', declared('r1')],
    ['r2', declared('r2')],
    ['s1', declared('s1', true)],
    ['ad', declared('ad', false, true)],
    ['guest', { ref: 'guest', password: '', shared: true, admin: false, enabled: true }],
  ]);
  const session = (actor: string, account: string, shared: boolean): Session => ({
    actor,
    account,
    nickname: shared ? `{{${actor}.nickname}}` : accounts.get(account)!.ref,
    alive: true,
  });
  return {
    accounts,
    sessions: [
      session('r1', 'r1', false),
      session('r1b', 'r1', false),
      session('r2', 'r2', false),
      session('s1', 's1', true),
      session('s1b', 's1', true),
      session('g', 'guest', true),
      session('ad', 'ad', false),
    ],
    next: 1,
  };
}

export function alive(m: Readonly<Model>): Session[] {
  return m.sessions.filter((s) => s.alive);
}

/** `list[i mod length]`: command parameters are indices, so a shrunk sequence still picks something. */
export function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length]!;
}

/** The requester: the admin when asked and still there, else any live session. */
export function requester(m: Readonly<Model>, who: number, asAdmin: boolean): Session {
  const live = alive(m);
  const ad = live.find((s) => s.actor === 'ad');
  return asAdmin && ad ? ad : pick(live, who);
}

/** Marks every session of an account gone (kick of a regular account, delete, disable). */
export function dropAccountSessions(m: Model, account: string): void {
  for (const s of m.sessions) if (s.account === account) s.alive = false;
}

/** A fresh symbol number. */
export function fresh(m: Model): number {
  return m.next++;
}
