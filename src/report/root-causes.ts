// Root causes first: one server bug can fail a hundred checks (a server that never sends
// UserDisconnected fails most of the suite), so every report opens with the failures grouped by
// the rule they break and by what differed ("SES-BC-3 UserDisconnected missing: 110 checks"), most
// frequent first, each with one representative failure and its transcript. A server author then
// fixes the cause, not the symptoms.
import type { CheckResult, Failure } from './types.ts';

export interface RootCause {
  rule: string;
  /** What differed, with the run's own ids and numbers left out (e.g. `UserDisconnected missing`). */
  what: string;
  /** How many checks show it (each counted once). */
  checks: number;
  /** How many failures show it, across those checks. */
  failures: number;
  /** The ids of those checks, in run order. */
  checkIds: string[];
  /** One representative: the first check showing it, its failure and its transcript. */
  example: { check: string; failure: Failure; transcript?: CheckResult['transcript'] };
}

const FRAME = /NX\|\d+\|([A-Za-z]+)\|[^|]*\|\d+\|(\{.*)$/m;
const TYPE_ONLY = /NX\|\d+\|([A-Za-z]+)\|/;

function frameOf(text: string): { type: string; body?: Record<string, unknown> } | undefined {
  const m = FRAME.exec(text);
  if (m) {
    try {
      return { type: m[1]!, body: JSON.parse(m[2]!) as Record<string, unknown> };
    } catch {
      return { type: m[1]! };
    }
  }
  const t = TYPE_ONLY.exec(text);
  return t ? { type: t[1]! } : undefined;
}

/** Members whose values differ between two bodies, besides the ones every run makes up (ids). */
function differingMembers(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'type' && k !== 'id');
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/** A description with the run's own names, ids and numbers masked, so equal causes compare equal. */
function generic(text: string): string {
  const line = (text.split('\n')[0] ?? '').trim();
  const masked = line
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\bnc[0-9a-z]*_[A-Za-z0-9_-]+/g, '…')
    .replace(/\b[0-9a-f]{12}\b/g, '…')
    .replace(/\d+/g, 'N');
  return masked.length > 80 ? `${masked.slice(0, 79)}…` : masked;
}

/** What differed in one failure, in a few words. */
export function whatDiffered(f: Failure): string {
  // The first allowed outcome is the model's own frame: what the target is compared with.
  const want = f.expected[0] ?? '';
  const expected = frameOf(want);
  const actual = frameOf(f.actual);
  const act = f.actual.trim();
  if (/^nothing\b/.test(act)) return expected ? `${expected.type} missing` : `${generic(want)}: nothing came`;
  if (/arrived out of order/.test(act)) return `${actual?.type ?? 'frame'} out of order`;
  if (/^unexpected\b/.test(act)) return `unexpected ${actual?.type ?? generic(act.slice('unexpected'.length))}`;
  if (expected && actual) {
    if (expected.type !== actual.type) return `${actual.type} instead of ${expected.type}`;
    const members = expected.body && actual.body ? differingMembers(expected.body, actual.body) : [];
    return members.length > 0 ? `${expected.type} differs in ${members.slice(0, 4).join(', ')}` : `${expected.type} differs`;
  }
  if (expected && !actual) return `${expected.type} expected, got ${generic(f.actual)}`;
  if (!expected && actual) return `${actual.type} instead of ${generic(want)}`;
  return `expected ${generic(want)}, got ${generic(f.actual)}`;
}

/** The failed (and flaky) checks' failures grouped by rule and by what differed, most checks first. */
export function rootCauses(checks: readonly CheckResult[]): RootCause[] {
  const groups = new Map<string, RootCause>();
  for (const c of checks) {
    if (c.failures.length === 0) continue;
    for (const f of c.failures) {
      const what = whatDiffered(f);
      const key = `${f.rule}\u0000${what}`;
      let g = groups.get(key);
      if (g === undefined) {
        g = {
          rule: f.rule,
          what,
          checks: 0,
          failures: 0,
          checkIds: [],
          example: { check: c.id, failure: f, ...(c.transcript ? { transcript: c.transcript } : {}) },
        };
        groups.set(key, g);
      }
      g.failures++;
      if (g.checkIds[g.checkIds.length - 1] !== c.id) {
        g.checkIds.push(c.id);
        g.checks++;
      }
    }
  }
  return [...groups.values()].sort(
    (a, b) => b.checks - a.checks || b.failures - a.failures || a.rule.localeCompare(b.rule) || a.what.localeCompare(b.what),
  );
}

/** `SES-BC-3 UserDisconnected missing: 110 checks` */
export function rootCauseLine(g: RootCause): string {
  return `${g.rule} ${g.what}: ${g.checks} check${g.checks === 1 ? '' : 's'}${g.failures > g.checks ? ` (${g.failures} failures)` : ''}`;
}
