// The physical floor: what one sequential round trip and one logged-in connection cost on this
// machine with the raw client (raw-client.ts), plain and TLS. The suite's ratio divides by these.
import { RawClient, type Endpoint } from './raw-client.ts';
import { BENCH_PASSWORD, benchUser } from './accounts.ts';
import type { ServerProcess } from './processes.ts';
import { elapsedMs, median } from './stats.ts';

export interface FloorSample {
  /** Median round trip of UserList (one session online) on a logged-in connection, ms. */
  rttMs: number;
  /** Median connect + Handshake + Login, ms. */
  loginMs: number;
  /** Median connect alone (TCP, or TCP and TLS), ms: what a connection costs beyond its round trips. */
  connectMs: number;
  /** CPU per round trip of the raw client and (when given) of the server process, ms. */
  clientCpuMs: number;
  serverCpuMs: number;
}

/** Needs a server with account benchUser(0) holding `user_list` and a per-IP limit above 2. */
export async function measureFloor(ep: Endpoint, rttSamples: number, loginSamples: number, server?: ServerProcess): Promise<FloorSample> {
  const logins: number[] = [];
  const connects: number[] = [];
  for (let i = 0; i < loginSamples + 2; i++) {
    const t0 = process.hrtime.bigint();
    const c = await RawClient.connect(ep);
    const connected = elapsedMs(t0);
    await c.login(benchUser(1), BENCH_PASSWORD);
    const ms = elapsedMs(t0);
    // The first two warm the JIT on both sides.
    if (i >= 2) {
      logins.push(ms);
      connects.push(connected);
    }
    await c.close();
  }
  const c = await RawClient.connect(ep);
  await c.login(benchUser(0), BENCH_PASSWORD);
  const rtts: number[] = [];
  let cpu0 = process.cpuUsage();
  let serverCpu0 = 0;
  for (let i = 0; i < rttSamples + 20; i++) {
    if (i === 20) {
      serverCpu0 = (await server?.stats())?.cpuAfterGcMs ?? NaN;
      cpu0 = process.cpuUsage();
    }
    const t0 = process.hrtime.bigint();
    const m = await c.request('UserList', { all: false });
    const ms = elapsedMs(t0);
    if (m.type !== 'UserListResponse') throw new Error(`UserList answered ${m.type}`);
    if (i >= 20) rtts.push(ms);
  }
  const cpu = process.cpuUsage(cpu0);
  const serverCpu = ((await server?.stats())?.cpuMs ?? NaN) - serverCpu0;
  await c.close();
  return {
    rttMs: median(rtts),
    loginMs: median(logins),
    connectMs: median(connects),
    clientCpuMs: (cpu.user + cpu.system) / 1000 / rttSamples,
    serverCpuMs: serverCpu / rttSamples,
  };
}
