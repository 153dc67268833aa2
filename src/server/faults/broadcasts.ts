// Faults of the broadcasts and their audiences (rules.md §6, session.md §5).
import { sessionHolds, type Event, type Output, type State, type StepResult } from '../../model/index.ts';
import type { ServerFault, Step } from '../fault.ts';
import {
  BOTH,
  NEXUSD,
  SPEC,
  SUITE,
  altered,
  copyTo,
  dropOutputs,
  faultIdSource,
  isSend,
  onRequest,
  sessionConns,
  type FaultEntry,
} from './kit.ts';

const family = 'broadcasts and their audience';

/**
 * The model's broadcast of `type` for this event, but sent as if every account held user_list: the
 * copies a broken audience filter adds to sessions that should not get them.
 */
function widened(type: string, types: readonly string[]): ServerFault {
  return {
    step: (state: State, event: Event, next: Step): StepResult<State> => {
      const r = next(state, event);
      if (event.kind !== 'frame' || !types.includes(event.frame.type)) return r;
      const wide = next(
        altered(state, (s) =>
          Object.values(s.accounts).forEach((a) => a.permissions.includes('user_list') || a.permissions.push('user_list')),
        ),
        event,
      );
      const have = new Set(r.outputs.filter((o) => isSend(o, type)).map((o) => o.conn));
      const extra = wide.outputs.filter((o) => isSend(o, type) && !have.has(o.conn));
      return { ...r, outputs: [...r.outputs, ...extra] };
    },
  };
}

export const BROADCAST_FAULTS: FaultEntry[] = [
  {
    name: 'user-connected-to-everyone',
    family,
    description: 'UserConnected also goes to sessions without user_list',
    rules: ['BC-1', 'SES-BC-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () => widened('UserConnected', ['Login']),
  },
  {
    name: 'user-connected-to-new-session',
    family,
    description: 'the new session also receives its own UserConnected',
    rules: ['BC-1', 'SES-BC-1'],
    profiles: BOTH,
    detection: SUITE,
    make: () => {
      const fresh = faultIdSource('c0');
      return onRequest('Login', (req, state, event, next) => {
        const r = next(state, event);
        const first = r.outputs.find((o) => isSend(o, 'UserConnected'));
        const ok = r.outputs.some((o) => isSend(o, 'LoginResponse') && o.message.body.success === true);
        const own = ok && first && isSend(first) ? [copyTo(first, req.conn, fresh())] : [];
        if (ok && !first) {
          // Nobody else holds user_list: the broken server still tells the new session about itself.
          const wide = next(
            altered(state, (s) => Object.values(s.accounts).forEach((a) => a.permissions.push('user_list'))),
            event,
          );
          const any = wide.outputs.find((o) => isSend(o, 'UserConnected'));
          if (any && isSend(any)) own.push(copyTo(any, req.conn, fresh()));
        }
        return { ...r, outputs: [...r.outputs, ...own] };
      });
    },
  },
  {
    name: 'user-disconnected-missing-on-close',
    family,
    description: 'a session ended by its client closing the connection is not announced with UserDisconnected',
    rules: ['SES-BC-3', 'BC-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () => ({
      step: (state, event, next) =>
        event.kind === 'close' ? dropOutputs(next(state, event), (o) => isSend(o, 'UserDisconnected')) : next(state, event),
    }),
  },
  {
    name: 'user-disconnected-missing-on-error-close',
    family,
    description: 'a session ended by an error-and-close (framing error, second Login) is not announced',
    rules: ['SES-BC-3', 'BC-2'],
    profiles: BOTH,
    detection: SUITE,
    make: () => ({
      step: (state, event, next) => {
        const r = next(state, event);
        if (event.kind !== 'malformed' && event.kind !== 'frame') return r;
        const own = state.connections[event.conn]?.sessionId;
        return own == null ? r : dropOutputs(r, (o) => isSend(o, 'UserDisconnected') && o.message.body.session_id === own);
      },
    }),
  },
  {
    name: 'away-broadcast-to-everyone',
    family,
    description: 'the UserUpdated of UserAway / UserBack / UserStatus also goes to sessions without user_list',
    rules: ['BC-4'],
    profiles: BOTH,
    detection: SUITE,
    make: () => widened('UserUpdated', ['UserAway', 'UserBack', 'UserStatus']),
  },
  {
    name: 'server-info-broadcast-to-user-list-only',
    family,
    description: 'ServerInfoUpdated goes only to sessions holding user_list',
    rules: ['BC-6', 'ADM-SINFO-10'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('ServerInfoUpdate', (_req, state, event, next) => {
        const r = next(state, event);
        const keep = new Set(sessionConns(r.state, (s, a) => a?.isAdmin === true || sessionHolds(r.state, s, 'user_list')));
        return dropOutputs(r, (o: Output) => isSend(o, 'ServerInfoUpdated') && !keep.has(o.conn));
      }),
  },
  {
    name: 'permissions-updated-to-requester',
    family,
    description: 'the admin whose UserUpdate changed permissions also receives the PermissionsUpdated',
    rules: ['BC-5'],
    profiles: BOTH,
    detection: SUITE,
    make: () => {
      const fresh = faultIdSource('b5');
      return onRequest('UserUpdate', (req, state, event, next) => {
        const r = next(state, event);
        const first = r.outputs.find((o) => isSend(o, 'PermissionsUpdated'));
        if (!first || !isSend(first) || r.outputs.some((o) => isSend(o, 'PermissionsUpdated') && o.conn === req.conn)) return r;
        return { ...r, outputs: [...r.outputs, copyTo(first, req.conn, fresh())] };
      });
    },
  },
  {
    name: 'permissions-updated-missing',
    family,
    description: 'a UserUpdate that changes permissions sends no PermissionsUpdated to the live sessions',
    rules: ['BC-5', 'GEN-6', 'ADM-UPDATE-14'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (_req, state, event, next) => dropOutputs(next(state, event), (o) => isSend(o, 'PermissionsUpdated'))),
  },
  {
    name: 'account-update-broadcast-to-user-list-only-in-spec',
    family,
    description: 'spec: the UserUpdated of a UserUpdate goes only to user_list holders (the nexusd audience)',
    rules: ['BC-3', 'ADM-UPDATE-16'],
    profiles: SPEC,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (_req, state, event, next) => {
        const r = next(state, event);
        const keep = new Set(sessionConns(state, (s) => sessionHolds(state, s, 'user_list')));
        return dropOutputs(r, (o) => isSend(o, 'UserUpdated') && !keep.has(o.conn));
      }),
  },
  {
    name: 'account-update-broadcast-to-everyone-in-nexusd',
    family,
    description: 'nexusd: the UserUpdated of a UserUpdate also goes to sessions without user_list',
    rules: ['BC-3', 'ADM-UPDATE-16'],
    profiles: NEXUSD,
    detection: SUITE,
    make: () => widened('UserUpdated', ['UserUpdate']),
  },
  {
    name: 'rename-not-broadcast',
    family,
    description: 'renaming an online account sends no UserUpdated',
    rules: ['ADM-UPDATE-16', 'BC-3'],
    profiles: BOTH,
    detection: SUITE,
    make: () =>
      onRequest('UserUpdate', (req, state, event, next) =>
        typeof req.body.requested_username === 'string' ? dropOutputs(next(state, event), (o) => isSend(o, 'UserUpdated')) : undefined,
      ),
  },
  {
    name: 'rename-after-kick-loses-broadcast',
    family,
    // A bug of sequence, not of one request: only the stateful fuzzer's multi-step runs reach it.
    description: 'once a connection has kicked someone, the UserUpdated of a rename it makes reaches nobody but itself',
    rules: ['ADM-UPDATE-16', 'BC-3'],
    profiles: BOTH,
    detection: { by: 'fuzz', fuzzer: 'stateful', seed: 15, budget: 200 },
    make: renameAfterKickLosesBroadcast,
  },
];

/** Remembers the connections that kicked someone; a rename one of them makes is broadcast to itself only. */
function renameAfterKickLosesBroadcast(): ServerFault {
  const kickers = new Set<string>();
  return {
    step: (state, event, next) => {
      const r = next(state, event);
      if (event.kind !== 'frame') return r;
      const ok = (type: string): boolean =>
        r.outputs.some((o) => isSend(o, type) && o.conn === event.conn && o.message.body.success === true);
      if (event.frame.type === 'UserKick' && ok('UserKickResponse')) kickers.add(String(event.conn));
      if (event.frame.type !== 'UserUpdate' || !kickers.has(String(event.conn)) || !ok('UserUpdateResponse')) return r;
      const renamed = r.outputs.some(
        (o) =>
          isSend(o, 'UserUpdated') &&
          o.message.body.previous_username !== (o.message.body.user as { username?: unknown } | undefined)?.username,
      );
      return renamed ? dropOutputs(r, (o) => isSend(o, 'UserUpdated') && o.conn !== event.conn) : r;
    },
  };
}
