// The physical floor: what one sequential round trip and one logged-in connection cost on this
// machine with the raw client (raw-client.ts), plain and TLS. The suite's ratio divides by these.
import { RawClient, type Endpoint } from './raw-client.ts';
import { BENCH_PASSWORD, benchUser } from './accounts.ts';
import { elapsedMs, median } from './stats.ts';

export interface FloorSample {
  /** Median round trip of UserList (one session online) on a logged-in connection, ms. */
  rttMs: number;
  /** Median connect + Handshake + Login, ms. */
  loginMs: number;
}

/** Needs a server with account benchUser(0) holding `user_list` and a per-IP limit above 2. */
export async function measureFloor(ep: Endpoint, rttSamples: number, loginSamples: number): Promise<FloorSample> {
  const logins: number[] = [];
  for (let i = 0; i < loginSamples + 2; i++) {
    const t0 = process.hrtime.bigint();
    const c = await RawClient.connect(ep);
    await c.login(benchUser(1), BENCH_PASSWORD);
    const ms = elapsedMs(t0);
    if (i >= 2) logins.push(ms); // the first two warm the JIT on both sides
    await c.close();
  }
  const c = await RawClient.connect(ep);
  await c.login(benchUser(0), BENCH_PASSWORD);
  const rtts: number[] = [];
  for (let i = 0; i < rttSamples + 20; i++) {
    const t0 = process.hrtime.bigint();
    const m = await c.request('UserList', { all: false });
    const ms = elapsedMs(t0);
    if (m.type !== 'UserListResponse') throw new Error(`UserList answered ${m.type}`);
    if (i >= 20) rtts.push(ms);
  }
  await c.close();
  return { rttMs: median(rtts), loginMs: median(logins) };
}
