// The state a bench server starts from: fresh, or seeded with regular accounts `bench-<n>`
// (password BENCH_PASSWORD) holding given permissions and a raised per-IP limit. Shared by the
// server process (server-child.ts) and the suite run that embeds its server (suite-child.ts).
import { createState, passwordDigest, type Account, type State } from '../src/model/index.ts';
import type { Profile } from '../src/protocol/types.ts';
import { BENCH_PASSWORD, benchUser } from './accounts.ts';

export interface BenchStateOptions {
  profile?: Profile;
  /** Pre-stored regular accounts `bench-<n>` (password BENCH_PASSWORD) holding these permissions. */
  accounts?: number;
  permissions?: string[];
  /** Raise WIRE-IP-1's per-IP limit (the scale test connects 1,000 sessions from 127.0.0.1). */
  maxConnectionsPerIp?: number;
}

/** The floor's server: two accounts that may list users, and room for every connection it opens. */
export const FLOOR_SERVER = { accounts: 2, permissions: ['user_list'], maxConnectionsPerIp: 1000 } as const satisfies BenchStateOptions;

/** Whether the options ask for more than a fresh server. */
export function seeded(o: BenchStateOptions): boolean {
  return o.accounts !== undefined || o.maxConnectionsPerIp !== undefined;
}

export function benchState(o: BenchStateOptions): State {
  const state = createState({ profile: o.profile ?? 'spec' }, { now: Math.floor(Date.now() / 1000) });
  if (o.maxConnectionsPerIp !== undefined) state.serverInfo.max_connections_per_ip = o.maxConnectionsPerIp;
  const digest = passwordDigest(BENCH_PASSWORD);
  for (let i = 0; i < (o.accounts ?? 0); i++) {
    const username = benchUser(i);
    const account: Account = {
      username,
      passwordDigest: digest,
      isAdmin: false,
      isShared: false,
      enabled: true,
      permissions: [...(o.permissions ?? [])],
      createdAt: state.accounts.guest!.createdAt,
    };
    state.accounts[username] = account;
  }
  return state;
}
