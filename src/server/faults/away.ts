// Faults of UserAway / UserBack / UserStatus (rules.md §4.3–§4.5) and of the status validator at its
// boundaries (VAL-STATUS: characters vs bytes, newline vs other control characters).
import { charLength, utf8Length, type Session, type State, type StepResult } from '../../model/index.ts';
import { BOTH, NEXUSD, SPEC, SUITE, dropOutputs, isSend, onRequest, patchBody, withBody, type FaultEntry } from './kit.ts';

const seedFamily = 'seed messages (UserAway, UserBack, UserStatus)';
const validators = 'validators at their boundaries';

const statusMember = (type: string): 'message' | 'status' => (type === 'UserAway' ? 'message' : 'status');

/** Rewrites the status text of UserAway / UserStatus before the model validates it. */
const bendStatus = (fn: (text: string) => string | undefined) =>
  onRequest(['UserAway', 'UserStatus'], (req, state, event, next) => {
    const m = statusMember(req.type);
    const text = req.body[m];
    if (typeof text !== 'string') return undefined;
    const changed = fn(text);
    return changed === undefined ? undefined : next(state, withBody(event, { ...req.body, [m]: changed }));
  });

/** After a successful step, forces the requester's session to `patch` and shows it in the UserUpdated broadcasts. */
function forceSession(
  r: StepResult<State>,
  session: Session | undefined,
  patch: Partial<Pick<Session, 'isAway' | 'status'>>,
): StepResult<State> {
  const after = session ? r.state.sessions[String(session.id)] : undefined;
  if (!session || !after || !r.outputs.some((o) => isSend(o) && o.message.body.success === true)) return r;
  const next = { ...after, ...patch };
  return {
    ...r,
    state: { ...r.state, sessions: { ...r.state.sessions, [String(session.id)]: next } },
    outputs: r.outputs.map((o) => {
      if (!isSend(o, 'UserUpdated')) return o;
      const user = { ...(o.message.body.user as Record<string, unknown>) };
      if (user.nickname !== session.nickname) return o;
      user.is_away = next.isAway;
      if (next.status === null) delete user.status;
      else user.status = next.status;
      return patchBody(o, { user });
    }),
  };
}

export const AWAY_FAULTS: FaultEntry[] = [
  {
    name: 'away-not-broadcast',
    family: seedFamily,
    description: 'UserAway succeeds but sends no UserUpdated to anyone',
    rules: ['USR-AWAY-5', 'BC-4'],
    profiles: BOTH,
    detection: SUITE,
    make: () => onRequest('UserAway', (_req, state, event, next) => dropOutputs(next(state, event), (o) => isSend(o, 'UserUpdated'))),
  },
  {
    name: 'away-unanswered',
    family: seedFamily,
    description: 'UserAway takes effect and is broadcast, but its UserAwayResponse is never written (a handler that forgets to answer)',
    rules: ['USR-AWAY-5', 'WIRE-ORD-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () => onRequest('UserAway', (_req, state, event, next) => dropOutputs(next(state, event), (o) => isSend(o, 'UserAwayResponse'))),
  },
  {
    name: 'back-keeps-status',
    family: seedFamily,
    description: 'UserBack clears the away flag but keeps the status text',
    rules: ['USR-BACK-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserBack', (req, state, event, next) =>
        req.session?.status != null
          ? forceSession(next(state, event), req.session, { isAway: false, status: req.session.status })
          : undefined,
      ),
  },
  {
    name: 'status-clears-away-in-spec',
    family: seedFamily,
    description: 'spec: UserStatus clears the away flag (the nexusd behaviour)',
    rules: ['USR-STATUS-3'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      onRequest('UserStatus', (req, state, event, next) =>
        req.session?.isAway ? forceSession(next(state, event), req.session, { isAway: false }) : undefined,
      ),
  },
  {
    name: 'status-keeps-away-in-nexusd',
    family: seedFamily,
    description: 'nexusd: UserStatus keeps the away flag (the spec behaviour)',
    rules: ['USR-STATUS-3'],
    profiles: NEXUSD,
    detection: SUITE,
    make: () =>
      onRequest('UserStatus', (req, state, event, next) =>
        req.session?.isAway ? forceSession(next(state, event), req.session, { isAway: true }) : undefined,
      ),
  },
  {
    name: 'status-max-off-by-one',
    family: validators,
    description: 'a status of exactly 128 characters is refused as too long',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'USR-STATUS-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () => bendStatus((t) => (charLength(t) === 128 ? t + 'x' : undefined)),
  },
  {
    name: 'status-length-in-bytes-in-spec',
    family: validators,
    description: 'spec: the status limit counts UTF-8 bytes, so 128 two-byte characters are refused',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'USR-STATUS-1'],
    profiles: SPEC,
    detection: SUITE,
    make: () => bendStatus((t) => (charLength(t) <= 128 && utf8Length(t) > 128 ? t.padEnd(129, 'x') : undefined)),
  },
  {
    name: 'status-control-characters-accepted',
    family: validators,
    description: 'a status with a control character other than a newline (TAB, NUL, DEL) is accepted, the character dropped',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'USR-STATUS-1'],
    profiles: BOTH,
    detection: SUITE,

    make: () =>
      bendStatus((t) =>
        /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(t)
          ? t.replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '')
          : undefined,
      ),
  },
  {
    name: 'status-newline-is-invalid-character',
    family: validators,
    description: 'a newline in a status is reported as "invalid characters" instead of "contains newlines"',
    rules: ['VAL-STATUS', 'USR-AWAY-2', 'USR-STATUS-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () => bendStatus((t) => (/[\r\n]/.test(t) ? t.replace(/[\r\n]/g, '\u0001') : undefined)),
  },
];
