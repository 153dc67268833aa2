// Generated from the boundary table (_boundary-table.ts; rules.md §3): for every message member that
// carries a validated field, one request per boundary class of that field — lengths at, one under
// and one over each limit in characters and in bytes, control characters, `\n`/`\r`, whitespace,
// letters, digits and marks of other scripts, path characters, reserved names, empty, null, missing
// and wrong JSON types, permission lists with duplicates and forbidden names. The runner's model
// comparison decides each outcome in the run's profile, accepting every allowed choice.
import { admin, check, section, shared, user, type Actor, type ActorSpec, type CheckContext, type CheckDef } from '../../src/runner/api.ts';
import type { Json } from '../../src/model/check-order.ts';
import { GUEST_USERNAME, nameKey } from '../../src/model/index.ts';
import { requestPayload } from '../../src/protocol/frame.ts';
import { decodeClientFrame } from '../../src/protocol/messages.ts';
import { clientLimit } from '../../src/protocol/limits.ts';
import type { ClientType } from '../../src/protocol/types.ts';
import { accountBody, loginBody } from '../_lib.ts';
import { classesFor, FIELD_USES, MISSING, type FieldUse, type Sent } from './_boundary-table.ts';

const kebab = (s: string): string =>
  s
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replaceAll('_', '-')
    .toLowerCase();

/** The requester, logged in again on a new connection whenever a probe ended its connection. */
class Requester {
  private readonly credentials: Record<string, unknown>;
  constructor(
    private actor: Actor,
    private readonly t: CheckContext,
  ) {
    this.credentials = loginBody(actor.username, actor.password);
  }

  async live(): Promise<Actor> {
    if (this.actor.connected) return this.actor;
    const again = await this.t.connect('shaken', 'relogin');
    await again.login(this.credentials).expectSuccess();
    this.actor = again;
    return again;
  }
}

function withMember(body: Record<string, Json>, member: string, value: Sent): Record<string, Json> {
  const out = { ...body };
  if (value === MISSING) delete out[member];
  else out[member] = value;
  return out;
}

/**
 * The request around the probed value, per setup (fresh accounts are recorded for cleanup; one whose
 * name `nexusd`'s UserDelete frame cannot hold is renamed before it is deleted, runner/deletion.ts).
 */
function bodyFor(use: FieldUse, value: Sent, actors: Record<string, Actor>, t: CheckContext): Record<string, Json> {
  const { member } = use;
  switch (use.setup) {
    case 'create':
    case 'create-shared': {
      const base = accountBody(t.name('bc'), use.setup === 'create-shared' ? { is_shared: true } : {}) as Record<string, Json>;
      const body = withMember(base, member, value);
      if (typeof body.username === 'string') t.created(body.username);
      return body;
    }
    case 'rename':
      if (typeof value === 'string') t.created(value);
      return withMember({ username: actors.target!.username }, member, value);
    case 'update':
    case 'update-shared':
      return withMember({ username: actors.target!.username }, member, value);
    case 'lookup':
    case 'own':
    case 'server':
      return withMember({}, member, value);
  }
}

/**
 * Renames one account through every class in turn: each request names the account as it is called
 * after the previous probe (the model knows whether that one renamed it).
 */
async function renameProbes(use: FieldUse, actors: Record<string, Actor>, requester: Requester, t: CheckContext): Promise<void> {
  let current = actors.target!.username;
  for (const c of classesFor(use)) {
    const body = bodyFor(use, c.value(t.name('b')), actors, t);
    await (await requester.live()).request(use.message, { ...body, username: current });
    const accounts = t.model().accounts;
    const asked = typeof body.requested_username === 'string' ? accounts[nameKey(body.requested_username)] : undefined;
    current = accounts[nameKey(current)]?.username ?? asked?.username ?? current;
  }
}

/** One boundary probe: the requests it sends in order. */
type Probe = Array<{ type: ClientType; body: Record<string, unknown> }>;

/**
 * Whether a request surely leaves the connection open: it decodes in the run's profile and fits the
 * smallest frame limit the profile allows (WIRE-LIM-1/4). Only used to batch requests; the model
 * decides every outcome, so a wrong guess costs coverage of the rest of the batch, never a verdict.
 */
function keepsConnection(type: ClientType, body: Record<string, unknown>, t: CheckContext): boolean {
  const payload = requestPayload(type, body);
  if (payload.length > clientLimit(type, t.profile)) return false;
  return decodeClientFrame({ type, id: '000000000000', payload }, t.profile).ok;
}

function targetSpec(use: FieldUse): Record<string, ActorSpec> {
  if (use.setup === 'update' || use.setup === 'rename') return { target: user({ login: false }) };
  if (use.setup === 'update-shared') return { target: shared({ login: false }) };
  return {};
}

function toCheck(use: FieldUse): CheckDef {
  const classes = classesFor(use);
  const shared = use.setup === 'create-shared' || use.setup === 'update-shared';
  // A username probed with the reserved classes names the one guest account (GUEST-1: it exists,
  // is reserved and protected), whose state the answers show: such a check runs on the guest lane
  // under --jobs (check-plan.ts sharedState).
  const namesGuest = use.kind === 'username' && classes.some((c) => c.id.startsWith('reserved-guest'));
  return check({
    id: `${kebab(use.message)}-${kebab(use.member)}${shared ? '-shared' : ''}`,
    title: `${use.message}.${use.member}${shared ? ' (shared account)' : ''}: every boundary class of ${use.kind} (${classes.map((c) => c.id).join(', ')})`,
    rules: namesGuest && !use.rules.includes('GUEST-1') ? [...use.rules, 'GUEST-1'] : use.rules,
    seed: use.seed,
    actors: { requester: use.setup === 'own' ? user() : admin(), ...targetSpec(use) },
    run: async (actors, t) => {
      const requester = new Requester(actors.requester!, t);
      if (use.setup === 'rename') return renameProbes(use, actors, requester, t);
      const batch: Probe[] = [];
      const alone: Probe[] = [];
      const created: string[] = [];
      for (const c of classes) {
        const body = bodyFor(use, c.value(t.name('b')), actors, t);
        if (use.setup === 'create' || use.setup === 'create-shared')
          created.push(...[body.username].filter((n): n is string => typeof n === 'string'));
        const probe: Probe = [{ type: use.message, body }];
        (probe.every((r) => keepsConnection(r.type, r.body, t)) ? batch : alone).push(probe);
      }
      // Probes that leave the connection open go in one write (WIRE-SEQ-8: processed in order);
      // those that may end it (decoding failures, frame limits) each get a live connection.
      if (batch.length > 0) await (await requester.live()).pipeline(batch.flat());
      for (const probe of alone) {
        const by = await requester.live();
        for (const r of probe) await by.request(r.type, r.body);
      }
      // The accounts the probes created, deleted in one write rather than one round trip each at cleanup.
      const accounts = t.model().accounts;
      const made = [...new Set(created.map((n) => accounts[nameKey(n)]?.username))].filter(
        (n): n is string => n !== undefined && nameKey(n) !== GUEST_USERNAME,
      );
      if (made.length > 0)
        await (await requester.live()).pipeline(made.map((username) => ({ type: 'UserDelete' as const, body: { username } })));
    },
  });
}

export default section(
  {
    id: 'generated/validator-boundaries',
    title: 'Validator boundaries: every field of every message × every boundary class (generated)',
    seed: 'admin.md §Username Validation',
  },
  FIELD_USES.map(toCheck),
);
