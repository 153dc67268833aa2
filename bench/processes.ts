// Child processes of the bench: the reference server (server-child.ts) and the harness runs
// (suite-child.ts, fuzz-child.ts), each TypeScript through tsx. A harness child prints one JSON
// line last; its peak RSS is its own (process.resourceUsage), never the server's.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServerChildOptions, ServerStats } from './server-child.ts';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** `BENCH_CPU_PROF=<dir>`: every child writes a V8 CPU profile there (node --cpu-prof), to find hot paths. */
function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function tsxArgs(script: string, nodeFlags: string[] = []): string[] {
  return [...nodeFlags, ...profileFlags(), '--import', 'tsx', here(script)];
}

export class ServerProcess {
  private readonly pending: Array<(line: string) => void> = [];
  exitCode: number | null = null;
  exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    readonly port: number,
    readonly fingerprint: string | null,
  ) {
    lines.on('line', (l) => this.pending.shift()?.(l));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : 1);
        for (const p of this.pending.splice(0)) p('null');
        resolve();
      }),
    );
  }

  static async start(opts: ServerChildOptions = {}): Promise<ServerProcess> {
    const child = spawn(process.execPath, [...tsxArgs('./server-child.ts', ['--expose-gc']), JSON.stringify(opts)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`server child exited (${code}) before listening`)));
    });
    const { port, fingerprint } = JSON.parse(first) as { port: number; fingerprint: string | null };
    return new ServerProcess(child, lines, port, fingerprint);
  }

  get alive(): boolean {
    return this.exitCode === null;
  }

  /** Memory (after a GC) and error count; null once the process is gone. */
  stats(): Promise<ServerStats | null> {
    if (!this.alive) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.pending.push((line) => resolve(JSON.parse(line) as ServerStats | null));
      this.child.stdin!.write('stats\n');
    });
  }

  async stop(): Promise<void> {
    if (this.alive) {
      this.child.stdin!.end();
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(killer);
    }
  }
}

export interface ChildRun<T> {
  result: T;
  wallMs: number;
}

/** What a child prints (stdout) to wait for the bench (stdin) before it goes on; see runChild. */
export const PAUSE = 'pause';

/**
 * Runs a harness child to completion and parses its last stdout line as JSON. A child that prints
 * PAUSE waits for a line on stdin: `atPause` runs first (e.g. reads the server's CPU between two
 * parts of the child's work), then the child is told to go on.
 */
export function runChild<T>(script: string, args: unknown, timeoutMs: number, atPause?: () => Promise<void>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...tsxArgs(script), JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8');
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line !== PAUSE) {
        out += line + '\n';
        return;
      }
      void Promise.resolve(atPause?.()).finally(() => child.stdin!.write('go\n'));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} exited with ${code} without a result${code === null ? ' (killed after the time limit)' : ''}`));
      }
    });
  });
}

/** Wall time of a whole command (startup figures), ms. */
export function timeCommand(args: string[], timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      else reject(new Error(`${args.join(' ')} exited with ${code}`));
    });
  });
}
