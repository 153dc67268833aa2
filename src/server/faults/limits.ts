// Faults of the per-IP connection limit (WIRE-IP-*) and of the pre-login timeouts (WIRE-TMO-*).
import { BOTH, altered, dropOutputs, type FaultEntry } from './kit.ts';

const family = 'per-IP limits and timeouts';

export const LIMIT_FAULTS: FaultEntry[] = [
  {
    name: 'per-ip-limit-off-by-one',
    family,
    description: 'one connection more than max_connections_per_ip is admitted from one IP',
    rules: ['WIRE-IP-1', 'WIRE-IP-2'],
    profiles: BOTH,
    detection: { by: 'suite' },
    make: () => ({
      step: (state, event, next) =>
        event.kind === 'connect' && state.serverInfo.max_connections_per_ip > 0
          ? (() => {
              const r = next(
                altered(state, (s) => (s.serverInfo.max_connections_per_ip += 1)),
                event,
              );
              return {
                ...r,
                state: altered(r.state, (s) => (s.serverInfo.max_connections_per_ip = state.serverInfo.max_connections_per_ip)),
              };
            })()
          : next(state, event),
    }),
  },
  {
    name: 'per-ip-limit-fixed-at-start',
    family,
    description: 'a new max_connections_per_ip is stored and reported but connections are still counted against the start value',
    rules: ['WIRE-IP-3', 'ADM-SINFO-11'],
    profiles: BOTH,
    detection: { by: 'suite' },
    make: () => {
      let initial: number | undefined;
      return {
        step: (state, event, next) => {
          initial ??= state.serverInfo.max_connections_per_ip;
          if (event.kind !== 'connect' || state.serverInfo.max_connections_per_ip === initial) return next(state, event);
          const r = next(
            altered(state, (s) => (s.serverInfo.max_connections_per_ip = initial!)),
            event,
          );
          return { ...r, state: altered(r.state, (s) => (s.serverInfo.max_connections_per_ip = state.serverInfo.max_connections_per_ip)) };
        },
      };
    },
  },
  {
    name: 'idle-timeout-ignored',
    family,
    description: 'a connection that never logs in is kept open forever (the pre-login idle timeout does nothing)',
    rules: ['WIRE-TMO-1'],
    profiles: BOTH,
    detection: { by: 'suite', slow: true },
    make: () => ({
      step: (state, event, next) => {
        if (event.kind !== 'timeout') return next(state, event);
        const r = next(state, event);
        return { ...dropOutputs(r, () => true), state };
      },
    }),
  },
];
