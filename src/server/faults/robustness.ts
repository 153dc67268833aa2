// Faults a process shows under odd input: the whole server crashes, or one connection hangs and is
// never answered again (fault.ts `onFrame`). Some are reached by the scripted suite; the others only
// by a fuzzer (detection `fuzz`).
import { isObject } from '../../protocol/types.ts';
import { BOTH, SPEC, SUITE, payloadJson, type FaultEntry } from './kit.ts';

const family = 'robustness';

/** Nesting depth of a JSON value. */
const depth = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);

export const ROBUSTNESS_FAULTS: FaultEntry[] = [
  {
    name: 'crash-on-invalid-json',
    family,
    description: 'a payload that is not JSON takes the whole server down',
    rules: ['WIRE-BAD-9'],
    profiles: BOTH,
    detection: SUITE,
    make: () => ({ onFrame: (f) => (f.payload.length > 0 && payloadJson(f.payload) === undefined ? 'crash' : undefined) }),
  },
  {
    name: 'hang-on-zero-id',
    family,
    description: 'a request with the id 000000000000 is never answered and its connection hangs',
    rules: ['WIRE-ID-1', 'WIRE-ID-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () => ({ onFrame: (f) => (f.id === '000000000000' ? 'hang' : undefined) }),
  },
  {
    name: 'hang-on-overlong-nickname',
    family,
    // Only `spec` frame limits admit such a nickname (WIRE-LIM-4); nexusd's era limits close first.
    description: 'spec: a UserKick or UserInfo nickname over 32 characters hangs the connection',
    rules: ['VAL-NICKNAME', 'ADM-KICK-2', 'USR-INFO-2'],
    profiles: SPEC,
    detection: SUITE,
    make: () => ({
      onFrame: (f) => {
        if (f.type !== 'UserKick' && f.type !== 'UserInfo') return undefined;
        const body = payloadJson(f.payload) as { nickname?: unknown } | undefined;
        return typeof body?.nickname === 'string' && [...body.nickname].length > 32 ? 'hang' : undefined;
      },
    }),
  },
  {
    name: 'crash-on-deep-json',
    family,
    description: 'a payload nested more than 8 levels deep takes the whole server down',
    rules: ['WIRE-JSON-1', 'WIRE-JSON-3', 'WIRE-BAD-9', 'WIRE-BAD-12'],
    profiles: BOTH,
    detection: { by: 'fuzz', fuzzer: 'frames', seed: 6, budget: 150 },
    make: () => ({ onFrame: (f) => (depth(payloadJson(f.payload)) > 8 ? 'crash' : undefined) }),
  },
  {
    name: 'crash-on-empty-member-name',
    family,
    description: 'a request carrying a member with an empty name ("": …) takes the whole server down',
    rules: ['WIRE-JSON-3', 'WIRE-JSON-1'],
    profiles: BOTH,
    detection: { by: 'fuzz', fuzzer: 'frames', seed: 5, budget: 150 },
    make: () => ({
      onFrame: (f) => {
        const body = payloadJson(f.payload);
        return isObject(body) && Object.keys(body).includes('') ? 'crash' : undefined;
      },
    }),
  },
  {
    name: 'crash-on-empty-user-list',
    family,
    description: 'a UserList frame with an empty payload takes the whole server down',
    rules: ['WIRE-BAD-9', 'WIRE-JSON-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () => ({ onFrame: (f) => (f.type === 'UserList' && f.payload.length === 0 ? 'crash' : undefined) }),
  },
];
