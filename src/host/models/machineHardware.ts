// What this machine offers a model, for the recommendation: memory and cores from Node. The GPU
// (and its VRAM) is known only to node-llama-cpp in the model process and is not asked for yet,
// so recommendations assume the CPU; a GPU can only make more fit.
import * as os from 'node:os';
import type { HardwareProfile } from '../../common/models/recommendModels';

export function machineHardware(): HardwareProfile {
  return {
    totalRamBytes: os.totalmem(),
    freeRamBytes: os.freemem(),
    // Logical cores: the physical count needs the model process; the recommendation only uses it to
    // decide whether a 3B completion model is too slow, and logical cores over-count by at most 2×.
    cpuCores: Math.max(1, Math.floor(os.availableParallelism() / 2)),
  };
}
