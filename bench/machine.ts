// The machine a bench ran on, with its load average (figures from a busy machine are noisy).
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGb: number;
  platform: string;
  arch: string;
  node: string;
  loadAvgStart: number[];
  loadAvgEnd?: number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    node: process.version,
    loadAvgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
