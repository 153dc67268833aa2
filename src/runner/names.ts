// Run-prefixed names and passwords, both derived from the run seed (a repeated seed repeats them).
import { createRng } from '../protocol/ids.ts';

/** The run's prefix stem: `nc` + the last 4 base-36 digits of the seed. */
function stem(seed: number): string {
  return `nc${(seed >>> 0).toString(36).slice(-4).padStart(4, '0')}`;
}

/** The most lanes a run may have (`--jobs`): lane k > 0 writes one letter `a`… after the stem. */
export const MAX_LANES = 16;

/**
 * Run-prefixed names. The prefix (`nc` + 4 base-36 digits of the seed + `_`) is what tells the run's
 * accounts and nicknames from everyone else's on a live target; only ASCII letters, digits and `_`
 * are used, so every profile accepts them (VAL-USERNAME, VAL-PATHCHARS). Lane k > 0 of a concurrent
 * run (`--jobs`) adds one letter (`nc1a2b` + `a_`): lanes see each other's names as strangers', and
 * the run as a whole (`isRunFamily`) still owns them all.
 */
export class NameSource {
  readonly prefix: string;
  private counter = 0;

  constructor(seed: number, lane = 0) {
    if (!Number.isInteger(lane) || lane < 0 || lane >= MAX_LANES) throw new RangeError(`lane ${lane} out of 0..${MAX_LANES - 1}`);
    this.prefix = `${stem(seed)}${lane === 0 ? '' : String.fromCharCode(96 + lane)}_`;
  }

  /** A fresh name of at most 32 characters. */
  make(base = 'u'): string {
    this.counter += 1;
    const clean = base.replace(/[^A-Za-z0-9_]/g, '').slice(0, 18) || 'u';
    return `${this.prefix}${clean}${this.counter.toString(36)}`.slice(0, 32);
  }

  isRunName(name: string): boolean {
    return name.toLowerCase().startsWith(this.prefix);
  }
}

/** Whether a name belongs to any lane of the run of `seed` (the final sweep deletes them all). */
export function isRunFamily(seed: number): (name: string) => boolean {
  const s = stem(seed);
  return (name) => {
    const n = name.toLowerCase();
    if (!n.startsWith(s)) return false;
    const next = n.charCodeAt(s.length);
    if (next === 95 /* _ */) return true;
    return next > 96 && next < 97 + MAX_LANES && n.charCodeAt(s.length + 1) === 95;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function passwordSource(seed: number): () => string {
  const rng = createRng((seed ^ 0x27d4eb2f) >>> 0);
  return () => Array.from({ length: 20 }, () => ALNUM[Math.floor(rng() * ALNUM.length)]).join('');
}
