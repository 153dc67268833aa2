// How the mutation runner drives a fuzzer against a faulty server (for faults only a fuzzer finds):
// the fuzz driver with the fault's seed and case budget; every failure it finds counts under each
// rule id it names. A fuzzer this build does not have leaves its faults `fuzz-only`.
import { randomBytes } from 'node:crypto';
import type { FuzzerName } from '../fuzz/fixture.ts';
import { registeredFuzzers } from '../fuzz/registry.ts';
import { runFuzz } from '../fuzz/run.ts';
import type { FuzzDriver } from './mutation.ts';

export const fuzzDriver: FuzzDriver = async (o) => {
  if (!registeredFuzzers().includes(o.fuzzer as FuzzerName)) return { available: false, failures: [] };
  const result = await runFuzz({
    target: { host: o.target.host, port: o.target.port, transport: 'plain', embedded: true },
    admin: { username: 'nc-mutation-admin', password: randomBytes(12).toString('base64url') },
    profile: o.profile,
    match: 'exact',
    timeoutMs: o.timeoutMs,
    seed: o.seed,
    fuzzers: [o.fuzzer as FuzzerName],
    runs: o.budget,
    knownFresh: true,
  });
  return {
    available: true,
    failures: result.fuzz.flatMap((f) => f.failures.flatMap((x) => x.rules.map((rule) => ({ rule, summary: `${x.class}: ${x.message.split('\n')[0]}` })))),
  };
};
