// Startup: wall time of `nexus-conform --help` and `--list` as a user runs them (a fresh node process each).
import { fileURLToPath } from 'node:url';
import { timeCommand } from './processes.ts';

const BIN = fileURLToPath(new URL('../bin/nexus-conform.mjs', import.meta.url));

export async function measureStartup(runs: number): Promise<{ help: number[]; list: number[] }> {
  const help: number[] = [];
  const list: number[] = [];
  for (let i = 0; i < runs; i++) {
    help.push(await timeCommand([BIN, '--help'], 60_000));
    list.push(await timeCommand([BIN, '--list'], 60_000));
  }
  return { help, list };
}
