// Which catalog files suit this machine: one for inline completion (speed first, fill-in-the-middle
// trained), one for chat (the largest instruct model that fits), each with one plain line saying why.
// Pure: the host measures the machine and passes it in. Memory figures are estimates (see
// DEFAULT_MEMORY_ESTIMATE.method), so the budget keeps generous room for the editor and other programs.
import { formatBytes } from '../formatBytes';
import {
  DEFAULT_MEMORY_ESTIMATE,
  kvCacheBytes,
  type CatalogFile,
  type CatalogMemoryEstimate,
  type CatalogModel,
  type ModelCatalog,
} from './modelCatalogSchema';

export interface GpuInfo {
  readonly name: string;
  readonly vramBytes: number;
  /** What is free now, when the driver says; else all of vramBytes is assumed usable. */
  readonly freeVramBytes?: number;
}

export interface HardwareProfile {
  readonly totalRamBytes: number;
  readonly freeRamBytes: number;
  readonly cpuCores: number;
  readonly gpu?: GpuInfo;
}

export interface FitVerdict {
  readonly fits: boolean;
  /** Memory Hearth may use where the model would live. */
  readonly budgetBytes: number;
  /** Memory the file needs there at the context size asked for. */
  readonly needBytes: number;
  readonly where: 'ram' | 'vram';
  /** One plain sentence. */
  readonly reason: string;
}

export interface Recommendation {
  readonly modelId: string;
  readonly fileName: string;
  readonly quantization: string;
  /**
   * RAM the file needs at the context size asked for (not the catalog's 4096-token figure): all of
   * it on the CPU, only the runtime overhead on the GPU (fits.needBytes is then GPU memory).
   */
  readonly ramBytes: number;
  /** One plain line. */
  readonly why: string;
  readonly fits: FitVerdict;
}

export interface Recommendations {
  readonly completion?: Recommendation;
  readonly chat?: Recommendation;
  readonly notes: string[];
}

export interface FitOptions {
  /** Defaults to the catalog's (or DEFAULT_MEMORY_ESTIMATE). */
  readonly memoryEstimate?: CatalogMemoryEstimate;
  /** RAM kept free for the editor and other programs; default min(1.5 GiB, 25% of total RAM). */
  readonly editorHeadroomBytes?: number;
}

export interface RecommendOptions {
  /** Tokens of context the model will be opened with; default the catalog's estimate (4096). */
  readonly contextSize?: number;
  readonly editorHeadroomBytes?: number;
}

export interface MemoryBudget {
  /** RAM a model may take. */
  readonly ramBytes: number;
  /** RAM kept for the editor and everything else. */
  readonly ramHeadroomBytes: number;
  /** GPU memory a model may take; undefined without a GPU. */
  readonly vramBytes?: number;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
export const EDITOR_HEADROOM_BYTES = 1.5 * GIB;
/** Never plan on more than this share of all RAM, however much is free right now. */
const MAX_RAM_SHARE = 0.6;
/** Always leave at least this share of the free RAM free. */
const MIN_FREE_KEPT = 0.25;
/** The display and the GPU driver's own context take some VRAM even when "free". */
const VRAM_RESERVE_BYTES = 512 * MIB;
const VRAM_RESERVE_SHARE = 0.1;
/**
 * Completion runs on every pause in typing, so on a CPU without many cores a model above the 1.5B
 * class answers too slowly to be useful; 2B leaves room for "1.5B"/"1.7B" labels.
 */
const CPU_COMPLETION_MAX_PARAMETERS = 2e9;
const FAST_CPU_CORES = 8;
/** Without an architecture or a RAM figure, assume a KV cache of half the file per 4096 tokens (on the high side). */
const UNKNOWN_KV_SHARE = 0.5;

/** Best first. Q8_0 is near lossless at half F16's size, so it ranks above the float formats. */
const QUANTIZATION_ORDER = [
  'Q8_0',
  'F16',
  'BF16',
  'F32',
  'Q6_K',
  'Q5_K_M',
  'Q5_K_S',
  'Q5_1',
  'Q5_0',
  'Q4_K_M',
  'Q4_K_S',
  'Q4_1',
  'Q4_0',
  'IQ4_XS',
  'IQ4_NL',
  'Q3_K_L',
  'Q3_K_M',
  'Q3_K_S',
  'IQ3_M',
  'IQ3_XS',
  'Q2_K',
] as const;

/** Higher is better; 0 for a quantization not in the list. */
export function quantizationRank(quantization: string): number {
  const index = (QUANTIZATION_ORDER as readonly string[]).indexOf(quantization.toUpperCase());
  return index === -1 ? 0 : QUANTIZATION_ORDER.length - index;
}

/** "1.5B" → 1.5e9, "260K" → 260e3; undefined for "unknown", "tiny" and the like. */
export function parseParameterCount(parameters: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([KMBT])$/i.exec(parameters.trim());
  if (match === null) return undefined;
  const scale = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 }[match[2].toUpperCase() as 'K' | 'M' | 'B' | 'T'];
  return Number(match[1]) * scale;
}

/** What Hearth may use on this machine (see the constants above for why each share). */
export function memoryBudget(hardware: HardwareProfile, options: { readonly editorHeadroomBytes?: number } = {}): MemoryBudget {
  // 1.5 GiB would leave a small machine nothing, so it shrinks to a quarter of all RAM there.
  const editor = options.editorHeadroomBytes ?? Math.min(EDITOR_HEADROOM_BYTES, hardware.totalRamBytes * 0.25);
  const ramHeadroomBytes = Math.max(editor, hardware.freeRamBytes * MIN_FREE_KEPT);
  const usable = Math.min(hardware.freeRamBytes, hardware.totalRamBytes * MAX_RAM_SHARE);
  const ramBytes = Math.max(0, usable - ramHeadroomBytes);
  if (hardware.gpu === undefined) return { ramBytes, ramHeadroomBytes };
  const reserve = Math.max(VRAM_RESERVE_BYTES, hardware.gpu.vramBytes * VRAM_RESERVE_SHARE);
  const vramBytes = Math.max(0, (hardware.gpu.freeVramBytes ?? hardware.gpu.vramBytes) - reserve);
  return { ramBytes, ramHeadroomBytes, vramBytes };
}

/** Bytes a file needs loaded with `contextSize` tokens: weights + KV cache + runtime overhead. */
export function estimateNeedBytes(
  file: CatalogFile,
  model: CatalogModel,
  contextSize: number,
  estimate: CatalogMemoryEstimate = DEFAULT_MEMORY_ESTIMATE,
): number {
  // The engine caps the context at what the model was trained for.
  const tokens = Math.min(contextSize, model.contextLength ?? contextSize);
  let kv: number;
  if (model.architecture !== null) {
    kv = kvCacheBytes(model.architecture, tokens, estimate.kvBytesPerElement);
  } else if (file.ramBytes !== null) {
    const kvAtEstimate = Math.max(0, file.ramBytes - file.sizeBytes - estimate.overheadBytes);
    kv = (kvAtEstimate * tokens) / estimate.contextTokens;
  } else {
    kv = (file.sizeBytes * UNKNOWN_KV_SHARE * tokens) / estimate.contextTokens;
  }
  return Math.round(file.sizeBytes + kv + estimate.overheadBytes);
}

/**
 * Whether `file` fits: in GPU memory when a GPU is reported with room for all of it (RAM then needs
 * only the runtime overhead), else in RAM. Partial offload is not counted on, to stay on the safe side.
 */
export function assessFit(
  file: CatalogFile,
  model: CatalogModel,
  hardware: HardwareProfile,
  contextSize: number,
  options: FitOptions = {},
): FitVerdict {
  const estimate = options.memoryEstimate ?? DEFAULT_MEMORY_ESTIMATE;
  const budget = memoryBudget(hardware, options);
  const needBytes = estimateNeedBytes(file, model, contextSize, estimate);
  const free = formatBytes(hardware.freeRamBytes);
  const kept = formatBytes(budget.ramHeadroomBytes);
  const gpu = hardware.gpu;
  if (gpu !== undefined && budget.vramBytes !== undefined && needBytes <= budget.vramBytes && estimate.overheadBytes <= budget.ramBytes) {
    return {
      fits: true,
      budgetBytes: budget.vramBytes,
      needBytes,
      where: 'vram',
      reason: `Runs on the GPU (${gpu.name}): needs ${formatBytes(needBytes)} of the ${formatBytes(budget.vramBytes)} of GPU memory Hearth can use.`,
    };
  }
  const gpuNote =
    gpu !== undefined && budget.vramBytes !== undefined && needBytes > budget.vramBytes ? ` It is too large for the GPU (${formatBytes(budget.vramBytes)} usable).` : '';
  const fits = needBytes <= budget.ramBytes;
  const reason = fits
    ? `Needs ${formatBytes(needBytes)} of the ${formatBytes(budget.ramBytes)} Hearth can use (${free} free, ${kept} kept for the editor and other programs).${gpuNote}`
    : `Needs ${formatBytes(needBytes)}, more than the ${formatBytes(budget.ramBytes)} Hearth can use (${free} free, ${kept} kept for the editor and other programs).${gpuNote}`;
  return { fits, budgetBytes: budget.ramBytes, needBytes, where: 'ram', reason };
}

/** True for models that only show the mechanics (tiny or random weights). */
export function isStarterOrTest(model: CatalogModel): boolean {
  return model.roles.includes('starter') || model.roles.includes('test');
}

type Role = 'completion' | 'chat';

interface Tier {
  readonly models: readonly CatalogModel[];
  /** Plain words for what makes this tier's models suit the role. */
  readonly trait: (model: CatalogModel) => string;
  readonly starter?: boolean;
}

interface Candidate {
  readonly model: CatalogModel;
  readonly file: CatalogFile;
  readonly fit: FitVerdict;
}

/** Why a larger model in the chosen tier was passed over. */
interface Skipped {
  readonly model: CatalogModel;
  readonly cause: 'tooLarge' | 'tooSlow';
}

interface Pick {
  readonly chosen: Candidate;
  readonly tier: Tier;
  readonly skipped: readonly Skipped[];
  /** Better quantizations of the chosen model that did not fit (or fit only where it is too slow). */
  readonly betterQuantization?: CatalogFile;
}

interface Context {
  readonly hardware: HardwareProfile;
  readonly contextSize: number;
  readonly fitOptions: FitOptions;
}

/** Recommends a completion and a chat file for `hardware`; never one that does not fit. */
export function recommendModels(hardware: HardwareProfile, catalog: ModelCatalog, options: RecommendOptions = {}): Recommendations {
  const estimate = catalog.memoryEstimate;
  const contextSize = options.contextSize ?? estimate.contextTokens;
  const fitOptions: FitOptions = {
    memoryEstimate: estimate,
    ...(options.editorHeadroomBytes === undefined ? {} : { editorHeadroomBytes: options.editorHeadroomBytes }),
  };
  const context: Context = { hardware, contextSize, fitOptions };
  const notes: string[] = [];
  const budget = memoryBudget(hardware, fitOptions);

  const real = catalog.models.filter((model) => !isStarterOrTest(model));
  const starters = starterTiers(catalog.models);

  const completionModels = real.filter((model) => model.roles.includes('completion'));
  const preferredFim = (model: CatalogModel) =>
    model.fim !== null && (model.fim.preferredVariant === undefined || model.fim.preferredVariant === model.variant);
  const completionTiers: Tier[] = [
    { models: completionModels.filter(preferredFim), trait: () => 'fill-in-the-middle trained' },
    {
      models: completionModels.filter((model) => model.fim !== null && !preferredFim(model)),
      trait: (model) => `fills in the middle, though the ${model.fim?.preferredVariant ?? 'base'} model does it better`,
    },
    {
      models: completionModels.filter((model) => model.fim === null),
      trait: () => 'no fill-in-the-middle, so it only continues the code before the cursor',
    },
    ...starters,
  ];
  const chatModels = real.filter((model) => model.roles.includes('chat'));
  const chatTiers: Tier[] = [
    { models: chatModels.filter((model) => model.variant === 'instruct'), trait: chatTrait },
    { models: chatModels.filter((model) => model.variant !== 'instruct'), trait: () => 'not known to be instruction-tuned, so answers may wander' },
    ...starters,
  ];

  const result: { completion?: Recommendation; chat?: Recommendation } = {};
  for (const role of ['completion', 'chat'] as const) {
    const tiers = role === 'completion' ? completionTiers : chatTiers;
    if (tiers.every((tier) => tier.starter === true || tier.models.length === 0)) {
      notes.push(`The catalog has no ${role} model.`);
    }
    const pick = pickFromTiers(tiers, role, context);
    if (pick === undefined) {
      notes.push(nothingFitsNote(role, hardware, budget, tiers, context));
      continue;
    }
    if (pick.tier.starter === true) notes.push(starterNote(role, hardware, budget, tiers, context));
    result[role] = toRecommendation(pick, context);
  }

  const picks = [result.completion, result.chat].filter((pick): pick is Recommendation => pick !== undefined);
  for (const pick of picks) {
    const model = catalog.models.find((candidate) => candidate.id === pick.modelId);
    const file = model?.files.find((candidate) => candidate.fileName === pick.fileName);
    if (model === undefined || file === undefined) continue;
    const label = `${model.name} ${file.quantization}`;
    if (file.unverified.includes('sizeBytes')) notes.push(`${label}: its size is not confirmed, so its memory figure is an estimate.`);
    if (model.gated) notes.push(`${model.name}: ${model.gatedNote ?? 'needs a Hugging Face login.'}`);
    if (!['Apache-2.0', 'MIT'].includes(model.license.id) && !isStarterOrTest(model)) notes.push(`${model.name} comes under the ${model.license.name}.`);
  }
  if (result.completion !== undefined && result.chat !== undefined && result.completion.fileName !== result.chat.fileName) {
    const completion = result.completion.fits;
    const chat = result.chat.fits;
    if (completion.where === chat.where && completion.needBytes + chat.needBytes > completion.budgetBytes) {
      notes.push(
        `The two picks together need ${formatBytes(completion.needBytes + chat.needBytes)}, more than the ${formatBytes(completion.budgetBytes)} Hearth can use: keep only one loaded at a time.`,
      );
    }
  }
  return { ...result, notes: [...new Set(notes)] };
}

function chatTrait(model: CatalogModel): string {
  if (model.roles.includes('completion') || model.fim !== null) return 'instruction-tuned for code';
  return model.roles.includes('writing') ? 'instruction-tuned for chat and writing' : 'instruction-tuned for chat';
}

/** Starter models first (tiny real ones), then test-only models; both only when nothing real fits. */
function starterTiers(models: readonly CatalogModel[]): Tier[] {
  const trait = () => 'a starter model only, which shows how Hearth works but cannot help with real code or text';
  return [
    { models: models.filter((model) => model.roles.includes('starter')), trait, starter: true },
    { models: models.filter((model) => model.roles.includes('test') && !model.roles.includes('starter')), trait, starter: true },
  ];
}

function pickFromTiers(tiers: readonly Tier[], role: Role, context: Context): Pick | undefined {
  for (const tier of tiers) {
    const skipped: Skipped[] = [];
    for (const model of byParametersDescending(tier.models)) {
      const best = bestFile(model, role, context);
      if (best.chosen !== undefined) {
        return { chosen: best.chosen, tier, skipped, ...(best.better === undefined ? {} : { betterQuantization: best.better }) };
      }
      skipped.push({ model, cause: best.cause });
    }
  }
  return undefined;
}

function byParametersDescending(models: readonly CatalogModel[]): CatalogModel[] {
  // Stable: equal sizes keep the catalog's order.
  return [...models].sort((a, b) => (parseParameterCount(b.parameters) ?? 0) - (parseParameterCount(a.parameters) ?? 0));
}

/** Whether a file placed `where` would be too slow for completion on this machine. */
function tooSlow(model: CatalogModel, role: Role, where: 'ram' | 'vram', hardware: HardwareProfile): boolean {
  if (role !== 'completion' || where === 'vram' || hardware.cpuCores >= FAST_CPU_CORES) return false;
  return (parseParameterCount(model.parameters) ?? 0) > CPU_COMPLETION_MAX_PARAMETERS;
}

/**
 * The best-quantized file of `model` that fits and is fast enough. A file that runs on the GPU wins
 * over a better quantization that would have to run on the CPU: the speed difference is far larger.
 */
function bestFile(
  model: CatalogModel,
  role: Role,
  context: Context,
): { chosen?: Candidate; better?: CatalogFile; cause: 'tooLarge' | 'tooSlow' } {
  const files = [...model.files].sort((a, b) => quantizationRank(b.quantization) - quantizationRank(a.quantization));
  const assessed = files.map((file) => ({ model, file, fit: assessFit(file, model, context.hardware, context.contextSize, context.fitOptions) }));
  const usable = assessed.filter((candidate) => candidate.fit.fits && !tooSlow(model, role, candidate.fit.where, context.hardware));
  const chosen = usable.find((candidate) => candidate.fit.where === 'vram') ?? usable[0];
  const anyFits = assessed.some((candidate) => candidate.fit.fits);
  const cause = anyFits ? 'tooSlow' : 'tooLarge';
  if (chosen === undefined) return { cause };
  // Named only when it fits nowhere, so "would leave too little" stays true.
  const better = assessed.find(
    (candidate) => !candidate.fit.fits && quantizationRank(candidate.file.quantization) > quantizationRank(chosen.file.quantization),
  )?.file;
  return { chosen, cause, ...(better === undefined ? {} : { better }) };
}

function toRecommendation(pick: Pick, context: Context): Recommendation {
  const { model, file, fit } = pick.chosen;
  const hardware = context.hardware;
  const where =
    fit.where === 'vram' && hardware.gpu !== undefined
      ? `runs on your GPU (${hardware.gpu.name}), ${formatBytes(fit.needBytes)} of its ${formatBytes(hardware.gpu.freeVramBytes ?? hardware.gpu.vramBytes)} free`
      : `${formatBytes(fit.needBytes)} of your ${formatBytes(hardware.freeRamBytes)} free`;
  const parts = [`${model.name} ${file.quantization}: ${pick.tier.trait(model)}, ${where}`];
  const size = parseParameterCount(model.parameters) ?? 0;
  const nearestLarger = pick.skipped.filter((skipped) => (parseParameterCount(skipped.model.parameters) ?? 0) > size).at(-1);
  if (nearestLarger !== undefined) {
    const name = nearestLarger.model.family === model.family ? `the ${nearestLarger.model.parameters}` : nearestLarger.model.name;
    parts.push(
      nearestLarger.cause === 'tooSlow'
        ? `${name} would be too slow for completions as you type on ${hardware.cpuCores} CPU cores${hardware.gpu === undefined ? ' without a GPU' : ''}`
        : `${name} would leave too little for the editor`,
    );
  } else if (pick.betterQuantization !== undefined && pick.tier.starter !== true) {
    parts.push(`${pick.betterQuantization.quantization} would leave too little for the editor`);
  }
  if (file.sha256 === null) parts.push('verified by size and header, no published checksum');
  return {
    modelId: model.id,
    fileName: file.fileName,
    quantization: file.quantization,
    ramBytes: fit.where === 'ram' ? fit.needBytes : (context.fitOptions.memoryEstimate ?? DEFAULT_MEMORY_ESTIMATE).overheadBytes,
    why: `${parts.join('; ')}.`,
    fits: fit,
  };
}

/** The smallest need among real models in `tiers`, for telling people how far off they are. */
function smallestRealNeed(tiers: readonly Tier[], context: Context): { model: CatalogModel; needBytes: number } | undefined {
  let smallest: { model: CatalogModel; needBytes: number } | undefined;
  for (const tier of tiers) {
    if (tier.starter === true) continue;
    for (const model of tier.models) {
      for (const file of model.files) {
        const needBytes = estimateNeedBytes(file, model, context.contextSize, context.fitOptions.memoryEstimate);
        if (smallest === undefined || needBytes < smallest.needBytes) smallest = { model, needBytes };
      }
    }
  }
  return smallest;
}

function shortfall(role: Role, hardware: HardwareProfile, budget: MemoryBudget, tiers: readonly Tier[], context: Context): string {
  const smallest = smallestRealNeed(tiers, context);
  const can = `Hearth can use ${formatBytes(budget.ramBytes)} of your ${formatBytes(hardware.freeRamBytes)} free RAM`;
  return smallest === undefined
    ? can
    : `${can}, and the smallest ${role} model (${smallest.model.name}) needs ${formatBytes(smallest.needBytes)}`;
}

function starterNote(role: Role, hardware: HardwareProfile, budget: MemoryBudget, tiers: readonly Tier[], context: Context): string {
  return `No real ${role} model fits, only a starter model: ${shortfall(role, hardware, budget, tiers, context)}. Close other programs or use a machine with more memory.`;
}

function nothingFitsNote(role: Role, hardware: HardwareProfile, budget: MemoryBudget, tiers: readonly Tier[], context: Context): string {
  return `Nothing fits for ${role}: ${shortfall(role, hardware, budget, tiers, context)}. Close other programs or use a machine with more memory.`;
}
