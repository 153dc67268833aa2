// Faults of the wire layer: message ids (WIRE-ID-*) and the answer to malformed input (wire.md §7).
import { BOTH, SUITE, errorKeyOf, isSend, mapEveryOutput, patchBody, type FaultEntry } from './kit.ts';

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
];
