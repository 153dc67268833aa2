// The reference server as a process of its own, so the harness figures (RSS, CPU) never include
// the server's and the server's never include the harness's. Started by the bench with its options
// as JSON in argv; prints `{"port":…}` once listening, then answers `stats` lines on stdin with its
// memory and the number of model steps that failed (a crash the shell survived). Ends on stdin EOF.
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { createState, passwordDigest, type Account, type Event, type State, type StepResult } from '../src/model/index.ts';
import { startServer } from '../src/server/server.ts';
import type { ServerFault } from '../src/server/fault.ts';
import type { Profile } from '../src/protocol/types.ts';
import { BENCH_PASSWORD, benchUser } from './accounts.ts';

export interface ServerChildOptions {
  tls?: boolean;
  profile?: Profile;
  /** Pre-stored regular accounts `bench-<n>` (password BENCH_PASSWORD) holding these permissions. */
  accounts?: number;
  permissions?: string[];
  /** Raise WIRE-IP-1's per-IP limit (the scale test connects 1,000 sessions from 127.0.0.1). */
  maxConnectionsPerIp?: number;
  /** Server messages of these types are never written (a server missing one broadcast family). */
  drop?: string[];
}

export interface ServerStats {
  rssKb: number;
  peakRssKb: number;
  heapUsedKb: number;
  /** Error-level log lines: model steps that threw, server errors. */
  errors: number;
  sessions: number;
  /**
   * CPU time the server process has used so far (user + system), ms, read before this request's
   * GC; `cpuAfterGcMs` after it. The CPU of work between two requests is the second `cpuMs` minus
   * the first `cpuAfterGcMs`. Steadier than wall time on a busy machine.
   */
  cpuMs: number;
  cpuAfterGcMs: number;
}

/** A fault that removes every output of the `drop` types (fault.ts: it bends the one model's step). */
function dropping(types: readonly string[]): ServerFault {
  const dropped = new Set(types);
  return {
    step: (state: State, event: Event, next): StepResult<State> => {
      const r = next(state, event);
      return { ...r, outputs: r.outputs.filter((o) => o.kind !== 'send' || !dropped.has(o.message.type)) };
    },
  };
}

function initialState(o: ServerChildOptions): State {
  const state = createState({ profile: o.profile ?? 'spec' }, { now: Math.floor(Date.now() / 1000) });
  if (o.maxConnectionsPerIp !== undefined) state.serverInfo.max_connections_per_ip = o.maxConnectionsPerIp;
  const digest = passwordDigest(BENCH_PASSWORD);
  for (let i = 0; i < (o.accounts ?? 0); i++) {
    const username = benchUser(i);
    const account: Account = {
      username,
      passwordDigest: digest,
      isAdmin: false,
      isShared: false,
      enabled: true,
      permissions: [...(o.permissions ?? [])],
      createdAt: state.accounts.guest!.createdAt,
    };
    state.accounts[username] = account;
  }
  return state;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as ServerChildOptions;
  let errors = 0;
  const logger = pino({ level: 'error' }, { write: () => void errors++ });
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    tls: o.tls === true,
    logger,
    ...(o.accounts !== undefined || o.maxConnectionsPerIp !== undefined
      ? { initialState: initialState(o) }
      : { profile: o.profile ?? 'spec' }),
    ...(o.drop && o.drop.length > 0 ? { faults: [dropping(o.drop)] } : {}),
  });
  process.stdout.write(JSON.stringify({ port: server.port, fingerprint: server.fingerprint ?? null }) + '\n');
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'stats') return;
    const cpuMs = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const cpuBefore = cpuMs();
    (globalThis as { gc?: () => void }).gc?.();
    const mem = process.memoryUsage();
    const stats: ServerStats = {
      rssKb: Math.round(mem.rss / 1024),
      peakRssKb: process.resourceUsage().maxRSS,
      heapUsedKb: Math.round(mem.heapUsed / 1024),
      errors,
      sessions: Object.keys(server.state().sessions).length,
      cpuMs: cpuBefore,
      cpuAfterGcMs: cpuMs(),
    };
    process.stdout.write(JSON.stringify(stats) + '\n');
  });
  lines.on('close', () => void server.close().then(() => process.exit(0)));
}

await main();
