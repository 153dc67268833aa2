// Shared by the generated sections: the actor that plays each requester state of the check-order
// table (src/model/check-order.ts) and the actors a planned body names, and how a planned body
// becomes a concrete request for one requester. Not a section (the loader skips `_` files).
import { admin, connection, guest, shared, user, type Actor, type ActorSpec, type CheckContext } from '../../src/runner/api.ts';
import { ALL_PERMISSIONS, GUEST_USERNAME } from '../../src/model/index.ts';
import type { Json, MessageOrder, NameRef, RequesterState } from '../../src/model/check-order.ts';
import type { PlannedBody } from '../../src/model/check-order-plan.ts';

/** The actor declaration of each requester state (guests and shared sessions hold no permission). */
export function requesterSpec(state: RequesterState): ActorSpec {
  switch (state) {
    case 'new':
      return connection('new');
    case 'none':
      return connection('shaken');
    case 'removed':
    case 'plain':
      return user();
    case 'holder':
      return user({ permissions: [...ALL_PERMISSIONS] });
    case 'shared':
      return shared();
    case 'guest':
      return guest({ permissions: [] });
    case 'admin':
      return admin();
  }
}

/** The actor a name reference needs, if any (`self`, `guest` and `missing` need none). */
const TARGET_SPECS: Partial<Record<NameRef, () => ActorSpec>> = {
  offline: () => user({ login: false }),
  online: () => user(),
  admin: () => admin(),
  shared: () => shared(),
  disabled: () => user({ login: false, enabled: false }),
  'shared-offline': () => shared({ login: false }),
};

/** Actor key of a requester state / of a name target. */
export const requesterKey = (state: RequesterState, n = 0): string => `as_${state}${n > 0 ? `_${n}` : ''}`;
export const targetKey = (ref: NameRef): string => `target_${ref}`;

/** Declarations for the targets the bodies name. */
export function targetSpecs(bodies: readonly PlannedBody[]): Record<string, ActorSpec> {
  const out: Record<string, ActorSpec> = {};
  for (const body of bodies) {
    for (const b of Object.values(body)) {
      if ('ref' in b) {
        const spec = TARGET_SPECS[b.ref];
        if (spec) out[targetKey(b.ref)] ??= spec();
      }
    }
  }
  return out;
}

/**
 * The concrete body for `requester`: literals as they are, references resolved to the named
 * account (username members) or session (nickname members), fresh run-prefixed names for `missing`.
 */
export function resolveBody(
  order: MessageOrder,
  body: PlannedBody,
  requester: Actor,
  state: RequesterState,
  actors: Record<string, Actor>,
  t: CheckContext,
): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [member, b] of Object.entries(body)) {
    if ('value' in b) out[member] = b.value;
    else if ('requesterPassword' in b) out[member] = requester.password;
    else if ('serverVersion' in b) out[member] = t.model().config.protocolVersion;
    else if ('passwordOf' in b) out[member] = passwordOf(body[b.passwordOf], requester, state, actors);
    else out[member] = nameOf(b.ref, order.names[member] ?? 'username', requester, state, actors, t);
  }
  return out;
}

/** The password of the account a name member refers to (any password for a name no account has). */
function passwordOf(
  named: PlannedBody[string] | undefined,
  requester: Actor,
  state: RequesterState,
  actors: Record<string, Actor>,
): string {
  if (named === undefined || !('ref' in named) || named.ref === 'missing' || named.ref === 'guest') return 'Gen-Pa55word';
  if (named.ref === 'self') return state === 'new' || state === 'none' ? 'Gen-Pa55word' : requester.password;
  return actors[targetKey(named.ref)]?.password ?? 'Gen-Pa55word';
}

function nameOf(
  ref: NameRef,
  kind: 'username' | 'nickname',
  requester: Actor,
  state: RequesterState,
  actors: Record<string, Actor>,
  t: CheckContext,
): string {
  if (ref === 'missing' || (ref === 'self' && state === 'none')) return t.name('gen-missing');
  if (ref === 'guest') return GUEST_USERNAME;
  const who = ref === 'self' ? requester : actors[targetKey(ref)];
  if (!who) throw new Error(`generated check: no actor for ${ref}`);
  return kind === 'nickname' ? who.nickname : who.username;
}

/** GEN-2 setup: the control admin deletes the requester's account, so its session is removed. */
export async function removeRequester(requester: Actor, t: CheckContext): Promise<void> {
  await t.admin.request('UserDelete', { username: requester.username }).expectSuccess();
}
