// Planning one check: whether it runs on this target and, if not, why (the skip reasons); what
// shared state it acts on under `--jobs` — none (any lane), the guest account (the guest lane) or
// server-wide state (it runs alone); and the plain parts of its result
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
 * ConnectionMonitor listing of every connection (CM), per-IP connection counting (WIRE-IP), and
 * the first user of a fresh server (SES-AUTH-2).
 */
const SERVER_WIDE_RULES = /^(ADM-SINFO-|VAL-SERVER-|VAL-LIMIT|BC-6$|ADMP-5$|CM-|WIRE-IP-|SES-AUTH-2$)/;

/**
 * Rules about the one guest account (rules.md): logging in as it (SES-GUEST), the account itself
 * (GUEST-1), its protections (ADM-UPDATE-7 rename, ADM-UPDATE-8 password, ADM-DELETE-5 delete) and
 * its initial permissions (UND-8). ADM-CREATE-11 (any taken name), ADM-UPDATE-17 and UND-5 (any
 * shared account) name the guest only as one case among others: a check that exercises them on the
 * guest cites GUEST-1 as well.
 */
const GUEST_RULES = /^(SES-GUEST-|GUEST-|ADM-UPDATE-(7|8)$|ADM-DELETE-5$|UND-8$)/;

/**
 * State of the target a check acts on that other checks could see change: `server` — every
 * session's (server info, the connection listing, per-IP counts, a fresh server): the check runs
 * alone; `guest` — the one guest account and its sessions: the check runs on the guest lane, one
 * guest check after another, beside the lanes of the other checks (schedule.ts).
 */
export type SharedState = 'server' | 'guest';

/**
 * The shared state the check acts on under `--jobs`, with the reason, or null when it only touches
 * its own run-prefixed accounts and sessions, which other lanes see as strangers. From its declared
 * data: it says so itself (`exclusive`: server-wide), needs a fresh server, cites a rule of a
 * server-wide family — or, short of those, declares a guest actor (the runner enables and edits the
 * one guest account for it) or cites a guest rule.
 */
export function sharedState(check: CheckDef): { state: SharedState; reason: string } | null {
  if (check.exclusive !== undefined) return { state: 'server', reason: check.exclusive };
  if (check.needs?.fresh) return { state: 'server', reason: 'needs a fresh server' };
  const serverWide = check.rules.find((r) => SERVER_WIDE_RULES.test(r));
  if (serverWide !== undefined) return { state: 'server', reason: `covers ${serverWide} (server-wide state)` };
  if (Object.values(check.actors ?? {}).some((a) => a.kind === 'guest')) return { state: 'guest', reason: 'edits the guest account' };
  const guestRule = check.rules.find((r) => GUEST_RULES.test(r));
  if (guestRule !== undefined) return { state: 'guest', reason: `covers ${guestRule} (the guest account)` };
  return null;
}

/** Why the check must run alone under `--jobs` (server-wide state), or null when it may run beside others. */
export function runsAlone(check: CheckDef): string | null {
  const s = sharedState(check);
  return s?.state === 'server' ? s.reason : null;
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
