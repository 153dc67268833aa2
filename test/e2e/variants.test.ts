// The whole suite against conforming servers that decide differently wherever the spec lets them
// (rules.md §7, every "accept either"): the reference server started with `variant` takes the other
// option at every choice point (Ctx.choose), the other decoder rules (UND-11, WIRE-BAD-15) and the
// other form of every annotated output (forms.ts: carriers, alternatives, optional frames and
// closes, the order of own copies, UND-14 locales). Every check must pass against each of them —
// the permanent proof that no check is stricter than the spec — and the server's `seen()` proves
// each variant was actually exercised. One negative: a server of the other profile fails checks.
import { afterEach, describe, expect, it } from 'vitest';
import { PADDED_LIMITS, undeterminedLimit } from '../../src/protocol/limits.ts';
import { isClientType, isTransferPortType, type Profile } from '../../src/protocol/types.ts';
import type { RunResult } from '../../src/report/types.ts';
import type { Section } from '../../src/runner/api.ts';
import { loadSections } from '../../src/runner/load.ts';
import { runSuite } from '../../src/runner/run.ts';
import { startServer, type ReferenceServer, type ServerOptions } from '../../src/server/server.ts';

type Variant = NonNullable<ServerOptions['variant']>;

const ADMIN = { username: 'variant-admin', password: 'variant-admin-pw' };
const servers: ReferenceServer[] = [];
let sections: Section[] | null = null;

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function suite(
  serverProfile: Profile,
  variant: Variant | undefined,
  o: { profile?: Profile; grep?: string } = {},
): Promise<{ result: RunResult; seen: Record<string, number> }> {
  sections ??= await loadSections();
  const srv = await startServer({ profile: serverProfile, ...(variant ? { variant } : {}) });
  servers.push(srv);
  const result = await runSuite({
    target: { host: srv.host, port: srv.port, transport: 'plain', embedded: true },
    admin: ADMIN,
    profile: o.profile ?? serverProfile,
    match: 'exact',
    timeoutMs: 2000,
    seed: 20251,
    sections,
    ...(o.grep !== undefined ? { grep: o.grep } : {}),
  });
  return { result, seen: srv.seen() };
}

/** Every failed check with its first failures, for a readable assertion message. */
function failures(r: RunResult): string[] {
  return r.checks
    .filter((c) => c.status === 'failed')
    .map((c) => `${c.id}: ${c.failures.slice(0, 2).map((f) => `[${f.rule}] expected ${f.expected[0]} got ${f.actual.split('\n')[0]}`).join(' | ')}`);
}

const transferTypesKnown = (t: string): boolean => isClientType(t) || isTransferPortType(t);

/** The options a variant takes at the model's choice points, shared by both profiles. */
const OTHER_CHOICES = {
  'VAL-PATHCHARS': 'rejected', // UND-3
  'UND-1': 'B',
  'UND-4': 'empty',
  'UND-7': 'old',
  'UND-10': 'first',
  'VAL-SERVER-IMAGE': '716800',
  'ADM-UPDATE-13': 'refused',
} as const;

interface Combination {
  name: string;
  profile: Profile;
  variant: Variant;
  /** Labels (choice points) and forms the server must have used at least once. */
  exercised: string[];
}

const COMBINATIONS: Combination[] = [
  {
    name: 'spec: every other choice and every other output form',
    profile: 'spec',
    variant: {
      choices: { ...OTHER_CHOICES, 'WIRE-JSON-2': 'rejected', 'WIRE-JSON-4': 'accepted' },
      forms: { carrier: 'other', alternative: true, omitOptional: true, sendUnsent: true, copiesFirst: true, keepOptionalOpen: true, earliestLocale: true },
      limitFor: (t) => (isClientType(t) ? undeterminedLimit(t, 'spec') : 0),
      isKnownType: transferTypesKnown,
    },
    exercised: [
      'VAL-PATHCHARS: path characters in username rejected',
      'VAL-PATHCHARS: path characters in nickname rejected',
      'UND-1: variant B',
      'UND-4: "" stored as an empty status',
      'UND-7: renamed sessions keep the old nickname',
      'UND-10: duplicate member names: the first value is used',
      'VAL-SERVER-IMAGE: image limit 716 800 bytes',
      'ADM-UPDATE-13: case-only rename refused',
      'WIRE-JSON-2: a payload without "type" is a decoding failure',
      'WIRE-JSON-4: a lone-surrogate escape is decoded',
      'WIRE-JSON-4: an integral float in a u32 member is taken as the integer',
      'carrier T: E-INVALID-CREDENTIALS (Login)', // session.md §2: LoginResponse {success:false} in `spec`
      'carrier E: E-CANNOT-CREATE-ADMIN (UserCreate)', // ADM-CREATE-6
      'carrier E: E-NOT-LOGGED-IN (ServerInfoUpdate)', // WIRE-SEQ-4
      'keepOptionalOpen: GEN-1', // WIRE-SEQ-4: no close
      'alternative: HandshakeResponse', // SES-HS-5 without `version`
      'alternative: UserConnected', // SES-BC-2 without the inherited away state
      'alternative: UserUpdateResponse', // UND-16: the stored name
      'omitOptional: Error', // WIRE-BAD-*: no Error before the close
      'omitOptional: UserUpdated', // USR-BACK-2: no broadcast for a no-op UserBack
      'sendUnsent: PermissionsUpdated', // ADM-UPDATE-14 / SES-FORCE-2: no-op PermissionsUpdated sent
      'copiesFirst: UserUpdated', // USR-AWAY-5 / WIRE-ORD-2
      'copiesFirst: ServerInfoUpdated', // ADM-SINFO-10
      'copiesFirst: UserDisconnected', // SES-KICK-1
      'earliestLocale: UserListResponse', // UND-14
      'earliestLocale: UserInfoResponse',
      'UND-11: frame over the limit processed', // between the spec limit and the probe lengths
      'WIRE-BAD-15: transfer-port type read and refused',
    ],
  },
  {
    name: 'spec: duplicate members rejected, the last carrier (E! for ADM-CREATE-6)',
    profile: 'spec',
    variant: { choices: { 'UND-10': 'reject' }, forms: { carrier: 'last' } },
    exercised: ['UND-10: duplicate member names: framing error', 'carrier E!: E-CANNOT-CREATE-ADMIN (UserCreate)', 'carrier T: E-INVALID-CREDENTIALS (Login)'],
  },
  {
    name: 'nexusd: every other choice, padded limits, lazy kick close, other output forms',
    profile: 'nexusd',
    variant: {
      choices: { ...OTHER_CHOICES, 'UND-2': 'bytes', 'UND-5': 'promoted' },
      forms: { lazyClose: true, alternative: true, omitOptional: true, earliestLocale: true },
      limitFor: (t) => (isClientType(t) ? PADDED_LIMITS[t] : 0),
      isKnownType: transferTypesKnown,
    },
    exercised: [
      'VAL-PATHCHARS: path characters in username rejected',
      'UND-1: variant B',
      'UND-2: status length counted in bytes',
      'UND-4: "" stored as an empty status',
      'UND-5: promotion of a shared account carried out',
      'UND-7: renamed sessions keep the old nickname',
      'UND-10: duplicate member names: the first value is used',
      'VAL-SERVER-IMAGE: image limit 716 800 bytes',
      'ADM-UPDATE-13: case-only rename refused',
      'lazyClose: SES-KICK-3', // SES-KICK-3 / UND-6
      'alternative: HandshakeResponse',
      'omitOptional: Error',
      'earliestLocale: UserListResponse',
      'UND-11: frame over the limit processed', // a padded build reaches the validators (WIRE-LIM-4)
      'WIRE-BAD-15: transfer-port type read and refused',
    ],
  },
  {
    name: 'nexusd: duplicate members rejected',
    profile: 'nexusd',
    variant: { choices: { 'UND-10': 'reject' } },
    exercised: ['UND-10: duplicate member names: framing error'],
  },
];

describe('the whole suite passes against every allowed variant of the reference server', () => {
  for (const c of COMBINATIONS) {
    it(c.name, async () => {
      const { result, seen } = await suite(c.profile, c.variant);
      expect(failures(result)).toEqual([]);
      expect(result.summary.failed).toBe(0);
      expect(result.summary.passed).toBeGreaterThan(350);
      expect(result.restored?.ok, result.restored?.differences.join('; ')).toBe(true);
      const labels = Object.keys(seen);
      const missing = c.exercised.filter((want) => !labels.some((l) => l.startsWith(want)));
      expect(missing, `variants never exercised (seen: ${labels.join(' | ')})`).toEqual([]);
    }, 60_000);
  }
});

describe('the suite can fail', () => {
  it('a server of the other profile fails checks (the spec suite against a nexusd server)', async () => {
    // Two sections with [DIVERGENT] rules keep it short (every failed check waits and resyncs).
    const { result } = await suite('nexusd', undefined, { profile: 'spec', grep: '/^(permissions\\/merge|users\\/list)\\//' });
    expect(result.summary.failed).toBeGreaterThan(10);
    const rules = new Set(result.checks.filter((c) => c.status === 'failed').flatMap((c) => c.failures.map((f) => f.rule)));
    // The carrier of a permission failure (USR-LIST-2, GEN-4), the delegation rule (MERGE-1: refused
    // instead of intersected), all:true listing (USR-LIST-4) and the wording (USR-INFO-2, exact match).
    for (const rule of ['USR-LIST-2', 'USR-LIST-4', 'ADM-CREATE-12', 'USR-INFO-2']) expect([...rules]).toContain(rule);
    expect(result.restored?.ok).toBe(true);
  }, 60_000);
});
