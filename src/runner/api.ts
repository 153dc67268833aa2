// The scenario DSL: how a check is declared (h2spec-style small values, one file per spec section)
// and what its `run` function can do. The runner, not the scenario, compares every frame that
// reaches any actor with the reference model; a scenario states the rule its title promises.
import type { ClientType, Profile, MatchMode } from '../protocol/types.ts';
import type { ErrorKey } from '../model/events.ts';
import type { Permission } from '../model/permissions.ts';
import type { State } from '../model/state.ts';
import type { PlaintextProbeResult } from '../net/plaintext-probe.ts';

export type { PlaintextProbeResult };
export { ANY, NONE, including, not, ofLength, oneOf, setOf, where, type Matcher } from './expect.ts';

// --- actors -------------------------------------------------------------------------------------

/** A regular account (run-prefixed name) with one logged-in session, unless `login: false`. */
export interface UserSpec {
  kind: 'user';
  permissions?: Permission[];
  admin?: boolean;
  enabled?: boolean;
  login?: boolean;
  locale?: string;
  avatar?: string;
  features?: string[];
  /** Base of the account name; the runner adds the run prefix and makes it unique. */
  name?: string;
}

/** A shared account with one logged-in session under `nickname` (unique, run-prefixed). */
export interface SharedSpec {
  kind: 'shared';
  permissions?: Permission[];
  /** Base of the session nickname; prefixed and made unique by the runner. */
  nickname?: string;
  login?: boolean;
  name?: string;
}

/** Another session of the account of the actor named `of` (declared earlier in the same `actors`). */
export interface SessionOfSpec {
  kind: 'sessionOf';
  of: string;
  /** For shared accounts: base of this session's nickname. */
  nickname?: string;
  locale?: string;
  avatar?: string;
  features?: string[];
}

/** A guest session. The runner enables the guest account for the check and restores it after. */
export interface GuestSpec {
  kind: 'guest';
  nickname?: string;
  /** Permissions to give the guest account for this check (restored after). */
  permissions?: Permission[];
  /** false: the account is prepared but no session logs in (a session would hear every broadcast). */
  login?: boolean;
}

/** A bare connection: nothing sent (`'new'`), or after a successful Handshake (`'shaken'`). */
export interface ConnectionSpec {
  kind: 'connection';
  state: 'new' | 'shaken';
}

export type ActorSpec = UserSpec | SharedSpec | SessionOfSpec | GuestSpec | ConnectionSpec;

export const user = (o: Omit<UserSpec, 'kind'> = {}): UserSpec => ({ kind: 'user', ...o });
export const admin = (o: Omit<UserSpec, 'kind' | 'admin'> = {}): UserSpec => ({ kind: 'user', admin: true, ...o });
export const shared = (o: Omit<SharedSpec, 'kind'> = {}): SharedSpec => ({ kind: 'shared', ...o });
export const sessionOf = (of: string, o: Omit<SessionOfSpec, 'kind' | 'of'> = {}): SessionOfSpec => ({
  kind: 'sessionOf',
  of,
  ...o,
});
export const guest = (o: Omit<GuestSpec, 'kind'> = {}): GuestSpec => ({ kind: 'guest', ...o });
export const connection = (state: 'new' | 'shaken' = 'new'): ConnectionSpec => ({ kind: 'connection', state });

// --- what a run function works with --------------------------------------------------------------

/** A server frame as observed, with the target's session ids already mapped to the model's. */
export interface Observed {
  type: string;
  id: string;
  body: Record<string, unknown>;
}

/**
 * The pending result of a request. Awaiting it waits until the direct answer *and* every frame the
 * model predicts on any actor's connection have been checked; it resolves to the direct answer
 * (or `null` when the model predicts none, e.g. after a silent close).
 */
export interface Reply extends PromiseLike<Observed | null> {
  /** Asserts `success: true` in the typed response; a failure cites `rule` (default: the check's first rule). */
  expectSuccess(rule?: string): Promise<Observed>;
  /** Asserts the answer carries error `key` (as classified under the current match mode and profile). */
  expectError(key: ErrorKey): Promise<Observed>;
}

export interface Actor {
  /** The key under which the actor was declared. */
  readonly name: string;
  /** Account name as stored (undefined for bare connections). */
  readonly username: string;
  /** Session display name (SES-ID-1). */
  readonly nickname: string;
  readonly password: string;
  /** The model's session id (target ids are mapped onto these); undefined when not logged in. */
  readonly sessionId: number | undefined;
  /**
   * Whether the connection is still open as far as the checks so far tell: the target has not
   * closed it and the outcome its traffic showed keeps it (where the spec lets the target choose
   * between processing a request and closing, e.g. WIRE-JSON-2 in `spec`).
   */
  readonly connected: boolean;

  /** Sends one well-formed request (random id, `"type"` member added) and checks it in lockstep. */
  request(type: ClientType, body?: Record<string, unknown>): Reply;
  /** Sends several requests in one write (WIRE-SEQ-8) and checks all answers in lockstep. */
  pipeline(requests: Array<{ type: ClientType; body?: Record<string, unknown> }>): Promise<Array<Observed | null>>;
  /** Writes raw bytes; the runner decodes them as the target must and checks what the model predicts. */
  sendRaw(bytes: Uint8Array | string): Promise<void>;

  /** Handshake on a bare connection (default version: the model's protocol version). */
  handshake(version?: string): Reply;
  /** Login on a shaken connection; by default with this actor's credentials. */
  login(body?: Record<string, unknown>): Reply;

  /** Round trip on this connection: proves it is open and that nothing unexpected arrived before. */
  expectConnected(): Promise<void>;
  /**
   * Waits until the server closes the connection: up to the timeout (slow checks: up to the
   * longest server deadline), or up to `withinMs` when the check knows a later close fails anyway.
   */
  expectClosed(o?: { withinMs?: number }): Promise<void>;
  /** Client-side close; the model is told and the logout broadcast is checked. */
  close(): Promise<void>;
}

export interface CheckContext {
  readonly profile: Profile;
  readonly match: MatchMode;
  /** Read-only view of the model mirror (after the last step). */
  model(): Readonly<State>;
  /** The run's admin actor (the control connection). */
  readonly admin: Actor;
  /** A fresh run-prefixed name (≤ 32 chars) for accounts or nicknames the check creates itself. */
  name(base?: string): string;
  /** Records an account created by the check itself, so it is deleted at cleanup. */
  created(username: string): void;
  /**
   * Fails the check with `rule` unless every field `pattern` lists fits the body of `observed` (a
   * reply, or any object such as a list entry), irctest's `assertMessageMatch`: plain values must
   * be equal, arrays equal in order, nested objects fit by their listed fields; the matchers
   * `ANY`, `NONE`, `oneOf`, `setOf`, `including`, `where` say what else is allowed. Unlisted
   * fields are left to the runner's comparison with the model; `type` names the frame type. One
   * failure per field that does not fit, citing the request the reply answers.
   */
  expectBody(
    observed: Observed | Record<string, unknown> | null | undefined,
    pattern: Record<string, unknown>,
    rule: string,
    what?: string,
  ): void;
  /** Fails the check with `rule` unless `actual` fits `expected` (a value or a matcher); `what` names the value. */
  expectEqual(actual: unknown, expected: unknown, rule: string, what: string): void;
  /** Fails the check with the rule it breaks unless `condition` holds (for predicates that compare nothing). */
  assert(condition: unknown, rule: string, message: string): void;
  /** Ends the check as skipped with a reason (e.g. a precondition the target does not meet). */
  skip(reason: string): never;
  /**
   * Opens one more bare connection during the check (e.g. per-IP limit probes, WIRE-IP-5). When the
   * model predicts the target drops it (WIRE-IP-2), the returned actor is already closed. `name`
   * labels it in failures and transcripts (default `connN`).
   */
  connect(state?: 'new' | 'shaken', name?: string): Promise<Actor>;
  /**
   * Opens a plain TCP connection beside the protocol (no TLS even on a TLS target), writes `bytes`
   * and reads until the server closes it or the timeout passes. The model is not involved: for
   * transport probes such as plaintext sent to a TLS port (WIRE-TLS-5).
   */
  plaintextProbe(bytes: Uint8Array | string): Promise<PlaintextProbeResult>;
}

export interface CheckDef<A extends Record<string, ActorSpec> = Record<string, ActorSpec>> {
  /** Stable id, unique within the section; the full id is `<section>/<id>`. */
  id: string;
  title: string;
  /** Rule ids from rules.md / session.md / wire.md that this check covers. */
  rules: string[];
  /** Error keys from errors.md that this check provokes. */
  errors?: ErrorKey[];
  /** Seed section, e.g. `admin.md §Kick Behavior`. */
  seed?: string;
  actors?: A;
  /** Preconditions; the check is skipped with a reason when one does not hold. */
  needs?: { fresh?: boolean; profile?: Profile; tls?: boolean; /** Long waits (timeouts): run only with `slow`. */ slow?: boolean };
  /** Waits for server timeouts (30–60 s, WIRE-TMO-*): runs only with `--slow`, skipped otherwise. */
  slow?: boolean;
  /**
   * Why the check must run alone under `--jobs` (never beside other checks): it acts on or reads
   * server-wide state in a way neither its actors nor its rule ids show (check-plan.ts `runsAlone`).
   */
  exclusive?: string;
  run: (actors: { [K in keyof A]: Actor }, t: CheckContext) => Promise<void>;
}

export interface Section {
  /** e.g. `admin/kick`; the folder structure of `scenarios/` mirrors it. */
  id: string;
  title: string;
  seed?: string;
  checks: CheckDef[];
  /** Set by the loader: the scenario file (relative to the package root) and each check's line in it, where found. */
  source?: { file: string; lines: Record<string, number> };
}

export function check<A extends Record<string, ActorSpec>>(def: CheckDef<A>): CheckDef {
  return def as unknown as CheckDef;
}

/** A section: its header first (`id`, `title`, the seed section it covers), then its checks. */
export function section(head: Omit<Section, 'checks'>, checks: CheckDef[]): Section {
  return { ...head, checks };
}
