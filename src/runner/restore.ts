// Cleanup of the target: delete what the run created, restore what it changed (server info, limits,
// the guest, the flags and permissions of every pre-existing account; never passwords), and keep the
// target reachable while doing so (WIRE-IP-1: the per-IP limit first).
import { nameKey } from '../model/index.ts';
import type { Account, ServerInfo } from '../model/index.ts';
import type { Message, Profile } from '../protocol/types.ts';
import type { RawClient } from '../net/raw-client.ts';
import { sameSet } from '../model/index.ts';
import { rawBarrier, rawSuccess } from './control.ts';
import type { ControlConnection, ServerInfoWatch } from './control.ts';
import type { Snapshot } from './snapshot.ts';
import { entries } from './snapshot.ts';
import { deleteRequests } from './deletion.ts';

// --- restore ------------------------------------------------------------------------------------------

export interface RestorePlan {
  /** Accounts and guest state to return to. */
  baseline: Snapshot;
  /** Server info to return to (the pre-run one at the end; the run's working copy between checks). */
  serverInfo: ServerInfo;
  /** Names that belong to the run (prefix); every such account is deleted. */
  isRunName: (name: string) => boolean;
  /** Further accounts to delete (created by checks under other names). */
  extraAccounts: Iterable<string>;
  profile: Profile;
  /** A fresh run name: what an account whose name the profile's UserDelete frame cannot hold is renamed to first (deletion.ts). */
  shortName: () => string;
  /**
   * The control admin, which restoration never touches. Default: the account of the baseline's
   * own session (`ownSessionId`).
   */
  adminUsername?: string;
  /** Request types the target is known not to answer (preflight.ts): not asked, reported as not restored. */
  missing?: ReadonlyMap<string, string>;
  /**
   * Pre-existing accounts (name keys) another lane of the run is using right now (the guest, while
   * the guest lane runs beside this one, schedule.ts): left as they are; that lane restores them.
   */
  leave?: ReadonlySet<string>;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * Returns one pre-existing account to its snapshot state: its spelling (a check may have renamed the
 * guest to a case variant, ADM-UPDATE-7), admin flag (UND-5: a target may promote the guest),
 * permissions and enabled flag — the run may have touched them on a misbehaving target. Passwords
 * are never touched (unknown). One request per field, so a target refusing one change (e.g. `spec`
 * refusing any rename of the guest) does not keep the others from being restored. Enabling goes
 * last: disabling ends the account's sessions (SES-FORCE-2), which the snapshot had none of then.
 */
async function restoreAccount(
  raw: RawClient,
  want: Account,
  attempt: (what: string, f: () => Promise<unknown>) => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  let now: Message | undefined;
  await attempt(`read ${want.username}`, async () => {
    now = await rawSuccess(raw, 'UserEdit', { username: want.username }, timeoutMs);
  });
  if (!now) return;
  let current = typeof now.body.username === 'string' ? now.body.username : want.username;
  const update = async (what: string, fields: Record<string, unknown>): Promise<void> => {
    await attempt(`restore ${want.username} ${what}`, () => rawSuccess(raw, 'UserUpdate', { username: current, ...fields }, timeoutMs));
  };
  if (current !== want.username && nameKey(current) === nameKey(want.username)) {
    await update(`name (now ${JSON.stringify(current)})`, { requested_username: want.username });
    current = want.username;
  }
  if ((now.body.is_admin === true) !== want.isAdmin) await update('admin flag', { requested_is_admin: want.isAdmin });
  if (!sameSet(stringList(now.body.permissions), want.permissions))
    await update('permissions', { requested_permissions: [...want.permissions] });
  if ((now.body.enabled === true) !== want.enabled) await update('enabled flag', { requested_enabled: want.enabled });
}

/**
 * Deletes the run's accounts, returns every pre-existing account but the control admin to its
 * snapshot state (name spelling, admin, enabled, permissions; the guest included), restores the
 * server info, then makes a round trip so every broadcast this caused has arrived. Best effort:
 * every step is attempted; failures are returned as lines.
 */
export async function restoreTarget(control: ControlConnection, plan: RestorePlan, timeoutMs: number): Promise<string[]> {
  const { raw } = control;
  const problems: string[] = [];
  const missing = plan.missing ?? new Map<string, string>();
  const attempt = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  const extra = new Set([...plan.extraAccounts].map(nameKey));
  const baselineKeys = new Set(plan.baseline.accounts.map((a) => nameKey(a.username)));
  let current: Array<Record<string, unknown>> | null;
  try {
    if (missing.has('UserList')) throw new Error('the target does not answer UserList');
    current = entries(await rawSuccess(raw, 'UserList', { all: true }, timeoutMs), 'users');
  } catch (e) {
    problems.push(`list accounts (to delete the run's own): ${(e as Error).message}`);
    current = null;
  }
  const seen = new Set<string>();
  for (const u of current ?? []) {
    if (typeof u.username !== 'string' || seen.has(nameKey(u.username))) continue;
    seen.add(nameKey(u.username));
    const key = nameKey(u.username);
    if (baselineKeys.has(key)) continue;
    if (plan.isRunName(u.username) || extra.has(key)) {
      const username = u.username;
      await attempt(`delete ${username}`, async () => {
        for (const r of deleteRequests(username, plan.profile, plan.shortName)) await rawSuccess(raw, r.type, r.body, timeoutMs);
      });
    }
  }

  // Pre-existing accounts that still exist (a deleted one cannot be recreated: its password is
  // unknown; compareSnapshots reports it). Never the control admin: UserEdit of oneself is refused
  // (ADM-EDIT-2) and the run must keep its own rights.
  const ownKey =
    plan.adminUsername !== undefined
      ? nameKey(plan.adminUsername)
      : plan.baseline.sessions.find((s) => s.id === plan.baseline.ownSessionId)?.accountKey;
  for (const want of plan.baseline.accounts) {
    const key = nameKey(want.username);
    if (key === ownKey || plan.leave?.has(key)) continue;
    if (current !== null && !seen.has(key)) continue;
    if (missing.has('UserEdit')) {
      problems.push(`restore ${want.username}: the target does not answer UserEdit`);
      continue;
    }
    await restoreAccount(raw, want, attempt, timeoutMs);
  }

  await attempt('restore server info', async () => {
    const want = plan.serverInfo;
    const have = control.login.serverInfo;
    const update: Record<string, unknown> = {};
    if (have.name !== want.name) update.name = want.name;
    if (have.description !== want.description) update.description = want.description;
    if (have.image !== want.image) update.image = want.image;
    if (have.max_connections_per_ip !== want.max_connections_per_ip) update.max_connections_per_ip = want.max_connections_per_ip;
    if (have.max_transfers_per_ip !== want.max_transfers_per_ip) update.max_transfers_per_ip = want.max_transfers_per_ip;
    if (Object.keys(update).length > 0) {
      await rawSuccess(raw, 'ServerInfoUpdate', update, timeoutMs);
      control.login.serverInfo = { ...have, ...update } as ServerInfo;
    }
  });
  if (!missing.has('UserInfo')) await attempt('barrier', () => rawBarrier(raw, timeoutMs));
  return problems;
}

/**
 * Re-entry guard (WIRE-IP-1, WIRE-IP-3). A check may lower `max_connections_per_ip` below the
 * connections open from our address — strangers from it count too — and then fail or be
 * interrupted before it restores the limit. Once the run drops its own connections, no new control
 * connection would be admitted and the target could not be restored at all. So, while `conn` (an
 * admin session of the run) is still open: a round trip, so every broadcast sent before has
 * arrived, then, if the limit last seen on it (`watch`: its login, then every ServerInfoUpdated)
 * differs from `want`, put it back. Returns problems as lines (none when nothing had to be done or
 * it worked).
 */
export async function restoreConnectionLimit(
  client: RawClient,
  watch: ServerInfoWatch,
  want: ServerInfo,
  timeoutMs: number,
): Promise<string[]> {
  if (client.isClosed) return [];
  try {
    await rawBarrier(client, timeoutMs);
    const seen = watch.latest;
    if (seen === null || seen.max_connections_per_ip === want.max_connections_per_ip) return [];
    await rawSuccess(client, 'ServerInfoUpdate', { max_connections_per_ip: want.max_connections_per_ip }, timeoutMs);
    return [];
  } catch (e) {
    return [`restore max_connections_per_ip over the open connection: ${(e as Error).message}`];
  }
}

/**
 * Differences between two snapshots that the run must not leave behind: accounts (existence, admin,
 * shared, enabled, permissions as sets) and server info (all but the software version).
 */
