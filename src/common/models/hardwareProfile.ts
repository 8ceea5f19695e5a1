// The machine as the model process reports it (node-llama-cpp's view, GPU included), in the shape
// the recommendation and the memory budget take: one conversion for the host's model list and the
// model process's own estimates, so both budget the same way.
import type { SystemHardware } from '../protocol/engineProtocol';
import type { HardwareProfile } from './recommendModels';

export function toHardwareProfile(reported: SystemHardware): HardwareProfile {
  const gpu = reported.gpu;
  return {
    totalRamBytes: reported.totalRamBytes,
    freeRamBytes: reported.freeRamBytes,
    cpuCores: reported.cpuCores,
    ...(gpu === undefined
      ? {}
      : { gpu: { name: gpu.names.length > 0 ? gpu.names.join(', ') : gpu.type.toUpperCase(), vramBytes: gpu.vramBytes, freeVramBytes: gpu.freeVramBytes } }),
  };
}
