// The validator fuzzer: boundary values (values.ts) for every validated field of rules.md §3, each
// sent through a message that validates that field. A case is a few probes run as one check; the
// lockstep compares the verdict, the error key, the wording (per match mode) and the carrier with
// the model, so this module only decides what to send and on which connection. Shrinking drops
// probes and simplifies values until one minimal probe still fails.
import fc from 'fast-check';
import { validateNickname, validateUsername } from '../../model/index.ts';
import { clientLimit } from '../../protocol/limits.ts';
import { isClientType, type Profile } from '../../protocol/types.ts';
import type { ActorSpec } from '../../runner/api.ts';
import type { Step } from '../fixture.ts';
import { runProperty } from '../property.ts';
import type { StepsCase } from '../steps.ts';
import type { Fuzzer } from '../types.ts';
import { FIELDS, VALUES, type Field } from './values.ts';

/** The messages that validate a field (`UserUpdate.requested` = the `requested_*` member of UserUpdate). */
type Via =
  | 'Handshake'
  | 'Login'
  | 'UserCreate'
  | 'UserUpdate'
  | 'UserUpdate.requested'
  | 'UserEdit'
  | 'UserDelete'
  | 'UserInfo'
  | 'UserKick'
  | 'UserAway'
  | 'UserStatus'
  | 'ServerInfoUpdate';

export const CARRIERS: Record<Field, readonly Via[]> = {
  username: ['Login', 'UserCreate', 'UserUpdate', 'UserUpdate.requested', 'UserEdit', 'UserDelete'],
  password: ['Login', 'UserCreate', 'UserUpdate.requested'],
  nickname: ['Login', 'UserInfo', 'UserKick'],
  status: ['UserAway', 'UserStatus'],
  serverName: ['ServerInfoUpdate'],
  description: ['ServerInfoUpdate'],
  image: ['ServerInfoUpdate'],
  avatar: ['Login'],
  locale: ['Login'],
  features: ['Login'],
  permissions: ['UserCreate', 'UserUpdate.requested'],
  maxConnections: ['ServerInfoUpdate'],
  maxTransfers: ['ServerInfoUpdate'],
  version: ['Handshake'],
};

const RULES: Record<Field, string> = {
  username: 'VAL-USERNAME',
  password: 'VAL-PASSWORD',
  nickname: 'VAL-NICKNAME',
  status: 'VAL-STATUS',
  serverName: 'VAL-SERVER-NAME',
  description: 'VAL-SERVER-DESCRIPTION',
  image: 'VAL-SERVER-IMAGE',
  avatar: 'VAL-AVATAR',
  locale: 'VAL-LOCALE',
  features: 'VAL-FEATURES',
  permissions: 'VAL-PERMISSIONS',
  maxConnections: 'VAL-LIMIT',
  maxTransfers: 'VAL-LIMIT',
  version: 'VAL-VERSION',
};

const SERVER_INFO_MEMBER: Partial<Record<Field, string>> = {
  serverName: 'name',
  description: 'description',
  image: 'image',
  maxConnections: 'max_connections_per_ip',
  maxTransfers: 'max_transfers_per_ip',
};

/** One value of one field, sent through each of `vias` (a non-empty selection of the field's carriers). */
export interface Probe {
  field: Field;
  vias: Via[];
  value: unknown;
}

export const probeArbitrary: fc.Arbitrary<Probe> = fc.oneof(
  ...FIELDS.map((field) =>
    fc.record({ field: fc.constant(field), vias: fc.subarray([...CARRIERS[field]], { minLength: 1 }), value: VALUES[field] }),
  ),
);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether the value may make the target close the connection it arrives on (a member of the wrong
 * JSON type or missing, WIRE-BAD-12; a lone surrogate, WIRE-JSON-4): such probes get a session of
 * their own so the later probes of the case still reach a live one.
 */
function mayClose(field: Field, value: unknown): boolean {
  if (field === 'maxConnections' || field === 'maxTransfers')
    return !(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 4_294_967_295);
  if (field === 'features' || field === 'permissions')
    return !(Array.isArray(value) && value.every((v) => typeof v === 'string' && !LONE_SURROGATE.test(v)));
  return typeof value !== 'string' || LONE_SURROGATE.test(value);
}

/** The payload size of a request, with every `{{…}}` placeholder counted as a full 32-character name. */
function payloadBytes(type: string, body: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify({ type, ...body }).replace(/\{\{[^}]*\}\}/g, 'x'.repeat(32)), 'utf8');
}

/**
 * Whether a request may be over the frame limit of a server in `profile` (WIRE-LIM-1: the limit the
 * reference applies is the lowest any server of the profile may apply): the target then closes the
 * connection it arrives on, so it gets a session of its own.
 */
function mayExceedLimit(type: string, body: Record<string, unknown>, profile: Profile): boolean {
  return isClientType(type) && payloadBytes(type, body) > clientLimit(type, profile);
}

/**
 * Whether an account named `value` could be deleted again: a name the profile accepts but whose
 * UserDelete frame is over the profile's limit (a 32-character astral name is 128 bytes; `nexusd`
 * takes 67) would stay on the target for good, so such values never go where they could create an
 * account.
 */
function deletable(value: unknown, profile: Profile): boolean {
  if (typeof value !== 'string' || validateUsername(value, profile) !== null) return true;
  return !mayExceedLimit('UserDelete', { username: value }, profile);
}

/** `body` with `member` set to `value`, or without it when the value stands for "missing". */
function withMember(body: Record<string, unknown>, member: string, value: unknown): Record<string, unknown> {
  return value === undefined ? body : { ...body, [member]: value };
}

const LOGIN_BASE = { features: ['chat'], locale: 'en' };
const loginAs = (actor: string): Record<string, unknown> => ({
  username: `{{${actor}.username}}`,
  password: `{{${actor}.password}}`,
  ...LOGIN_BASE,
});

/**
 * A name-bearing value the target might act on when it is valid (UserDelete, UserKick): only values
 * no profile accepts are sent there, so the fuzzer never deletes or kicks someone else's account or
 * session on a live target; valid values go through the read-only UserEdit / UserInfo instead.
 */
function acceptedName(value: unknown, field: 'username' | 'nickname'): boolean {
  if (typeof value !== 'string') return false;
  const validate = field === 'username' ? validateUsername : validateNickname;
  return validate(value, 'spec') === null || validate(value, 'nexusd') === null;
}

/** The actors a probe sends from. */
const ACTORS: Record<string, ActorSpec> = {
  ad: { kind: 'user', admin: true },
  u: { kind: 'user' },
  tv: { kind: 'user', login: false },
  sh: { kind: 'shared', login: false },
  lu: { kind: 'user', login: false },
};

/** The steps of probe number `k`: its value through each of its carriers in turn. */
export function probeSteps(p: Probe, k: number, profile: Profile): { steps: Step[]; uses: string[] } {
  const parts = p.vias.map((via, j) => viaSteps(p.field, via, p.value, p.vias.length === 1 ? `${k}` : `${k}_${j + 1}`, profile));
  return { steps: parts.flatMap((x) => x.steps), uses: [...new Set(parts.flatMap((x) => x.uses))] };
}

/** The steps that send `value` of `field` through `via`, and the declared actors they use. */
function viaSteps(field: Field, via: Via, value: unknown, k: string, profile: Profile): { steps: Step[]; uses: string[] } {
  const conn = `c${k}`;
  /** On a fresh connection: Login with `body`, then close (a failed Login is closed by the target already). */
  const login = (body: Record<string, unknown>, uses: string[]): { steps: Step[]; uses: string[] } => ({
    steps: [
      { op: 'connect', actor: conn, state: 'shaken' },
      { op: 'request', actor: conn, type: 'Login', body },
      { op: 'close', actor: conn },
    ],
    uses,
  });
  /** A request from `who`, or from a fresh session of its account when the value may close the connection. */
  const from = (who: 'ad' | 'u', type: string, body: Record<string, unknown>, before: Step[] = []): { steps: Step[]; uses: string[] } => {
    if (!mayClose(field, value) && !mayExceedLimit(type, body, profile))
      return { steps: [...before, { op: 'request', actor: who, type, body }], uses: [who] };
    return {
      steps: [
        ...before,
        { op: 'connect', actor: conn, state: 'shaken' },
        { op: 'request', actor: conn, type: 'Login', body: loginAs(who) },
        { op: 'request', actor: conn, type, body },
        { op: 'close', actor: conn },
      ],
      uses: [who],
    };
  };
  const create = (name: string | undefined): Record<string, unknown> =>
    withMember({ password: 'Fuzz-pass-1', is_admin: false, enabled: true, permissions: [] }, 'username', name);

  switch (via) {
    case 'Handshake':
      return {
        steps: [
          { op: 'connect', actor: conn, state: 'new' },
          { op: 'request', actor: conn, type: 'Handshake', body: withMember({}, 'version', value) },
          { op: 'close', actor: conn },
        ],
        uses: [],
      };
    case 'Login':
      if (field === 'username') return login(withMember({ password: 'Fuzz-wrong-pw1', ...LOGIN_BASE }, 'username', value), []);
      if (field === 'password') return login(withMember({ username: '{{lu.username}}', ...LOGIN_BASE }, 'password', value), ['lu']);
      if (field === 'nickname') return login(withMember(loginAs('sh'), 'nickname', value), ['sh']);
      return login(withMember(loginAs('lu'), field, value), ['lu']);
    case 'UserCreate': {
      const k2 = `{{name:v${k}}}`;
      if (field === 'username')
        return from(
          'ad',
          deletable(value, profile) ? 'UserCreate' : 'UserEdit',
          deletable(value, profile) ? create(value as string | undefined) : { username: value },
        );
      if (field === 'password') return from('ad', 'UserCreate', withMember(create(k2), 'password', value));
      return from('ad', 'UserCreate', withMember(create(k2), 'permissions', value));
    }
    case 'UserUpdate':
      return from('ad', 'UserUpdate', withMember({}, 'username', value));
    case 'UserUpdate.requested': {
      if (field === 'username' && !deletable(value, profile)) return from('ad', 'UserEdit', { username: value });
      if (field === 'username') {
        const target = `{{name:r${k}}}`;
        return from('ad', 'UserUpdate', withMember({ username: target }, 'requested_username', value), [
          { op: 'request', actor: 'ad', type: 'UserCreate', body: create(target) },
        ]);
      }
      const { steps, uses } = from(
        'ad',
        'UserUpdate',
        withMember({ username: '{{tv.username}}' }, field === 'password' ? 'requested_password' : 'requested_permissions', value),
      );
      return { steps, uses: [...uses, 'tv'] };
    }
    case 'UserEdit':
      return from('ad', 'UserEdit', withMember({}, 'username', value));
    case 'UserDelete':
      return from('ad', acceptedName(value, 'username') ? 'UserEdit' : 'UserDelete', withMember({}, 'username', value));
    case 'UserInfo':
      return from('ad', 'UserInfo', withMember({}, 'nickname', value));
    case 'UserKick':
      return from('ad', acceptedName(value, 'nickname') ? 'UserInfo' : 'UserKick', withMember({}, 'nickname', value));
    case 'UserAway':
      return from('u', 'UserAway', withMember({}, 'message', value));
    case 'UserStatus':
      return from('u', 'UserStatus', withMember({}, 'status', value));
    case 'ServerInfoUpdate':
      return from('ad', 'ServerInfoUpdate', withMember({}, SERVER_INFO_MEMBER[field]!, value));
  }
}

/** A case: the probes' steps in order, declaring only the actors they use. */
export function probesCase(probes: readonly Probe[], profile: Profile): StepsCase {
  const steps: Step[] = [];
  const used = new Set<string>();
  probes.forEach((p, k) => {
    const s = probeSteps(p, k + 1, profile);
    steps.push(...s.steps);
    for (const u of s.uses) used.add(u);
  });
  // Declaration order matters only for sessionOf; keep the table's order for stable fixtures.
  const actors = Object.fromEntries(Object.entries(ACTORS).filter(([name]) => used.has(name)));
  const rules = [...new Set(probes.map((p) => RULES[p.field]))];
  return {
    id: 'validators',
    title: `validators: ${probes.map((p) => `${p.field} via ${p.vias.join('/')}`).join(', ')}`,
    rules,
    actors,
    steps,
  };
}

/** Probes per case: a few, so actor setup is shared, and shrinking can drop to the one that fails. */
export const casesArbitrary = fc.array(probeArbitrary, { minLength: 1, maxLength: 4 });

export const fuzzer: Fuzzer = {
  name: 'validators',
  // The actors, the control connection, and the one fresh connection a probe opens (closed after it).
  connections: Object.keys(ACTORS).length + 2,
  run: (ctx) =>
    runProperty(ctx, {
      fuzzer: 'validators',
      failureClass: 'verdict',
      arbitrary: casesArbitrary,
      toCase: (probes) => probesCase(probes, ctx.profile),
      // One part per value and carrier, so a carrier that does not matter is dropped too.
      parts: { split: (probes) => probes.flatMap((p) => p.vias.map((via) => ({ ...p, vias: [via] }))), join: (parts) => parts as Probe[] },
    }),
};
