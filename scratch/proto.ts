import fc from 'fast-check';
import { ServerProcess } from '../bench/processes.ts';
import { BENCH_PASSWORD, benchUser } from '../bench/accounts.ts';
import { frameCase } from '../src/fuzz/frames/arbitraries.ts';
import { isLoggedIn } from '../src/fuzz/frames/cases.ts';
import { encodeFrame } from '../src/protocol/frame.ts';
import { NexusConnection } from '../src/net/connection.ts';

const K = Number(process.argv[2] ?? 8);
const N = Number(process.argv[3] ?? 5000);
const tls = process.argv[4] === 'tls';
const s = await ServerProcess.start({ tls, accounts: 4, maxConnectionsPerIp: 64 });
const env = { profile: 'spec' as const, version: '0.5.0' };
const arb = fc.array(frameCase(env), { minLength: 48, maxLength: 48, size: 'max' });
const t0g = Date.now();
const cases = [] as ReturnType<typeof fc.sample<any>>;
for (let i = 0; cases.length < N; i++) cases.push(...fc.sample(arb, { seed: i, numRuns: 1 })[0]);
console.log('gen ms', Date.now() - t0g, cases.length);
let next = 0;
let n = 0;
let id = 0;
const hid = () => (++id).toString(16).padStart(12, '0');
const t0 = Date.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: K }, async () => {
  while (next < cases.length) {
    const c = cases[next++];
    const conn = await NexusConnection.open({ host: '127.0.0.1', port: s.port, transport: tls ? 'tls' : 'plain', timeoutMs: 2000, ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}) });
    const pre: Buffer[] = [];
    if (c.state !== 'new') pre.push(encodeFrame('Handshake', hid(), JSON.stringify({ type: 'Handshake', version: '0.5.0' })));
    if (isLoggedIn(c.state)) pre.push(encodeFrame('Login', hid(), JSON.stringify({ type: 'Login', username: benchUser(0), password: BENCH_PASSWORD, features: ['chat'], locale: 'en' })));
    conn.sendRaw(Buffer.concat(pre));
    for (const w of c.writes) conn.sendRaw(w);
    const t = setTimeout(() => conn.destroy(), 2000);
    await conn.close();
    clearTimeout(t);
    n++;
  }
}));
const ms = Date.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log({ K, n, ms, perS: Math.round(n / (ms / 1000)), cpuPerCaseUs: Math.round((cpu.user + cpu.system) / n) });
const st = await s.stats(); console.log(st);
await s.stop();
