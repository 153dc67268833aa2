// The variant servers: conforming servers that decide differently wherever the spec lets them
// (rules.md §7): the other option at every choice point, the other decoder rules and the other form
// of every annotated output. Shared by the suite's variant test (test/e2e/variants.test.ts) and the
// fuzzers' never-stricter test (test/fuzz/variants.test.ts).
import { PADDED_LIMITS, undeterminedLimit } from '../../src/protocol/limits.ts';
import { isClientType, isTransferPortType, type Profile } from '../../src/protocol/types.ts';
import type { ServerOptions } from '../../src/server/server.ts';

export type Variant = NonNullable<ServerOptions['variant']>;

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

export interface Combination {
  name: string;
  profile: Profile;
  variant: Variant;
  /** Labels (choice points) and forms the server must have used at least once. */
  exercised: string[];
}

export const COMBINATIONS: Combination[] = [
  {
    name: 'spec: every other choice and every other output form',
    profile: 'spec',
    variant: {
      choices: { ...OTHER_CHOICES, 'WIRE-JSON-2': 'rejected', 'WIRE-JSON-4': 'accepted' },
      forms: {
        carrier: 'other',
        alternative: true,
        omitOptional: true,
        sendUnsent: true,
        copiesFirst: true,
        keepOptionalOpen: true,
        earliestLocale: true,
      },
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
    exercised: [
      'UND-10: duplicate member names: framing error',
      'carrier E!: E-CANNOT-CREATE-ADMIN (UserCreate)',
      'carrier T: E-INVALID-CREDENTIALS (Login)',
    ],
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
