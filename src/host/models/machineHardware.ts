// What this machine offers a model, for the recommendation. Node knows RAM and logical cores; only
// node-llama-cpp in the model process knows the GPU (and its VRAM) and the physical cores, so
// `machineHardwareFromEngine` asks there and falls back to Node's figures (CPU only) on any error.
import * as os from 'node:os';
import type { HardwareProfile } from '../../common/models/recommendModels';
import type { SystemHardware } from '../../common/protocol/engineProtocol';
import { toHardwareProfile } from '../../common/models/hardwareProfile';

export { toHardwareProfile };

export function machineHardware(): HardwareProfile {
  return {
    totalRamBytes: os.totalmem(),
    freeRamBytes: os.freemem(),
    // Logical cores: the physical count needs the model process; the recommendation only uses it to
    // decide whether a 3B completion model is too slow, and logical cores over-count by at most 2×.
    cpuCores: Math.max(1, Math.floor(os.availableParallelism() / 2)),
  };
}

/** The part of the engine client this needs (tests pass a fake). */
export interface HardwareSource {
  hardware(options: { readonly start?: boolean }): Promise<SystemHardware>;
}

/**
 * The model process's view of the machine, GPU included. `start`: start the model process if it is
 * not running (only when the user opened the model list: a start also loads the configured model).
 * Any failure (not running, no model configured, a crash) gives Node's figures, which assume the
 * CPU: a GPU could only make more fit.
 */
export async function machineHardwareFromEngine(
  source: HardwareSource,
  options: { readonly start?: boolean; readonly log?: (message: string) => void } = {},
): Promise<HardwareProfile> {
  try {
    return toHardwareProfile(await source.hardware({ start: options.start === true }));
  } catch (error) {
    options.log?.(`Hardware from the model process unavailable (${error instanceof Error ? error.message : String(error)}); using Node's figures, CPU only.`);
    return machineHardware();
  }
}
