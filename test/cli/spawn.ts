// Runs the real bin (`node bin/nexus-conform.mjs`) as users do, with a hard kill timer so a hang
// fails the test instead of stalling it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/nexus-conform.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Run this command instead of `node bin/nexus-conform.mjs` (e.g. `npx nexus-conform` in an installed project). */
  command?: readonly [string, ...string[]];
  /** Working directory (default: the repository). */
  cwd?: string;
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // Never let the developer's own credentials or debug switches change what the tests see.
  delete env.NEXUS_CONFORM_ADMIN;
  delete env.NEXUS_CONFORM_DEBUG;
  delete env.NEXUS_CONFORM_LOG;
  delete env.FORCE_COLOR;
  // CI adds plain progress lines on stderr; tests that want them set CI themselves.
  delete env.CI;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface Running {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout (or stderr) matches, rejects when the process exits first. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  done: Promise<CliRun>;
}

export function start(args: string[], opts: SpawnOptions = {}): Running {
  const started = Date.now();
  const [cmd, ...pre] = opts.command ?? [process.execPath, BIN];
  const child = spawn(cmd, [...pre, ...args], { cwd: opts.cwd ?? ROOT, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => ((out += d), wake()));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => ((err += d), wake()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 30_000);
  let exited = false;
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      wake();
      resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - started, timedOut });
    });
  });
  const waitFor = (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = (stream === 'stdout' ? out : err).match(pattern);
        if (m) return resolve(m);
        if (exited) return reject(new Error(`exited before ${pattern} appeared\nstdout: ${out}\nstderr: ${err}`));
        waiters.push(check);
      };
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitFor, done };
}

export function runCli(args: string[], opts: SpawnOptions = {}): Promise<CliRun> {
  return start(args, opts).done;
}

/** "One clear line": exactly one non-empty line on stderr, and never a stack frame. */
export function expectOneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${lines.length}:\n${stderr}`);
  return lines[0]!;
}
