// The reference server as a process of its own, so the harness figures (RSS, CPU) never include
// the server's and the server's never include the harness's. Started by the bench with its options
// as JSON in argv; prints `{"port":…}` once listening, then answers `stats` lines on stdin with its
// memory and the number of model steps that failed (a crash the shell survived). Ends on stdin EOF.
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import type { Event, State, StepResult } from '../src/model/index.ts';
import { startServer } from '../src/server/server.ts';
import type { ServerFault } from '../src/server/fault.ts';
import { faultHooks } from '../src/server/faults/index.ts';
import { benchState, seeded, type BenchStateOptions } from './server-state.ts';
import { tuneV8 } from '../bin/jit.mjs';

// As the executable does: V8 tuning once the modules are loaded, before any code is hot.
tuneV8();

export interface ServerChildOptions extends BenchStateOptions {
  tls?: boolean;
  /** Server messages of these types are never written (a server missing one broadcast family). */
  drop?: string[];
  /** Faults of the catalogue to serve with (src/server/faults/). */
  faults?: string[];
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

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as ServerChildOptions;
  let errors = 0;
  const logger = pino({ level: 'error' }, { write: () => void errors++ });
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    tls: o.tls === true,
    logger,
    ...(seeded(o) ? { initialState: benchState(o) } : { profile: o.profile ?? 'spec' }),
    faults: [...(o.drop && o.drop.length > 0 ? [dropping(o.drop)] : []), ...faultHooks(o.faults ?? [])],
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
