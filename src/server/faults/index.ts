// The fault catalogue: every deliberate deviation of the reference server, by family, for
// `serve --fault NAME`, `serve --list-faults` and the mutation runner (scripts/mutation.ts).
import type { ServerFault } from '../fault.ts';
import { ADMIN_FAULTS } from './admin.ts';
import { AWAY_FAULTS } from './away.ts';
import { BROADCAST_FAULTS } from './broadcasts.ts';
import { ERROR_FAULTS } from './errors.ts';
import type { FaultEntry } from './kit.ts';
import { LIMIT_FAULTS } from './limits.ts';
import { LOGIN_FAULTS } from './login.ts';
import { PERMISSION_FAULTS } from './permissions.ts';
import { ROBUSTNESS_FAULTS } from './robustness.ts';
import { SERVER_INFO_FAULTS } from './server-info.ts';
import { SESSION_FAULTS } from './session.ts';
import { USERS_FAULTS } from './users.ts';
import { WIRE_FAULTS } from './wire.ts';

export type { Detection, FaultEntry } from './kit.ts';

export const FAULTS: readonly FaultEntry[] = [
  ...WIRE_FAULTS,
  ...SESSION_FAULTS,
  ...LOGIN_FAULTS,
  ...USERS_FAULTS,
  ...AWAY_FAULTS,
  ...PERMISSION_FAULTS,
  ...ADMIN_FAULTS,
  ...SERVER_INFO_FAULTS,
  ...BROADCAST_FAULTS,
  ...ERROR_FAULTS,
  ...LIMIT_FAULTS,
  ...ROBUSTNESS_FAULTS,
];

const BY_NAME = new Map(FAULTS.map((f) => [f.name, f]));

export function findFault(name: string): FaultEntry | undefined {
  return BY_NAME.get(name);
}

/** Fresh hooks for the named faults, in the order given; throws on an unknown name. */
export function faultHooks(names: readonly string[]): ServerFault[] {
  return names.map((n) => {
    const f = BY_NAME.get(n);
    if (!f) throw new Error(`unknown fault "${n}"`);
    return f.make();
  });
}
