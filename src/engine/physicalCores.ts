// Physical cores, not hyper-threads: llama.cpp slows down when threads outnumber real cores.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export function physicalCores(cpuinfo: string | undefined = readCpuinfo()): number {
  const logical = availableParallelism();
  if (cpuinfo === undefined) return logical;
  const cores = new Set<string>();
  let physicalId = '0';
  for (const line of cpuinfo.split('\n')) {
    const [key, value] = line.split(':').map((part) => part.trim());
    if (key === 'physical id' && value !== undefined) physicalId = value;
    if (key === 'core id' && value !== undefined) cores.add(`${physicalId}:${value}`);
  }
  // Virtual machines often report no core ids; then each logical CPU is all we know.
  return cores.size > 0 ? Math.min(cores.size, logical) : logical;
}

function readCpuinfo(): string | undefined {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
}
