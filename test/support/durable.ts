// What must survive a run against a populated target: every account with its rights, in the
// server's order, and the server info (SES-SI-*) but its version. Compared before and after a run.
import type { State } from '../../src/model/state.ts';

export function durable(state: State) {
  const accounts = Object.entries(state.accounts).map(([k, a]) => [
    k,
    {
      username: a.username,
      isAdmin: a.isAdmin,
      isShared: a.isShared,
      enabled: a.enabled,
      permissions: [...a.permissions].sort(),
      digest: a.passwordDigest,
    },
  ]);
  const { version: _v, ...info } = state.serverInfo;
  return { accounts, info };
}
