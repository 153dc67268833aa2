// The library's runSuite: what `nexus-conform run` does, as one call with typed options that
// returns the run's result (the object the JSON report serialises): select the checks (grep,
// exclude), start an embedded reference server when no target is given, run, add the coverage.
import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { parseTarget } from '../net/address.ts';
import type { MatchMode, Profile } from '../protocol/types.ts';
import { computeCoverage } from '../report/coverage.ts';
import type { CheckResult, RunResult } from '../report/types.ts';
import type { Section } from '../runner/api.ts';
import { exclusion, withExclusions } from '../runner/exclude.ts';
import { loadSections } from '../runner/load.ts';
import { runSuite as runSections, selectChecks } from '../runner/run.ts';
import { startReferenceServer } from './reference-server.ts';

export interface SuiteOptions {
  /** `host:port` of the server under test; omitted: a reference server started for this run. */
  target?: string;
  /** Admin credentials, required for a real target (`user:password` or an object). */
  admin?: { username: string; password: string } | string;
  /** Default `auto` (TLS, else plain TCP) for a real target. */
  transport?: 'auto' | 'tls' | 'plain';
  /** Pin the target's certificate (SHA-256 `AA:BB:…`). */
  fingerprint?: string;
  /** Default `spec`. */
  profile?: Profile;
  /** Default `exact`. */
  match?: MatchMode;
  /** Only checks whose id or title contains this text, or matches `/regex/flags`. */
  grep?: string;
  /** Skip checks whose id, title or a rule id matches one of these (reported as skipped). */
  exclude?: string[];
  /** Longest wait for an expected frame, ms (default 2000). */
  timeoutMs?: number;
  /** Seed of everything random (default random; it is in the result). */
  seed?: number;
  /** Include the checks that wait for server timeouts. */
  slow?: boolean;
  /** Re-run a failed check once on fresh connections; pass-after-fail is `flaky` (default true). */
  retry?: boolean;
  signal?: AbortSignal;
  /** Called after every check. */
  onResult?: (r: CheckResult) => void;
  logger?: Logger;
}

function credentials(admin: SuiteOptions['admin']): { username: string; password: string } | undefined {
  if (admin === undefined || typeof admin === 'object') return admin;
  const colon = admin.indexOf(':');
  if (colon <= 0 || colon === admin.length - 1) throw new Error('admin must be user:password (non-empty user and password)');
  return { username: admin.slice(0, colon), password: admin.slice(colon + 1) };
}

/** Runs the suite; throws TargetUnavailableError when the target cannot be tested at all. */
export async function runSuite(opts: SuiteOptions = {}): Promise<RunResult> {
  const profile = opts.profile ?? 'spec';
  const target = opts.target === undefined ? undefined : parseTarget(opts.target);
  let admin = credentials(opts.admin);
  if (admin === undefined) {
    if (target !== undefined) throw new Error('a real target needs admin credentials (on a fresh server the first login creates this admin)');
    admin = { username: `nc-admin-${randomBytes(3).toString('hex')}`, password: randomBytes(18).toString('base64url') };
  }
  const all = await loadSections();
  const isExcluded = exclusion(opts.exclude ?? []);
  const sections: Section[] = (opts.exclude ?? []).length === 0 ? all : withExclusions(all, isExcluded);
  const selected = selectChecks(all, opts.grep).filter((p) => !isExcluded(p.section, p.check));
  if (selected.length === 0) throw new Error('no check is selected (grep/exclude)');

  const server = target === undefined ? await startReferenceServer({ profile, tls: opts.transport === 'tls' }) : undefined;
  try {
    const result = await runSections({
      target: server
        ? { host: server.host, port: server.port, transport: server.tls ? 'tls' : 'plain', embedded: true, ...(server.fingerprint ? { fingerprint: server.fingerprint } : {}) }
        : { host: target!.host, port: target!.port, transport: opts.transport ?? 'auto', embedded: false, ...(opts.fingerprint ? { fingerprint: opts.fingerprint } : {}) },
      admin,
      profile,
      match: opts.match ?? 'exact',
      ...(opts.grep !== undefined ? { grep: opts.grep } : {}),
      timeoutMs: opts.timeoutMs ?? 2000,
      seed: opts.seed ?? randomInt(0, 2 ** 31),
      sections,
      slow: opts.slow ?? false,
      retry: opts.retry ?? true,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onResult ? { onResult: opts.onResult } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    const ran = new Set(selected.map((p) => p.check));
    result.coverage ??= computeCoverage(
      all.map((s) => ({ ...s, checks: s.checks.filter((c) => ran.has(c)) })).filter((s) => s.checks.length > 0),
      profile,
    );
    return result;
  } finally {
    await server?.close();
  }
}
