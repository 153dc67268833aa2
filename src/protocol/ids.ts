// Message ids (wire.md §4) and a seeded RNG so that runs, the model and fuzzers are reproducible.

/** Deterministic PRNG (mulberry32): returns floats in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';

/** A random 12-digit lower-case hex id (WIRE-ID-1: harness SHOULD use random lower-case ids). */
export function randomMessageId(rng: () => number): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += HEX[Math.floor(rng() * 16) & 15];
  return s;
}

/** Any 12 hex digits, any case: what framing accepts (WIRE-FRM-4). */
export function isMessageId(s: string): boolean {
  return /^[0-9A-Fa-f]{12}$/.test(s);
}

/** Shape of a server-initiated id: 12 lower-case hex digits (WIRE-ID-3). */
export function isFreshServerId(s: string): boolean {
  return /^[0-9a-f]{12}$/.test(s);
}

/** Where a client's message ids come from: every id the harness sends derives from the run seed. */
export type IdSource = () => string;

/** A reproducible stream of WIRE-ID-1 ids (random lower-case 12-hex) from `seed`. */
export function seededIds(seed: number): IdSource {
  const rng = createRng(seed);
  return () => randomMessageId(rng);
}
