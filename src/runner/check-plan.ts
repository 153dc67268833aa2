// Planning one check: whether it runs on this target and, if not, why (the skip reasons); whether
// it may run beside other checks (`--jobs`) or must run alone; and the plain parts of its result
// (id, section, rules, seed section; the one-line failure summary).
import type { Profile } from '../protocol/types.ts';
import type { CheckDef, Section } from './api.ts';
import type { CheckResult, Failure } from './results.ts';
import { firstLine } from './text.ts';

/** What the run knows that decides whether a check can run. */
export interface RunFacts {
  profile: Profile;
  transport: 'tls' | 'plain';
  /** The target had no accounts before the run (SES-AUTH-2 checkable). */
  fresh: boolean;
  /** `--slow`: checks that wait for the target's own timers run too. */
  slow: boolean;
  /** Set once the run cannot go on (interrupt, target gone). */
  stopped: string | null;
}

/** Whether the check waits for the target's own deadlines (WIRE-TMO-*, 30–60 s each). */
export function isSlow(check: CheckDef): boolean {
  return check.needs?.slow === true || check.slow === true;
}

/** Why the check does not run here, or null when it runs. */
export function whySkipped(check: CheckDef, facts: RunFacts): string | null {
  if (facts.stopped !== null) return facts.stopped;
  const needs = check.needs ?? {};
  if (needs.profile && needs.profile !== facts.profile) return `needs profile ${needs.profile}`;
  if (needs.tls && facts.transport !== 'tls') return 'needs a TLS target';
  if (needs.fresh && !facts.fresh) return 'needs a fresh target (accounts existed before the run)';
  if (isSlow(check) && !facts.slow) return 'slow check (run with --slow)';
  return null;
}

/**
 * Rule families whose checks act on state every session of the target shares, so another check
 * running beside them would see it change (or change it under them): server info and its
 * broadcast to every live session (ADM-SINFO, VAL-SERVER, VAL-LIMIT, BC-6, ADMP-5), the
 * ConnectionMonitor listing of every connection (CM), per-IP connection counting (WIRE-IP), the
 * one guest account (SES-GUEST, GUEST, the guest's reserved name and its protections, UND-5/8),
 * and the first user of a fresh server (SES-AUTH-2).
 */
const SERVER_WIDE_RULES =
  /^(ADM-SINFO-|VAL-SERVER-|VAL-LIMIT|BC-6$|ADMP-5$|CM-|WIRE-IP-|SES-GUEST-|GUEST-|ADM-UPDATE-(7|8|17)$|ADM-DELETE-5$|ADM-CREATE-11$|UND-(5|8)$|SES-AUTH-2$)/;

/**
 * Why the check must run alone under `--jobs`, or null when it may run beside others. A check runs
 * alone when its declared data shows it acts on server-wide state — it needs a fresh server, it
 * declares a guest actor (the runner enables and edits the one guest account), or it cites a rule
 * of a server-wide family — or when it says so itself (`exclusive`, with the reason). Everything
 * else only touches its own run-prefixed accounts and sessions, which other lanes see as strangers.
 */
export function runsAlone(check: CheckDef): string | null {
  if (check.exclusive !== undefined) return check.exclusive;
  if (check.needs?.fresh) return 'needs a fresh server';
  if (Object.values(check.actors ?? {}).some((a) => a.kind === 'guest')) return 'edits the guest account';
  const rule = check.rules.find((r) => SERVER_WIDE_RULES.test(r));
  if (rule !== undefined) return `covers ${rule} (server-wide state)`;
  return null;
}

/** The result of a check that did not run, with the reason. */
export function skippedResult(section: Section, check: CheckDef, message: string): CheckResult {
  return { ...resultBase(section, check), status: 'skipped', message, failures: [], durationMs: 0, roundTrips: 0 };
}

/** What every result of the check carries, whatever its status. */
export function resultBase(section: Section, check: CheckDef): Omit<CheckResult, 'status' | 'failures' | 'durationMs' | 'roundTrips'> {
  const seed = check.seed ?? section.seed;
  return {
    id: `${section.id}/${check.id}`,
    section: section.id,
    title: check.title,
    rules: check.rules,
    errors: [...(check.errors ?? [])],
    ...(seed === undefined ? {} : { seed }),
    ...(section.source ? { file: section.source.file } : {}),
    ...(section.source?.lines[check.id] !== undefined ? { line: section.source.lines[check.id] } : {}),
  };
}

/** `<rule>: expected <first outcome> (<note>), got <actual>` on one line, with the count of the others. */
export function summarise(failures: Failure[]): string {
  const f = failures[0]!;
  const more = failures.length > 1 ? ` (+${failures.length - 1} more)` : '';
  const note = f.note !== undefined ? ` (${firstLine(f.note)})` : '';
  return `${f.rule}: expected ${firstLine(f.expected[0] ?? '')}${note}, got ${firstLine(f.actual)}${more}`;
}
