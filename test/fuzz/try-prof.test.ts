import { it } from 'vitest';
import fc from 'fast-check';
import { sequences, sequenceCase } from '../../src/fuzz/stateful/index.ts';
import { toCheck } from '../../src/fuzz/steps.ts';
import { startServer } from '../../src/server/server.ts';
import { fuzzContext } from './context.ts';
it('try', async () => {
  for (const profile of ['spec', 'nexusd'] as const) {
  const srv = await startServer({ port: 0, profile });
  const ctx = await fuzzContext(srv, { profile, seed: 42, runs: 60 });
  const t0 = Date.now(); const cpu0 = process.cpuUsage(); const rt0 = ctx.session.stats.roundTrips;
  for (const v of fc.sample(sequences, { seed: 1, numRuns: 20 })) {
    const c = sequenceCase(v);
    const r = await ctx.session.runCheck({ id: 'x', title: 'x', checks: [] }, toCheck(c));
    if (r.status !== 'passed') console.log(r.status, r.message);
  }
  const ms = Date.now() - t0; const cpu = process.cpuUsage(cpu0); const cpuMs = (cpu.user + cpu.system) / 1000; const rts = ctx.session.stats.roundTrips - rt0;
  const sent = ctx.traffic.filter((e) => e.dir === 'sent');
  const agg: Record<string, [number, number]> = {};
  for (let i = 0; i + 1 < sent.length; i++) { const k = sent[i]!.type ?? 'raw'; const d = sent[i+1]!.at - sent[i]!.at; agg[k] ??= [0,0]; agg[k][0] += d; agg[k][1] += 1; }
  console.log(profile, 'cpu', cpuMs.toFixed(0), 'ms', (rts*1000/cpuMs).toFixed(0), 'rt/cpu-s', ms, 'ms', rts, 'rt', (rts*1000/ms).toFixed(0), 'rt/s', Object.entries(agg).sort((a,b)=>b[1][0]-a[1][0]).map(([k,[t,n]]) => `${k}:${t}/${n}`).join(' '));
  await srv.close();
  }
}, 300000);
