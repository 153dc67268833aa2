// Run-prefixed names and passwords, both derived from the run seed (a repeated seed repeats them).
import { createRng } from '../protocol/ids.ts';

/**
 * Run-prefixed names. The prefix (`nc` + 4 base-36 digits of the seed + `_`) is what tells the run's
 * accounts and nicknames from everyone else's on a live target; only ASCII letters, digits and `_`
 * are used, so every profile accepts them (VAL-USERNAME, VAL-PATHCHARS).
 */
export class NameSource {
  readonly prefix: string;
  private counter = 0;

  constructor(seed: number) {
    this.prefix = `nc${(seed >>> 0).toString(36).slice(-4).padStart(4, '0')}_`;
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

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function passwordSource(seed: number): () => string {
  const rng = createRng((seed ^ 0x27d4eb2f) >>> 0);
  return () => Array.from({ length: 20 }, () => ALNUM[Math.floor(rng() * ALNUM.length)]).join('');
}
