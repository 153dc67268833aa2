// Building the declared actors of a check: run-prefixed accounts created through the control
// connection, connections opened, Handshake and Login done, the guest account prepared (and
// restored by the check's cleanup, actors.ts CheckEnv).
import { GUEST_USERNAME, nameKey, sameSet } from '../model/index.ts';
import type { ActorSpec, CheckDef } from './api.ts';
import type { CheckEnv } from './actors.ts';
import { HarnessActor, setupStep, type Credentials } from './harness-actor.ts';

async function openLoggedIn(env: CheckEnv, name: string, creds: Credentials, login: boolean): Promise<HarnessActor> {
  const run = env.run;
  const hc = await run.lockstep.open(name);
  const actor = new HarnessActor(run, name, hc, creds);
  env.actors.push(actor);
  await setupStep(run, actor, 'Handshake', { version: run.lockstep.model().config.protocolVersion }, 'handshake');
  if (login) await setupStep(run, actor, 'Login', actor.loginBody(), `login of ${name}`);
  return actor;
}

async function createAccount(
  env: CheckEnv,
  a: { username: string; password: string; isAdmin: boolean; isShared: boolean; enabled: boolean; permissions: string[] },
): Promise<void> {
  const body: Record<string, unknown> = {
    username: a.username,
    password: a.password,
    is_admin: a.isAdmin,
    enabled: a.enabled,
    permissions: a.permissions,
  };
  if (a.isShared) body.is_shared = true;
  await setupStep(env.run, env.run.control, 'UserCreate', body, `create account ${a.username}`);
}

/** The guest account, enabled (and with the requested permissions) for this check; restored by cleanup. */
async function prepareGuest(env: CheckEnv, permissions: string[] | undefined): Promise<void> {
  const lockstep = env.run.lockstep;
  const guest = lockstep.model().accounts[GUEST_USERNAME];
  if (!guest) env.skip('the target has no guest account');
  env.guestOriginal ??= { enabled: guest.enabled, permissions: [...guest.permissions] };
  const update: Record<string, unknown> = { username: GUEST_USERNAME };
  if (!guest.enabled) update.requested_enabled = true;
  if (permissions && !sameSet(permissions, guest.permissions)) update.requested_permissions = permissions;
  if (Object.keys(update).length > 1) await setupStep(env.run, env.run.control, 'UserUpdate', update, 'prepare the guest account');
}

/** Builds every declared actor, in declaration order (sessionOf refers to earlier ones). */
export async function buildActors(specs: Record<string, ActorSpec>, env: CheckEnv): Promise<Record<string, HarnessActor>> {
  const run = env.run;
  const built: Record<string, HarnessActor> = {};
  for (const [name, spec] of Object.entries(specs)) {
    switch (spec.kind) {
      case 'user': {
        const username = run.names.make(spec.name ?? name);
        const password = run.password();
        const enabled = spec.enabled ?? true;
        await createAccount(env, {
          username,
          password,
          isAdmin: spec.admin === true,
          isShared: false,
          enabled,
          permissions: spec.permissions ?? [],
        });
        const creds: Credentials = { username, password, nickname: username };
        if (spec.locale !== undefined) creds.locale = spec.locale;
        if (spec.avatar !== undefined) creds.avatar = spec.avatar;
        if (spec.features !== undefined) creds.features = spec.features;
        built[name] = await openLoggedIn(env, name, creds, (spec.login ?? true) && enabled);
        break;
      }
      case 'shared': {
        const username = run.names.make(spec.name ?? name);
        const password = run.password();
        await createAccount(env, {
          username,
          password,
          isAdmin: false,
          isShared: true,
          enabled: true,
          permissions: spec.permissions ?? [],
        });
        const nickname = run.names.make(spec.nickname ?? name);
        built[name] = await openLoggedIn(env, name, { username, password, nickname, isShared: true }, spec.login ?? true);
        break;
      }
      case 'sessionOf': {
        const of = built[spec.of];
        if (!of) throw new Error(`actor ${name}: sessionOf(${JSON.stringify(spec.of)}) must name an actor declared before it`);
        const account = run.lockstep.model().accounts[nameKey(of.username)];
        const isShared = account?.isShared === true;
        const creds: Credentials = {
          username: of.username,
          password: of.password,
          nickname: isShared ? run.names.make(spec.nickname ?? name) : of.username,
          isShared,
        };
        if (spec.locale !== undefined) creds.locale = spec.locale;
        if (spec.avatar !== undefined) creds.avatar = spec.avatar;
        if (spec.features !== undefined) creds.features = spec.features;
        built[name] = await openLoggedIn(env, name, creds, true);
        break;
      }
      case 'guest': {
        await prepareGuest(env, spec.permissions);
        const nickname = run.names.make(spec.nickname ?? name);
        built[name] = await openLoggedIn(
          env,
          name,
          { username: GUEST_USERNAME, password: '', nickname, isShared: true },
          spec.login ?? true,
        );
        break;
      }
      case 'connection': {
        const hc = await run.lockstep.open(name);
        const actor = new HarnessActor(run, name, hc, { username: '', password: '', nickname: '' });
        env.actors.push(actor);
        if (spec.state === 'shaken') {
          await setupStep(run, actor, 'Handshake', { version: run.lockstep.model().config.protocolVersion }, 'handshake');
        }
        built[name] = actor;
        break;
      }
    }
  }
  return built;
}

/** How many connections a check opens at most (actors, the control connection, one spare for `t.connect`). */
export function connectionsNeeded(def: CheckDef): number {
  return Object.keys(def.actors ?? {}).length + 2;
}
