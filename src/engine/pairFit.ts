// The memory check model/load runs before it loads two files, one per role: it refuses, with a
// clear message and before anything is unloaded, a pair this machine cannot hold.
import type { GgufInsights, Llama } from 'node-llama-cpp';
import { toHardwareProfile } from '../common/models/hardwareProfile';
import { pairVerdict } from '../common/models/pairFit';
import { memoryBudget } from '../common/models/recommendModels';
import type { ModelRole } from '../common/protocol/engineProtocol';
import { basename } from 'node:path';
import { EngineError } from './engineError';
import { footprint } from './modelEstimate';
import { systemHardware } from './systemHardware';

export interface PairRequest {
  readonly contextSize: number;
  readonly models: ReadonlyArray<{ readonly role: ModelRole; readonly path: string; readonly insights: GgufInsights; readonly sequences: number }>;
  /** RAM the models loaded now will give back before the pair loads. */
  readonly reclaimableRamBytes: number;
}

export async function assertPairFits(llama: Llama, request: PairRequest): Promise<void> {
  const hardware = await systemHardware(llama);
  const freeRamBytes = Math.min(hardware.totalRamBytes, hardware.freeRamBytes + request.reclaimableRamBytes);
  const budget = memoryBudget(toHardwareProfile({ ...hardware, freeRamBytes }));
  const members = request.models.map((model) => {
    const trained = model.insights.trainContextSize;
    // model/load caps each context at what its model was trained on.
    const contextSize = trained !== undefined && trained > 0 ? Math.min(request.contextSize, trained) : request.contextSize;
    const { split } = footprint(model.insights, llama, contextSize, model.sequences, budget);
    return {
      role: model.role,
      name: basename(model.path),
      ramBytes: split.modelRam + split.contextRam,
      vramBytes: split.modelVram + split.contextVram,
      sequences: model.sequences,
      contextSize,
    };
  });
  const verdict = pairVerdict(members, budget, freeRamBytes);
  if (!verdict.fits) throw new EngineError('modelTooLarge', verdict.message, request.models[1]?.path);
}
