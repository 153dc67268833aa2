// How the mutation runner drives a fuzzer against a faulty server, for the faults only a fuzzer
// finds: the fuzz driver (src/fuzz/run.ts) with a fixed seed and a case budget, against an embedded
// server carrying the fault, restarted on the same port when the fault crashed it.
import { runFuzz } from '../fuzz/run.ts';
import { registeredFuzzers } from '../fuzz/registry.ts';
import type { FuzzerName } from '../fuzz/fixture.ts';
import { startServer, type ReferenceServer } from '../server/server.ts';
import { MUTATION_ADMIN, type FuzzDriver } from './mutation.ts';

export const fuzzDriver: FuzzDriver = async ({ fuzzer, seed, budget, profile, timeoutMs, faults }) => {
  if (!(registeredFuzzers() as string[]).includes(fuzzer)) return { available: false, failures: [] };
  let server: ReferenceServer = await startServer({ profile, faults: faults() });
  const port = server.port;
  try {
    const result = await runFuzz({
      fuzzers: [fuzzer as FuzzerName],
      runs: budget,
      target: { host: server.host, port, transport: 'plain', embedded: true },
      admin: MUTATION_ADMIN,
      profile,
      match: 'exact',
      timeoutMs,
      seed,
      knownFresh: true,
      restart: async () => {
        await server.close();
        server = await startServer({ profile, port, faults: faults() });
      },
    });
    const failures = result.fuzz.flatMap((r) =>
      r.failures.flatMap((f) => f.rules.map((rule) => ({ rule, summary: `${f.class}: ${f.message.split('\n')[0]}` }))),
    );
    return { available: true, failures };
  } finally {
    await server.close();
  }
};
