// The base every frame-fuzz arbitrary bends: for each connection state (cases.ts) the requests that
// are valid there and change nothing but what their type always changes, and an arbitrary of a
// state, one of its requests and a fresh id. The element arbitraries (arbitraries.ts, payload.ts)
// then break exactly one part of that request's frame.
import fc from 'fast-check';
import type { ClientType, Profile } from '../../protocol/types.ts';
import { CONN_STATES, validParts, type ConnState, type FrameCase, type FrameParts } from './cases.ts';

export interface FrameEnv {
  profile: Profile;
  /** The protocol version the target speaks (a valid Handshake from a new connection). */
  version: string;
}

/** A request that is valid in `state` and changes nothing but what its type always changes. */
export interface Request {
  type: ClientType;
  body: Record<string, unknown>;
}

/** A name no run creates (run names carry the run prefix): lookups of it miss. */
const NOBODY = 'fz-nobody';

export function requestsFor(state: ConnState, env: FrameEnv): Request[] {
  switch (state) {
    case 'new':
      return [{ type: 'Handshake', body: { version: env.version } }];
    case 'shaken':
      // Every request of a shaken connection but Login is refused (WIRE-SEQ-3..5); a Login with an
      // account that does not exist fails (SES-LOGIN); all of them test reassembly all the same.
      return [
        { type: 'Login', body: { username: NOBODY, password: 'fz-wrong', features: [], locale: 'en' } },
        { type: 'UserList', body: { all: false } },
        { type: 'Handshake', body: { version: env.version } },
      ];
    default:
      return [
        { type: 'UserInfo', body: { nickname: NOBODY } },
        { type: 'UserList', body: { all: false } },
        { type: 'UserBack', body: {} },
        { type: 'UserStatus', body: { status: 'fz' } },
        { type: 'UserAway', body: { message: 'fz away' } },
        { type: 'UserEdit', body: { username: NOBODY } },
        { type: 'ConnectionMonitor', body: {} },
      ];
  }
}

/** Requests whose effect is broadcast (UserUpdated to every session holding user_list). */
export const BROADCASTING: ReadonlySet<string> = new Set(['UserBack', 'UserAway', 'UserStatus']);

export const hexId = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => Buffer.from(b).toString('hex'));
export const stateArb = fc.constantFrom(...CONN_STATES);

/** A state, one of its valid requests and an id: the base every element arbitrary bends. */
export function base(
  env: FrameEnv,
  states: readonly ConnState[] = CONN_STATES,
): fc.Arbitrary<{ state: ConnState; req: Request; id: string }> {
  return fc
    .constantFrom(...states)
    .chain((state) => fc.record({ state: fc.constant(state), req: fc.constantFrom(...requestsFor(state, env)), id: hexId }));
}

export function partsOf(req: Request, id: string): FrameParts {
  return validParts(req.type, id, JSON.stringify({ type: req.type, ...req.body }));
}

export function one(element: string, state: ConnState, frame: Buffer): FrameCase {
  return { element, state, writes: [frame] };
}
