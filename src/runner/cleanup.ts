// Cleanup outside the model: keep the target reachable (the per-IP limit first), resync after a
// failed check (restore, read the target again) so failures never cascade, and the final restore
// with its proof (a fresh connection reads the target and compares it with the pre-run snapshot).
import type { Logger } from 'pino';
import type { ServerInfo } from '../model/index.ts';
import type { Profile } from '../protocol/types.ts';
import { RawClient } from '../net/raw-client.ts';
import type { Lockstep } from './lockstep.ts';
import { Findings } from './preflight.ts';
import type { RunResult } from './results.ts';
import type { AdminCredentials, ControlConnection, ControlSocket, Snapshot, TargetOptions } from './target.ts';
import {
  compareSnapshots,
  openControl,
  RawExchangeError,
  rawBarrier,
  readSnapshot,
  restoreConnectionLimit,
  restoreTarget,
} from './target.ts';

/** What the cleanup works with: the target, the run's names, the snapshot it restores to. */
export interface CleanupScope {
  target: TargetOptions;
  admin: AdminCredentials;
  profile: Profile;
  timeoutMs: number;
  logger?: Logger | undefined;
  isRunName: (name: string) => boolean;
  /** A fresh run name (restore.ts: the short name an account is renamed to before it can be deleted). */
  shortName: () => string;
  /** The pre-run snapshot. */
  initial: Snapshot;
  /** What the target's bookkeeping answers got wrong so far (requests it never answers are not asked again). */
  findings: Findings;
  lockstep: Lockstep;
  /** Pre-existing accounts (name keys) another lane is using: a resync leaves them as they are (restore.ts). */
  leave?: ReadonlySet<string>;
}

/** The ids of cleanup's raw requests: the run's seeded stream (the lockstep's). */
function runIds(scope: CleanupScope): () => string {
  return () => scope.lockstep.freshId();
}

/**
 * WIRE-IP-1: a check may have lowered the per-IP limit below the connections open from our
 * address (strangers' included) and failed or been interrupted before restoring it; once the
 * run's connections are dropped no new control connection would get in. Put the limit back over
 * the still-open control connection first (restore.ts restoreConnectionLimit).
 */
export async function keepReachable(scope: CleanupScope, control: ControlSocket | null, want: ServerInfo): Promise<void> {
  if (!control) return;
  const client = new RawClient(control.conn, runIds(scope));
  const problems = await restoreConnectionLimit(client, control.serverInfoWatch, want, scope.timeoutMs);
  if (problems.length > 0) scope.logger?.warn({ problems }, 'could not restore the per-IP limit before reconnecting');
}

/**
 * After a failed check: drop the run's connections, restore outside the model, then read the
 * target again. Returns the new control connection and what it read, to seed the mirror from.
 */
export async function resyncTarget(
  scope: CleanupScope,
  control: ControlSocket | null,
  working: ServerInfo,
  createdNames: Iterable<string>,
): Promise<{ control: ControlConnection; snapshot: Snapshot }> {
  await keepReachable(scope, control, working);
  for (const hc of scope.lockstep.harnessConnections()) await scope.lockstep.discard(hc);
  // Findings of this pass are not reported again (the failed checks show them), but requests the
  // target never answers are not asked again: a half-built target costs no extra timeouts here.
  const pass = Findings.knowing(scope.findings.missing);
  const c = await openControl(scope.target, scope.admin, { findings: pass, ids: runIds(scope) });
  const problems = await restoreTarget(
    c,
    {
      baseline: scope.initial,
      serverInfo: working,
      isRunName: scope.isRunName,
      shortName: scope.shortName,
      extraAccounts: createdNames,
      profile: scope.profile,
      missing: pass.missing,
      ...(scope.leave ? { leave: scope.leave } : {}),
    },
    scope.timeoutMs,
  );
  if (problems.length > 0) scope.logger?.warn({ problems }, 'cleanup after a failed check was incomplete');
  const snapshot = await readSnapshot(c, scope.admin, scope.timeoutMs, pass);
  if (!pass.missing.has('UserInfo')) {
    try {
      await rawBarrier(c.raw, scope.timeoutMs);
    } catch (e) {
      if (!(e instanceof RawExchangeError)) throw e;
      pass.notAnswered('UserInfo', e.detail);
    }
  }
  for (const [type, what] of pass.missing) scope.findings.notAnswered(type, what);
  return { control: c, snapshot };
}

/** Deletes what the run created, restores what it changed, and compares the target with the snapshot. */
export async function finalRestore(
  scope: CleanupScope,
  control: ControlSocket | null,
  createdByChecks: Iterable<string>,
): Promise<NonNullable<RunResult['restored']>> {
  const { initial } = scope;
  await keepReachable(scope, control, initial.serverInfo);
  for (const hc of scope.lockstep.harnessConnections()) await scope.lockstep.discard(hc);
  const differences: string[] = [];
  const pass = Findings.knowing(scope.findings.missing);
  try {
    const c = await openControl(scope.target, scope.admin, { findings: pass, ids: runIds(scope) });
    try {
      const problems = await restoreTarget(
        c,
        {
          baseline: initial,
          serverInfo: initial.serverInfo,
          isRunName: scope.isRunName,
          shortName: scope.shortName,
          extraAccounts: [...createdByChecks],
          profile: scope.profile,
          missing: pass.missing,
        },
        scope.timeoutMs,
      );
      differences.push(...problems.map((p) => `could not restore: ${p}`));
    } finally {
      await c.conn.close();
    }
    // A fresh connection reads the target as it is now.
    const check = await openControl(scope.target, scope.admin, { findings: pass, ids: runIds(scope) });
    try {
      const after = await readSnapshot(check, scope.admin, scope.timeoutMs, pass);
      if (pass.missing.size > 0) {
        for (const [type, what] of pass.missing) differences.push(`not verified: the target does not answer ${type} (${what})`);
      } else {
        differences.push(...compareSnapshots(initial, after));
      }
    } finally {
      await check.conn.close();
    }
  } catch (e) {
    differences.push(`cannot verify the cleanup: ${(e as Error).message}`);
  }
  return { ok: differences.length === 0, differences };
}
