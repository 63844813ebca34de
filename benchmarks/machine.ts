import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  memoryGiB: number;
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpus().at(0)?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: loadavg()[0],
  };
}

interface CpuTimes {
  busy: number;
  total: number;
}

/** Jiffies of all CPUs from /proc/stat; undefined where there is none (not Linux). */
function readCpuTimes(): CpuTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [, ...fields] = line.trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

/**
 * Machine-wide CPU use over an interval, in cores: compared with the CPU time of the benchmark's own
 * processes it shows how much other work (other people's builds and tests) shared the machine.
 */
export function startMachineCpuMeter(): { busyCores(): number } {
  const cores = availableParallelism();
  const start = readCpuTimes();
  return {
    busyCores() {
      const end = readCpuTimes();
      if (!start || !end || end.total === start.total) {
        return Number.NaN;
      }
      return ((end.busy - start.busy) / (end.total - start.total)) * cores;
    },
  };
}
