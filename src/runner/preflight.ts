// What the harness needs from a target for its own bookkeeping — the admin login, reading the
// accounts, sessions and server info, answers that echo the request's id — is conformance too.
// When a target gets one of these wrong, the run does not stop with a message about the harness:
// it records a finding under the rule the target breaks, goes on with what it could read, and
// reports each finding as a failed check of the `preflight` section. Requests a target does not
// answer at all are also collected as missing capabilities, named once at the top of the report.
import type { CheckResult, Failure } from './results.ts';

/** The bookkeeping the harness does before (and between) checks, each tied to the rules it relies on. */
export const PREFLIGHT_CHECKS = {
  'request-ids': { title: "answers to the harness's bookkeeping requests echo the request's id", rules: ['WIRE-ID-2'] },
  'first-user': { title: 'the first login on a fresh target creates an admin', rules: ['SES-AUTH-2', 'SES-LOGIN-12'] },
  'read-accounts': { title: 'UserList all:true and UserEdit read every account', rules: ['USR-LIST-4', 'ADM-EDIT-6'] },
  'read-sessions': { title: 'UserList all:false lists the online sessions, the requester included', rules: ['USR-LIST-3'] },
  'read-addresses': { title: 'ConnectionMonitor lists the live connections with their addresses', rules: ['CM-3'] },
  'read-own-info': { title: 'UserInfo tells when the admin account was created', rules: ['USR-INFO-6'] },
  'raise-limit': { title: 'ServerInfoUpdate raises max_connections_per_ip for the run', rules: ['ADM-SINFO-9', 'ADM-SINFO-10'] },
} as const;

export type PreflightCheck = keyof typeof PREFLIGHT_CHECKS;

export const PREFLIGHT_SECTION = { id: 'preflight', title: 'What the harness needs for its own bookkeeping' } as const;

/** Findings of one bookkeeping pass (opening the run, or a resync). */
export class Findings {
  private readonly byCheck = new Map<PreflightCheck, Failure[]>();
  /** Request types the target did not answer usefully, with what it did instead (first time only); not asked again. */
  readonly missing = new Map<string, string>();
  /** Request types answered, but not as the spec says; still usable as a round trip, so asked again. */
  private readonly wrong = new Map<string, string>();

  /** A later bookkeeping pass (resync, cleanup) that does not ask again what the target never answers. */
  static knowing(missing: ReadonlyMap<string, string>): Findings {
    const f = new Findings();
    for (const [k, v] of missing) f.missing.set(k, v);
    return f;
  }

  add(check: PreflightCheck, failure: Omit<Failure, 'rule'> & { rule?: string }): void {
    const list = this.byCheck.get(check) ?? [];
    // One finding per distinct actual is enough: the same broken answer repeated says nothing new.
    if (list.some((f) => f.sent === failure.sent && f.actual === failure.actual)) return;
    list.push({ rule: failure.rule ?? PREFLIGHT_CHECKS[check].rules[0], ...failure } as Failure);
    this.byCheck.set(check, list);
  }

  /** The target did not answer `type` (or refused it): checks that need it will fail. */
  notAnswered(type: string, what: string): void {
    if (!this.missing.has(type)) this.missing.set(type, what);
  }

  /** The target answers `type`, but not with its response (e.g. `Error` for an unknown type). */
  answeredWrongly(type: string, what: string): void {
    if (!this.missing.has(type) && !this.wrong.has(type)) this.wrong.set(type, what);
  }

  get empty(): boolean {
    return this.byCheck.size === 0;
  }

  has(check: PreflightCheck): boolean {
    return this.byCheck.has(check);
  }

  /** One failed check per kind of finding, in catalogue order. */
  results(): CheckResult[] {
    const out: CheckResult[] = [];
    for (const [id, def] of Object.entries(PREFLIGHT_CHECKS) as Array<[PreflightCheck, (typeof PREFLIGHT_CHECKS)[PreflightCheck]]>) {
      const failures = this.byCheck.get(id);
      if (!failures) continue;
      const f = failures[0]!;
      out.push({
        id: `${PREFLIGHT_SECTION.id}/${id}`,
        section: PREFLIGHT_SECTION.id,
        title: def.title,
        rules: [...def.rules],
        errors: [],
        status: 'failed',
        message: `${f.rule}: expected ${f.expected[0] ?? ''}, got ${f.actual.split('\n')[0]}${failures.length > 1 ? ` (+${failures.length - 1} more)` : ''}`,
        failures: [...failures],
        durationMs: 0,
        roundTrips: 0,
      });
    }
    return out;
  }

  /** Lines for the top of the report: each missing capability, once. */
  notices(): string[] {
    return [...this.missing, ...this.wrong].map(([type, what]) => {
      // UserInfo is the harness's round trip (lockstep.ts BARRIER_REQUEST): every check ends with one.
      const why = type === 'UserInfo' ? 'every check ends with a UserInfo round trip, so every check fails' : 'checks that need it fail';
      return `the target does not answer ${type} (${what}): ${why}`;
    });
  }
}
