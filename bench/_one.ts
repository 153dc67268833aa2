import { loadSections } from '../src/runner/load.ts';
import { runSuite } from '../src/runner/run.ts';
import { freshAdmin } from '../src/runner/admin-credentials.ts';
import { startServer } from '../src/server/server.ts';
import { faultHooks } from '../src/server/faults/index.ts';
const sections = await loadSections();
const server = await startServer({ port: 0, profile: 'spec', faults: faultHooks(process.argv[2] ? [process.argv[2]] : []) });
const r = await runSuite({
  target: { host: server.host, port: server.port, transport: 'plain', embedded: true },
  admin: freshAdmin(),
  profile: 'spec',
  match: 'exact',
  timeoutMs: 2000,
  seed: 1,
  sections,
  jobs: Number(process.argv[4] ?? 4),
});
const only = process.argv[3];
for (const c of r.checks.filter((c) => c.status === 'failed' && (!only || c.id.includes(only)))) {
  console.log(c.id, c.durationMs);
  for (const f of c.failures)
    console.log(
      '  ',
      f.rule,
      '|',
      f.sent.slice(0, 200),
      '\n     expected',
      f.expected.join(' / ').slice(0, +(process.env.W ?? 300)),
      '\n     actual',
      f.actual.slice(0, +(process.env.W ?? 300)),
      '\n     note',
      f.note,
    );
}
console.log(r.summary);
await server.close();
