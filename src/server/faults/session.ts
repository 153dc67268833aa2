// Faults of the session layer: sequencing (wire.md §10) and the Handshake (session.md §1).
import { parseSemVer } from '../../model/index.ts';
import { BOTH, SUITE, altered, dropOutputs, errorKeyOf, mapOutputs, onRequest, patchBody, withBody, type FaultEntry } from './kit.ts';

const sequencing = 'sequencing';
const handshake = 'handshake';

export const SESSION_FAULTS: FaultEntry[] = [
  {
    name: 'login-without-handshake',
    family: sequencing,
    description: 'a Login on a connection that never sent Handshake is processed like any other',
    rules: ['WIRE-SEQ-2', 'SES-LOGIN-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) =>
        req.connection?.phase === 'new'
          ? next(
              altered(state, (s) => (s.connections[req.conn]!.phase = 'shaken')),
              event,
            )
          : undefined,
      ),
  },
  {
    name: 'second-handshake-accepted',
    family: sequencing,
    description: 'a second Handshake on a shaken connection is answered with success and the connection stays open',
    rules: ['SES-HS-7', 'WIRE-SEQ-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Handshake', (req, state, event, next) => {
        if (req.connection?.phase !== 'shaken') return undefined;
        const r = next(
          altered(state, (s) => (s.connections[req.conn]!.phase = 'new')),
          event,
        );
        return r;
      }),
  },
  {
    name: 'not-logged-in-stays-open',
    family: sequencing,
    description: 'a request before Login gets E-NOT-LOGGED-IN but the connection is not closed',
    rules: ['GEN-1', 'WIRE-SEQ-3', 'SES-ERR-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () => ({
      step: (state, event, next) => {
        const r = next(state, event);
        if (!r.outputs.some((o) => errorKeyOf(o) === 'E-NOT-LOGGED-IN')) return r;
        // The connection record stays as it was: the broken server simply goes on reading.
        const conn = event.kind === 'frame' ? event.conn : undefined;
        const kept =
          conn && state.connections[conn]
            ? altered(r.state, (s) => (s.connections[conn] = structuredClone(state.connections[conn]!)))
            : r.state;
        return { ...dropOutputs(r, (o) => o.kind === 'close'), state: kept };
      },
    }),
  },
  {
    name: 'second-login-keeps-session',
    family: sequencing,
    description: 'a second Login on a logged-in connection gets E-ALREADY-LOGGED-IN but the session and connection stay',
    rules: ['WIRE-SEQ-7', 'SES-LOGIN-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Login', (req, state, event, next) => {
        if (req.connection?.phase !== 'auth') return undefined;
        const r = next(state, event);
        return { ...dropOutputs(r, (o) => o.kind === 'close' || (o.kind === 'send' && o.conn !== req.conn)), state };
      }),
  },
  {
    name: 'handshake-major-mismatch-accepted',
    family: handshake,
    description: 'a client of another major version (1.x) is accepted',
    rules: ['SES-HS-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Handshake', (req, state, event, next) => {
        const v = typeof req.body.version === 'string' ? parseSemVer(req.body.version) : null;
        return v && v.major !== 0 ? next(state, withBody(event, { ...req.body, version: `0.5.${v.patch}` })) : undefined;
      }),
  },
  {
    name: 'handshake-older-minor-rejected',
    family: handshake,
    description: 'a client with an older minor version (0.4.0) is refused, as later upstream does',
    rules: ['SES-HS-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Handshake', (req, state, event, next) => {
        const v = typeof req.body.version === 'string' ? parseSemVer(req.body.version) : null;
        return v && v.major === 0 && v.minor < 5 ? next(state, withBody(event, { ...req.body, version: '0.6.0' })) : undefined;
      }),
  },
  {
    name: 'handshake-accepts-v-prefix',
    family: handshake,
    description: 'a version written v0.5.0 (not strict SemVer) is accepted',
    rules: ['SES-HS-1', 'VAL-VERSION'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Handshake', (req, state, event, next) =>
        typeof req.body.version === 'string' && /^v\d/.test(req.body.version)
          ? next(state, withBody(event, { ...req.body, version: req.body.version.slice(1) }))
          : undefined,
      ),
  },
  {
    name: 'handshake-failure-stays-open',
    family: handshake,
    description: 'a refused Handshake is answered but the connection is not closed',
    rules: ['SES-HS-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Handshake', (req, state, event, next) => {
        if (req.connection?.phase !== 'new') return undefined;
        const r = next(state, event);
        if (!r.outputs.some((o) => o.kind === 'close')) return r;
        return {
          ...dropOutputs(r, (o) => o.kind === 'close'),
          state: altered(r.state, (s) => (s.connections[req.conn] = structuredClone(req.connection!))),
        };
      }),
  },
  {
    name: 'handshake-failure-without-error',
    family: handshake,
    description: 'a refused Handshake says success:false without an error text',
    rules: ['SES-HS-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('Handshake', (_req, state, event, next) =>
        mapOutputs(next(state, event), (o) =>
          o.kind === 'send' && o.message.type === 'HandshakeResponse' && o.message.body.success === false
            ? patchBody(o, { error: undefined })
            : o,
        ),
      ),
  },
];
