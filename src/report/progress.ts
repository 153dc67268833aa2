// Progress of a run for people and for CI logs, on stderr (the report stays on stdout): on a
// terminal one live line (section, checks done/total, failures so far, elapsed) redrawn in place;
// in CI (no terminal, CI set) a plain line each time a section is done; otherwise nothing.
// Colours only on a terminal and never with NO_COLOR (shouldUseColor).
import { shouldUseColor } from './console.ts';
import type { CheckResult } from './types.ts';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class Progress {
  private done = 0;
  private failures = 0;
  private section: string | undefined;
  private drawn = false;
  private readonly live: boolean;
  private readonly plain: boolean;
  private readonly color: boolean;

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    env: NodeJS.ProcessEnv,
    private readonly now: () => number = Date.now,
    private readonly started = now(),
  ) {
    this.live = stream.isTTY === true && env.TERM !== 'dumb';
    this.plain = !this.live && env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
    this.color = this.live && shouldUseColor(stream, env);
  }

  /** Before anything else is printed to the terminal: take the live line away. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** After a check: count it and show where the run stands. */
  update(r: CheckResult): void {
    if (this.plain && this.section !== undefined && this.section !== r.section) this.line(this.section);
    this.done++;
    if (r.status === 'failed' || r.status === 'flaky') this.failures++;
    this.section = r.section;
    if (this.live) this.draw();
  }

  /** At the end: the last plain line, or the live line taken away. */
  finish(): void {
    if (this.plain && this.section !== undefined) this.line(this.section);
    this.clear();
  }

  /** The live line, also after the reporter printed over it. */
  draw(): void {
    if (!this.live || this.section === undefined) return;
    const failures = this.failures > 0 && this.color ? `\x1b[31m${this.failures} failed\x1b[39m` : `${this.failures} failed`;
    this.stream.write(`\r\x1b[K${this.section} · ${this.done}/${this.total} checks · ${failures} · ${elapsed(this.now() - this.started)}`);
    this.drawn = true;
  }

  private line(section: string): void {
    this.stream.write(
      `progress: ${this.done}/${this.total} checks, ${this.failures} failed, ${elapsed(this.now() - this.started)} (${section} done)\n`,
    );
  }
}
