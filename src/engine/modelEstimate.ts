// `model/estimate`: what loading a GGUF file would take, from node-llama-cpp's own insights into its
// header (tensor sizes, layer split, KV cache and graph for the context the engine would create).
// It reads the header only: no weights are loaded and the loaded model, its context and the
// requests on it are not touched, so the model list can ask while the user works.
import type { GgufInsights, Llama } from 'node-llama-cpp';
import type { z } from 'zod';
import { formatBytes } from '../common/formatBytes';
import { toHardwareProfile } from '../common/models/hardwareProfile';
import { memoryBudget, type MemoryBudget } from '../common/models/recommendModels';
import type { ModelEstimate, SystemHardware, modelEstimateParams } from '../common/protocol/engineProtocol';
import { checkModelFile } from './modelFileCheck';
import { CONTEXT_SEQUENCES, DEFAULT_CONTEXT_SIZE } from './contextLayout';
import { systemHardware } from './systemHardware';

type EstimateParams = z.output<typeof modelEstimateParams>;

export interface Split {
  readonly modelRam: number;
  readonly modelVram: number;
  readonly contextRam: number;
  readonly contextVram: number;
}

export async function estimateModel(llama: Llama, params: EstimateParams): Promise<ModelEstimate> {
  // The same checks as model/load, so a missing, non-GGUF, damaged or truncated file fails with the
  // same error kind and words; only the "too large for RAM" refusal is skipped: fit is the answer here.
  const { insights } = await checkModelFile(params.path, llama, { checkMemory: false });
  const trainContextSize = positiveOrNull(insights.trainContextSize);
  const asked = params.contextSize ?? DEFAULT_CONTEXT_SIZE;
  // model/load caps the context at what the model was trained on; estimate what it would allocate.
  const contextSize = trainContextSize === null ? asked : Math.min(asked, trainContextSize);
  const hardware = await systemHardware(llama);
  const budget = memoryBudget(toHardwareProfile(hardware));

  const { gpuLayers, split } = footprint(insights, llama, contextSize, CONTEXT_SEQUENCES, budget);
  const totalRamBytes = split.modelRam + split.contextRam;
  const totalVramBytes = split.modelVram + split.contextVram;
  const fitsRam = totalRamBytes <= budget.ramBytes;
  const fitsVram = totalVramBytes === 0 || (budget.vramBytes !== undefined && totalVramBytes <= budget.vramBytes);
  const architecture = insights.ggufFileInfo.metadata.general?.architecture;
  return {
    modelRamBytes: split.modelRam,
    modelVramBytes: split.modelVram,
    contextRamBytes: split.contextRam,
    contextVramBytes: split.contextVram,
    totalRamBytes,
    totalVramBytes,
    gpuLayers,
    contextSize,
    sequences: CONTEXT_SEQUENCES,
    trainContextSize,
    architecture: typeof architecture === 'string' && architecture.length > 0 ? architecture : null,
    fits: fitsRam && fitsVram,
    reason: reasonFor({ split, totalRamBytes, totalVramBytes, gpuLayers, totalLayers: insights.totalLayers, contextSize, asked, budget, hardware }),
  };
}

/** Where a model with `sequences` × `contextSize` tokens of context would sit: its GPU layers and its RAM/VRAM split. */
export function footprint(insights: GgufInsights, llama: Llama, contextSize: number, sequences: number, budget: MemoryBudget): { gpuLayers: number; split: Split } {
  const gpuLayers = chooseGpuLayers(insights, llama, contextSize, sequences, budget);
  return { gpuLayers, split: splitAt(insights, contextSize, sequences, gpuLayers) };
}

/**
 * Layers the GPU would take: as many as fit in the GPU memory Hearth may use, with their share of
 * the context, like node-llama-cpp's "auto" (which model/load uses). 0 without offloading.
 */
function chooseGpuLayers(insights: GgufInsights, llama: Llama, contextSize: number, sequences: number, budget: MemoryBudget): number {
  if (budget.vramBytes === undefined || llama.gpu === false || !llama.supportsGpuOffloading) return 0;
  for (let layers = insights.totalLayers; layers > 0; layers -= 1) {
    const split = splitAt(insights, contextSize, sequences, layers);
    if (split.modelVram + split.contextVram <= budget.vramBytes) return layers;
  }
  return 0;
}

function splitAt(insights: GgufInsights, contextSize: number, sequences: number, gpuLayers: number): Split {
  // The synchronous estimators work from the header alone. Their V2 successors (and the
  // configuration resolver built on them) "simulate" by opening the file in llama.cpp, which is
  // what this method must not do.
  const model = insights.estimateModelResourceRequirements({ gpuLayers });
  const context = insights.estimateContextResourceRequirements({ contextSize, modelGpuLayers: gpuLayers, sequences });
  return {
    modelRam: bytes(model.cpuRam),
    modelVram: bytes(model.gpuVram),
    contextRam: bytes(context.cpuRam),
    contextVram: bytes(context.gpuVram),
  };
}

interface ReasonInput {
  readonly split: Split;
  readonly totalRamBytes: number;
  readonly totalVramBytes: number;
  readonly gpuLayers: number;
  readonly totalLayers: number;
  readonly contextSize: number;
  readonly asked: number;
  readonly budget: MemoryBudget;
  readonly hardware: SystemHardware;
}

function reasonFor(input: ReasonInput): string {
  const { split, budget } = input;
  const capped = input.contextSize < input.asked ? `, capped at the ${input.contextSize} it was trained on` : '';
  const context = `${CONTEXT_SEQUENCES} sequences × ${input.contextSize} tokens of context${capped}`;
  const ram = `${formatBytes(input.totalRamBytes)} of RAM (${formatBytes(split.modelRam)} weights + ${formatBytes(split.contextRam)} for ${context})`;
  const ramVerdict = input.totalRamBytes <= budget.ramBytes ? `within the ${formatBytes(budget.ramBytes)} Hearth can use` : `more than the ${formatBytes(budget.ramBytes)} Hearth can use`;
  if (input.gpuLayers === 0) return `Needs ${ram}, ${ramVerdict}.`;
  const gpuName = input.hardware.gpu?.names[0] ?? input.hardware.gpu?.type ?? 'GPU';
  return `${input.gpuLayers} of ${input.totalLayers} layers on the GPU (${gpuName}): ${formatBytes(input.totalVramBytes)} of the ${formatBytes(budget.vramBytes ?? 0)} of GPU memory Hearth can use; and ${ram}, ${ramVerdict}.`;
}


function bytes(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0;
}

function positiveOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : null;
}
