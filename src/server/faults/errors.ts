// Faults of error reporting: the wording (errors.md), the carrier (T / E / E!, GEN-4), and what an
// error does to the connection (closing or not), including the forced disconnects of session.md §7.
import type { Output } from '../../model/index.ts';
import {
  BOTH,
  NEXUSD,
  SPEC,
  SUITE,
  altered,
  dropOutputs,
  errorKeyOf,
  isSend,
  mapEveryOutput,
  mapOutputs,
  onRequest,
  patchBody,
  type FaultEntry,
} from './kit.ts';

const wording = 'error wording and carrier';
const effects = 'connection effects';

/** The permission failures whose carrier differs by profile (GEN-4, SES-ERR-3). */
const DIVERGENT_PERMISSION = ['UserList', 'UserInfo', 'UserCreate', 'UserUpdate'];

export const ERROR_FAULTS: FaultEntry[] = [
  {
    name: 'permission-denied-reworded',
    family: wording,
    description: 'E-PERMISSION-DENIED is worded "Access denied" instead of the catalogue text',
    rules: ['ADM-CREATE-5', 'ADM-EDIT-3', 'ADM-UPDATE-5', 'ADM-DELETE-6', 'ADM-KICK-5', 'USR-LIST-2', 'USR-INFO-4', 'CM-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      mapEveryOutput((o) => {
        if (!isSend(o) || errorKeyOf(o) !== 'E-PERMISSION-DENIED') return o;
        return patchBody(o, o.message.type === 'Error' ? { message: 'Access denied' } : { error: 'Access denied' });
      }),
  },
  {
    name: 'kicked-by-names-nickname',
    family: wording,
    description: "the kick notice names the kicker's nickname in lower case instead of its username",
    rules: ['SES-KICK-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      mapEveryOutput((o) => {
        if (!isSend(o) || errorKeyOf(o) !== 'E-KICKED-BY' || typeof o.message.body.message !== 'string') return o;
        const who = String(o.error?.params.username ?? '');
        return patchBody(o, { message: o.message.body.message.replace(who, who.toLowerCase() === who ? `${who}_` : who.toLowerCase()) });
      }),
  },
  {
    name: 'permission-denied-as-error-in-spec',
    family: wording,
    description: 'spec: permission failures of UserList/UserInfo/UserCreate/UserUpdate come as Error instead of the typed response',
    rules: ['GEN-4', 'USR-LIST-2', 'USR-INFO-4', 'ADM-CREATE-5', 'ADM-UPDATE-5'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      onRequest(DIVERGENT_PERMISSION, (req, state, event, next) =>
        mapOutputs(next(state, event), (o) =>
          isSend(o) && errorKeyOf(o) === 'E-PERMISSION-DENIED' && o.message.type.endsWith('Response')
            ? { ...o, message: { ...o.message, type: 'Error', body: { type: 'Error', message: o.message.body.error, command: req.type } } }
            : o,
        ),
      ),
  },
  {
    name: 'permission-denied-typed-in-nexusd',
    family: wording,
    description: 'nexusd: permission failures of UserList/UserInfo/UserCreate/UserUpdate come as the typed response instead of Error',
    rules: ['GEN-4', 'USR-LIST-2', 'USR-INFO-4', 'ADM-CREATE-5', 'ADM-UPDATE-5'],
    profiles: NEXUSD,
    detection: SUITE,
    make: () =>
      onRequest(DIVERGENT_PERMISSION, (req, state, event, next) =>
        mapOutputs(next(state, event), (o) =>
          isSend(o, 'Error') && errorKeyOf(o) === 'E-PERMISSION-DENIED'
            ? {
                ...o,
                message: {
                  ...o.message,
                  type: `${req.type}Response`,
                  body: { type: `${req.type}Response`, success: false, error: o.message.body.message },
                },
              }
            : o,
        ),
      ),
  },
  {
    name: 'soft-error-closes',
    family: effects,
    description: 'UserInfo of a nickname that is not online closes the connection after the answer',
    rules: ['USR-INFO-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserInfo', (req, state, event, next) => {
        const r = next(state, event);
        if (!r.outputs.some((o) => errorKeyOf(o) === 'E-NICKNAME-NOT-ONLINE')) return r;
        const close: Output = { kind: 'close', conn: req.conn, reason: 'error', rules: ['USR-INFO-5'] };
        // The model forgets the connection with the close (step.ts applyCloses does the same).
        const after = next(r.state, { kind: 'close', conn: req.conn, now: event.now });
        return { state: after.state, outputs: [...r.outputs, close, ...after.outputs] };
      }),
  },
  {
    name: 'removed-session-never-closed',
    family: effects,
    description: 'nexusd: a removed session keeps its socket (allowed), but its next request gets E-AUTHENTICATION without the close',
    rules: ['GEN-2', 'SES-ERR-2', 'SES-KICK-3'],
    profiles: NEXUSD,
    detection: SUITE,
    make: () => ({
      step: (state, event, next) => {
        const r = next(state, event);
        if (event.kind !== 'frame') return r;
        if (event.frame.type === 'ServerInfoUpdate' || !r.outputs.some((o) => errorKeyOf(o) === 'E-AUTHENTICATION')) {
          // The lazy close nexusd may take (SES-KICK-3): the socket simply stays open.
          return dropOutputs(r, (o) => o.kind === 'close' && o.accept?.lazy === true);
        }
        const kept = state.connections[event.conn];
        return {
          ...dropOutputs(r, (o) => o.kind === 'close'),
          state: kept ? altered(r.state, (s) => (s.connections[event.conn] = structuredClone(kept))) : r.state,
        };
      },
    }),
  },
  {
    name: 'cannot-create-admin-stays-open-in-nexusd',
    family: effects,
    description: 'nexusd: E-CANNOT-CREATE-ADMIN is sent as a soft Error and the requester stays connected',
    rules: ['ADM-CREATE-6'],
    profiles: NEXUSD,
    detection: SUITE,
    make: () =>
      onRequest('UserCreate', (req, state, event, next) => {
        const r = next(state, event);
        if (!r.outputs.some((o) => errorKeyOf(o) === 'E-CANNOT-CREATE-ADMIN')) return r;
        return { outputs: r.outputs.filter((o) => o.kind !== 'close'), state };
      }),
  },
  {
    name: 'kick-notice-without-command',
    family: effects,
    description: 'the kick notice Error carries no command member',
    rules: ['SES-KICK-1', 'SES-ERR-4'],
    profiles: BOTH,
    detection: SUITE,
    make: () => mapEveryOutput((o) => (isSend(o, 'Error') && errorKeyOf(o) === 'E-KICKED-BY' ? patchBody(o, { command: undefined }) : o)),
  },
  {
    name: 'kicked-socket-left-open-in-spec',
    family: effects,
    description: 'spec: a kicked session is removed but its socket is never closed',
    rules: ['SES-KICK-3'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      onRequest('UserKick', (_req, state, event, next) =>
        dropOutputs(next(state, event), (o) => o.kind === 'close' && o.reason === 'removed'),
      ),
  },
  {
    name: 'deleted-session-not-notified',
    family: effects,
    description: 'deleting an online account closes its sessions without the "account deleted" notice',
    rules: ['SES-FORCE-1', 'BC-7'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserDelete', (_req, state, event, next) => dropOutputs(next(state, event), (o) => errorKeyOf(o) === 'E-ACCOUNT-DELETED')),
  },
  {
    name: 'disable-keeps-sessions',
    family: effects,
    description: 'disabling an online account leaves its live sessions connected',
    rules: ['ADM-UPDATE-15', 'SES-FORCE-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (req, state, event, next) => {
        if (req.body.requested_enabled !== false) return undefined;
        const r = next(state, event);
        const gone = Object.values(state.sessions).filter((s) => !r.state.sessions[String(s.id)]);
        if (gone.length === 0) return r;
        const conns = new Set(gone.map((s) => s.conn));
        const ids = new Set(gone.map((s) => s.id));
        return {
          state: altered(r.state, (st) => {
            for (const s of gone) {
              st.sessions[String(s.id)] = structuredClone(s);
              if (s.conn !== null && state.connections[s.conn]) st.connections[s.conn] = structuredClone(state.connections[s.conn]!);
            }
          }),
          outputs: r.outputs.filter(
            (o) =>
              !(o.kind === 'close' && conns.has(o.conn)) &&
              errorKeyOf(o) !== 'E-ACCOUNT-DISABLED-BY-ADMIN' &&
              !(isSend(o, 'UserDisconnected') && ids.has(Number(o.message.body.session_id))),
          ),
        };
      }),
  },
  {
    name: 'kick-shared-kicks-every-session',
    family: effects,
    description: 'kicking one session of a shared account kicks every session of that account',
    rules: ['SES-KICK-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserKick', (req, state, event, next) => {
        const target = Object.values(state.sessions).find((s) => s.nickname.toLowerCase() === String(req.body.nickname).toLowerCase());
        if (!target?.isShared) return undefined;
        let r = next(state, event);
        if (!r.outputs.some((o) => isSend(o, 'UserKickResponse') && o.message.body.success === true)) return r;
        for (const other of Object.values(r.state.sessions).filter((s) => s.accountKey === target.accountKey && s.id !== target.id)) {
          const more = next(r.state, {
            ...event,
            frame: { ...event.frame, payload: new TextEncoder().encode(JSON.stringify({ type: 'UserKick', nickname: other.nickname })) },
          });
          r = {
            state: more.state,
            outputs: [...r.outputs, ...more.outputs.filter((o) => !(isSend(o, 'UserKickResponse') && o.conn === req.conn))],
          };
        }
        return r;
      }),
  },
];
