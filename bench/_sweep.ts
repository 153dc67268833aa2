import { loadSections } from '../src/runner/load.ts';
import { runSuite } from '../src/runner/run.ts';
import { freshAdmin } from '../src/runner/admin-credentials.ts';
import { startServer } from '../src/server/server.ts';
import { FAULTS } from '../src/server/faults/index.ts';
import { tuneV8 } from '../bin/jit.mjs';
tuneV8();
const sections = await loadSections();
const jobs = Number(process.argv[2] ?? 4);
const only = process.argv[3];
const run = async (faults: string[]) => {
  const server = await startServer({
    port: 0,
    profile: 'spec',
    faults: faults.length ? (await import('../src/server/faults/index.ts')).faultHooks(faults) : [],
  });
  const t0 = performance.now();
  const r = await runSuite({
    target: { host: server.host, port: server.port, transport: 'plain', embedded: true },
    admin: freshAdmin(),
    profile: 'spec',
    match: 'exact',
    timeoutMs: 2000,
    seed: 1,
    sections,
    jobs,
  });
  await server.close();
  if (process.env.IDS)
    console.log(
      r.checks
        .filter((c) => c.status !== 'passed' && c.status !== 'skipped')
        .map((c) => c.id + ':' + c.status)
        .sort()
        .join(' '),
    );
  return { ms: Math.round(performance.now() - t0), failed: r.summary.failed, stats: r.stats };
};
for (let i = 0; i < 2; i++) console.log('passing', JSON.stringify(await run([])));
for (const f of FAULTS) {
  if (!f.profiles.includes('spec')) continue;
  if (only && !only.split(',').includes(f.name)) continue;
  try {
    const r = await run([f.name]);
    console.log(`${f.name}\t${r.ms}\t${r.failed}`);
  } catch (e) {
    console.log(`${f.name}\terror\t${(e as Error).message.slice(0, 80)}`);
  }
}
