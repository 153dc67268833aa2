// Faults of the wire layer: message ids (WIRE-ID-*) and the answer to malformed input (wire.md §7).
import { isObject } from '../../protocol/types.ts';
import { BOTH, SUITE, errorKeyOf, isSend, mapEveryOutput, patchBody, reqOf, withBody, type FaultEntry } from './kit.ts';

const family = 'framing and message ids';

export const WIRE_FAULTS: FaultEntry[] = [
  {
    name: 'id-echo-lowercased',
    family,
    description: 'direct answers echo the request id lower-cased instead of byte for byte',
    rules: ['WIRE-ID-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      mapEveryOutput((o, _s, e) =>
        e.kind === 'frame' && isSend(o) && o.message.id === e.frame.id
          ? { ...o, message: { ...o.message, id: o.message.id.toLowerCase() } }
          : o,
      ),
  },
  {
    name: 'broadcast-echoes-request-id',
    family,
    description: "the requester's own broadcast copy reuses the request id instead of a fresh one",
    rules: ['WIRE-ID-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      mapEveryOutput((o, state, e) => {
        if (e.kind !== 'frame' || !isSend(o) || o.message.id === e.frame.id || o.message.type === 'Error') return o;
        return o.conn === e.conn && state.connections[e.conn]?.sessionId != null ? { ...o, message: { ...o.message, id: e.frame.id } } : o;
      }),
  },
  {
    name: 'broadcast-ids-upper-case',
    family,
    description: 'server-initiated frames carry fresh ids in upper-case hex',
    rules: ['WIRE-ID-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      mapEveryOutput((o, _s, e) =>
        isSend(o) && (e.kind !== 'frame' || o.message.id !== e.frame.id)
          ? { ...o, message: { ...o.message, id: o.message.id.toUpperCase().replace(/^[0-9]/, 'A') } }
          : o,
      ),
  },
  {
    name: 'framing-error-names-command',
    family,
    description: 'the Error before a framing close carries a command member',
    rules: ['SES-ERR-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () => mapEveryOutput((o, _s, e) => (e.kind === 'malformed' && isSend(o, 'Error') ? patchBody(o, { command: 'Handshake' }) : o)),
  },
  {
    name: 'decode-error-echoes-request-id',
    family,
    description: 'the Error for an undecodable payload echoes the frame id instead of a fresh one',
    rules: ['SES-ERR-1', 'WIRE-ID-3', 'WIRE-BAD-12'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      mapEveryOutput((o, _s, e) =>
        e.kind === 'frame' && isSend(o, 'Error') && errorKeyOf(o) === 'E-INVALID-MESSAGE-FORMAT'
          ? { ...o, message: { ...o.message, id: e.frame.id } }
          : o,
      ),
  },
  {
    name: 'proto-member-read-through',
    family,
    // A JavaScript server that copies a payload's members into an object by assignment makes a
    // "__proto__" member that object's prototype, so the members inside it read as the request's.
    description:
      'the members of a "__proto__" member stand in for the request\'s own missing members, as in a JavaScript server that copies payloads by assignment',
    rules: ['WIRE-JSON-3', 'WIRE-JSON-4', 'WIRE-BAD-12'],
    profiles: BOTH,
    detection: SUITE,
    make: () => ({
      step: (state, event, next) => {
        const req = reqOf(state, event);
        const inner = req && Object.hasOwn(req.body, '__proto__') ? req.body['__proto__'] : undefined;
        if (event.kind !== 'frame' || !req || !isObject(inner)) return next(state, event);
        const own = Object.entries(req.body).filter(([k]) => k !== '__proto__');
        return next(state, withBody(event, Object.fromEntries([...Object.entries(inner), ...own])));
      },
    }),
  },
];
