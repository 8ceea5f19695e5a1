// `system/hardware`: the machine as node-llama-cpp sees it. Only the library knows whether it runs
// on a GPU (CUDA, Vulkan or Metal) and how much of that GPU's memory is free, so the host asks here
// rather than guessing from Node's figures.
import type { Llama } from 'node-llama-cpp';
import type { SystemHardware } from '../common/protocol/engineProtocol';
import { physicalCores } from './physicalCores';
import { simulatedFreeRamBytes } from './testHooks';

export async function systemHardware(llama: Llama): Promise<SystemHardware> {
  const [ram, gpu] = await Promise.all([llama.getRamState(), gpuOf(llama)]);
  const totalRamBytes = Math.max(0, Math.round(ram.total));
  const freeRamBytes = simulatedFreeRamBytes() ?? ram.free;
  return {
    totalRamBytes,
    freeRamBytes: Math.min(totalRamBytes, Math.max(0, Math.round(freeRamBytes))),
    cpuCores: Math.max(1, physicalCores()),
    ...(gpu === undefined ? {} : { gpu }),
  };
}

async function gpuOf(llama: Llama): Promise<SystemHardware['gpu']> {
  const type = llama.gpu;
  // false: the CPU build was chosen (no GPU, or its driver is missing); nothing to offload to.
  if (type === false) return undefined;
  const [vram, names] = await Promise.all([
    llama.getVramState(),
    // Names are for people only; a driver that cannot list them must not hide the GPU.
    llama.getGpuDeviceNames().catch((): string[] => []),
  ]);
  const vramBytes = Math.max(0, Math.round(vram.total));
  return { type, names, vramBytes, freeVramBytes: Math.min(vramBytes, Math.max(0, Math.round(vram.free))) };
}
