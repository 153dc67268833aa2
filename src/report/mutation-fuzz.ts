// How the mutation runner drives a fuzzer against a faulty server (for faults only a fuzzer finds).
// No fuzzer is registered in this build yet, so every such fault is reported as `fuzz-only`.
import type { FuzzDriver } from './mutation.ts';

export const fuzzDriver: FuzzDriver = async () => ({ available: false, failures: [] });
