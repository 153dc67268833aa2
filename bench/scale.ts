// Reference server scale: N concurrent logged-in sessions on one server process (each its own
// account holding user_list, so every login is broadcast to all). Measures UserList latency with
// N sessions online (sequential requests from sessions picked in turn), the time one UserConnected
// takes to reach every session, and the server's RSS per session.
import { RawClient, type Endpoint } from './raw-client.ts';
import { BENCH_PASSWORD, benchUser } from './accounts.ts';
import type { ServerProcess } from './processes.ts';
import { elapsedMs, median, percentile, round } from './stats.ts';

export interface ScaleResult {
  sessions: number;
  /** Wall time to log all sessions in (each login is broadcast to every earlier one), ms. */
  setupMs: number;
  userList: { p50Ms: number; p99Ms: number; samples: number; entries: number };
  /** Median over `broadcasts` logins of the time until every session has seen the UserConnected, ms. */
  broadcastAllMs: number;
  broadcasts: number;
  rssPerSessionKb: number;
  /** Server CPU time (user + system) for the set-up, per UserList and per login broadcast, ms. */
  serverCpu: { setupMs: number; userListMs: number; broadcastMs: number };
}

const BROADCASTS = ['UserConnected', 'UserDisconnected', 'UserUpdated'];

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** `server` must hold accounts benchUser(0..sessions) with user_list and allow sessions+2 connections per IP. */
export async function measureScale(
  server: ServerProcess,
  ep: Endpoint,
  sessions: number,
  listSamples: number,
  broadcasts: number,
): Promise<ScaleResult> {
  const before = await server.stats();
  const clients: RawClient[] = [];
  const t0 = process.hrtime.bigint();
  const BATCH = 25;
  for (let i = 0; i < sessions; i += BATCH) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(BATCH, sessions - i) }, async (_, k) => {
        const c = await RawClient.connect(ep);
        for (const t of BROADCASTS) c.ignore.add(t);
        await c.login(benchUser(i + k), BENCH_PASSWORD);
        return c;
      }),
    );
    clients.push(...batch);
  }
  const setupMs = elapsedMs(t0);
  const after = await server.stats();
  if (!before || !after) throw new Error('the server died during the scale set-up');
  if (after.sessions !== sessions) throw new Error(`expected ${sessions} sessions on the server, it has ${after.sessions}`);

  const cpu0 = (await server.stats())!.cpuAfterGcMs;
  const latencies: number[] = [];
  let entries = 0;
  for (let i = 0; i < listSamples; i++) {
    const c = clients[(i * 7919) % clients.length]!;
    const t = process.hrtime.bigint();
    const m = await c.request('UserList', { all: false });
    latencies.push(elapsedMs(t));
    entries = Array.isArray(m.body.users) ? m.body.users.length : entries;
  }

  const mid = (await server.stats())!;
  const cpu1 = mid.cpuMs;
  const fanout: number[] = [];
  for (let b = 0; b < broadcasts; b++) {
    const seen0 = clients.map((c) => c.seen.get('UserConnected') ?? 0);
    const newcomer = await RawClient.connect(ep);
    for (const t of BROADCASTS) newcomer.ignore.add(t);
    await newcomer.request('Handshake', { version: '0.5.0' });
    const t = process.hrtime.bigint();
    const id = newcomer.send('Login', { username: benchUser(sessions), password: BENCH_PASSWORD, locale: 'en', features: [] });
    await until(() => clients.every((c, k) => (c.seen.get('UserConnected') ?? 0) > seen0[k]!), 60_000, 'the UserConnected broadcast');
    fanout.push(elapsedMs(t));
    const lr = await newcomer.next();
    if (lr.id !== id || lr.body.success !== true) throw new Error(`newcomer login failed: ${JSON.stringify(lr.body)}`);
    const gone0 = clients.map((c) => c.seen.get('UserDisconnected') ?? 0);
    await newcomer.close();
    await until(() => clients.every((c, k) => (c.seen.get('UserDisconnected') ?? 0) > gone0[k]!), 60_000, 'the UserDisconnected broadcast');
  }

  const cpu2 = (await server.stats())!.cpuMs;
  const cpu1After = mid.cpuAfterGcMs;
  await Promise.all(clients.map((c) => c.close()));
  return {
    sessions,
    setupMs: round(setupMs),
    userList: { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), samples: latencies.length, entries },
    broadcastAllMs: round(median(fanout)),
    broadcasts: fanout.length,
    rssPerSessionKb: round((after.rssKb - before.rssKb) / sessions),
    serverCpu: {
      setupMs: round(after.cpuMs - before.cpuAfterGcMs),
      userListMs: round((cpu1 - cpu0) / Math.max(1, listSamples)),
      // Each round logs one session in and out: two broadcasts to every session.
      broadcastMs: round((cpu2 - cpu1After) / Math.max(1, 2 * fanout.length)),
    },
  };
}
