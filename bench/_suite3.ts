import v8 from 'node:v8';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadSections } from '../src/runner/load.ts';
import { runSuite } from '../src/runner/run.ts';
import { freshAdmin } from '../src/runner/admin-credentials.ts';
import { startServer } from '../src/server/server.ts';
if (process.env.V8F) v8.setFlagsFromString(process.env.V8F);
const sections = await loadSections();
const prof = process.env.PROF;
let session: Session | undefined;
for (let i = 0; i < Number(process.argv[2] ?? 3); i++) {
  const server = await startServer({ port: 0, profile: 'spec' });
  if (prof && i === 0) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runSuite({
    target: { host: server.host, port: server.port, transport: 'plain', embedded: true },
    admin: freshAdmin(),
    profile: 'spec',
    match: 'exact',
    timeoutMs: 2000,
    seed: 1,
    sections,
    jobs: Number(process.argv[3] ?? 1),
  });
  const c = process.cpuUsage(cpu0);
  if (session && i === 0) {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(prof!, JSON.stringify(profile));
  }
  console.log(
    `run ${i}: wall ${(performance.now() - t0).toFixed(0)} ms cpu ${((c.user + c.system) / 1000).toFixed(0)} ms passed ${r.summary.passed} failed ${r.summary.failed} rt ${r.stats.roundTrips}`,
  );
  await server.close();
}
