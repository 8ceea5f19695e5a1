// The rows of "Hearth: Manage Models": installed GGUF files, the catalog files recommended for this
// machine, and the rest of the catalog, each with the actions it offers. Pure, so what people see
// (labels, fit wording, order) is unit-tested; src/host/models/manageModels.ts turns it into a QuickPick.
import { formatBytes } from '../formatBytes';
import type { CatalogFile, CatalogModel, ModelCatalog } from './modelCatalogSchema';
import {
  assessFit,
  isStarterOrTest,
  memoryBudget,
  quantizationRank,
  recommendModels,
  type FitVerdict,
  type HardwareProfile,
  type Recommendations,
} from './recommendModels';

export type ModelUse = 'completion' | 'chat';
export type ManageAction = 'download' | 'useForCompletion' | 'useForChat' | 'delete' | 'reveal';

/** A codicon id and a tooltip per action, for the item buttons. */
export const MANAGE_ACTION_BUTTONS: Readonly<Record<ManageAction, { readonly icon: string; readonly label: string }>> = {
  download: { icon: 'cloud-download', label: 'Download' },
  useForCompletion: { icon: 'code', label: 'Use for Completion' },
  useForChat: { icon: 'comment-discussion', label: 'Use for Chat' },
  reveal: { icon: 'go-to-file', label: 'Reveal in Folder' },
  delete: { icon: 'trash', label: 'Delete…' },
};

export interface InstalledModelFile {
  readonly path: string;
  readonly sizeBytes: number;
  /** Set when the models folder knows which catalog entry the file came from. */
  readonly catalogModelId?: string;
}

/** Paths of the files Hearth uses now, per use. */
export interface ModelsInUse {
  readonly completion?: string;
  readonly chat?: string;
}

export interface ManageItemsInput {
  readonly catalog: ModelCatalog;
  readonly installed: readonly InstalledModelFile[];
  readonly hardware: HardwareProfile;
  readonly inUse?: ModelsInUse;
  readonly contextSize?: number;
  /** Computed from hardware and catalog when not given. */
  readonly recommendations?: Recommendations;
  /**
   * node-llama-cpp's estimates for installed files, by path (the model process reads each header):
   * where present they give the fit instead of the catalog formula, also for files the catalog lacks.
   */
  readonly estimates?: ReadonlyMap<string, FileEstimate>;
}

/** What the fit needs of a model/estimate answer. */
export interface FileEstimate {
  readonly totalRamBytes: number;
  readonly totalVramBytes: number;
  readonly gpuLayers: number;
  readonly fits: boolean;
  readonly reason: string;
}

/** A FitVerdict from the library's estimate: on the GPU when it would take layers there. */
export function fitFromEstimate(estimate: FileEstimate, hardware: HardwareProfile): FitVerdict {
  const budget = memoryBudget(hardware);
  const onGpu = estimate.gpuLayers > 0 && budget.vramBytes !== undefined;
  return {
    fits: estimate.fits,
    budgetBytes: onGpu ? (budget.vramBytes ?? 0) : budget.ramBytes,
    needBytes: onGpu ? estimate.totalVramBytes : estimate.totalRamBytes,
    where: onGpu ? 'vram' : 'ram',
    reason: estimate.reason,
  };
}

export interface ManageSeparator {
  readonly kind: 'separator';
  readonly label: string;
}

export interface ManageFileItem {
  readonly kind: 'file';
  readonly section: 'installed' | 'recommended' | 'available';
  readonly label: string;
  readonly description: string;
  readonly detail: string;
  readonly fileName: string;
  /** Set for installed files. */
  readonly path?: string;
  readonly sizeBytes: number;
  readonly modelId?: string;
  /** Undefined for an installed file the catalog does not know (its memory need is unknown). */
  readonly fit?: FitVerdict;
  readonly recommendedFor: readonly ModelUse[];
  readonly inUseFor: readonly ModelUse[];
  /** In button order; the first is what Enter does when it is the only sensible one (see primaryAction). */
  readonly actions: readonly ManageAction[];
}

export interface ManageCommandItem {
  readonly kind: 'command';
  readonly command: 'import' | 'revealFolder';
  readonly label: string;
  readonly description: string;
}

/** A line of advice from the recommender; selecting it does nothing. */
export interface ManageNoteItem {
  readonly kind: 'note';
  readonly label: string;
}

export type ManageItem = ManageSeparator | ManageFileItem | ManageCommandItem | ManageNoteItem;

export const MANAGE_SECTIONS = {
  installed: 'Installed',
  recommended: 'Recommended for this machine',
  available: 'Available',
} as const;

/** Builds the rows, in display order: Installed, Recommended for this machine, Available. */
export function buildManageItems(input: ManageItemsInput): ManageItem[] {
  const { catalog, hardware } = input;
  const contextSize = input.contextSize ?? catalog.memoryEstimate.contextTokens;
  const recommendations = input.recommendations ?? recommendModels(hardware, catalog, { contextSize });
  const recommendedFor = (fileName: string): ModelUse[] =>
    (['completion', 'chat'] as const).filter((use) => recommendations[use]?.fileName === fileName);
  const fitOf = (model: CatalogModel, file: CatalogFile) =>
    assessFit(file, model, hardware, contextSize, { memoryEstimate: catalog.memoryEstimate });

  const installedNames = new Set<string>();
  const installed = input.installed.map((entry): ManageFileItem => {
    const fileName = baseName(entry.path);
    installedNames.add(fileName);
    const known = catalogEntry(catalog, fileName, entry.catalogModelId);
    const inUseFor = (['completion', 'chat'] as const).filter((use) => input.inUse?.[use] === entry.path);
    const uses = known === undefined ? (['completion', 'chat'] as const) : usesOf(known.model);
    const estimate = input.estimates?.get(entry.path);
    const fit = estimate !== undefined ? fitFromEstimate(estimate, hardware) : known === undefined ? undefined : fitOf(known.model, known.file);
    const recommended = recommendedFor(fileName);
    const actions: ManageAction[] = [
      ...(uses.includes('completion') && !inUseFor.includes('completion') ? (['useForCompletion'] as const) : []),
      ...(uses.includes('chat') && !inUseFor.includes('chat') ? (['useForChat'] as const) : []),
      'reveal',
      'delete',
    ];
    return {
      kind: 'file',
      section: 'installed',
      label: `$(check) ${known === undefined ? fileName : fileLabel(known.model, known.file)}`,
      description: joinParts([
        formatBytes(entry.sizeBytes),
        ...inUseFor.map((use) => `in use for ${use}`),
        ...recommended.map((use) => `recommended for ${use}`),
        ...(known === undefined ? ['not in the catalog'] : []),
        ...(fit === undefined ? [] : [fitWords(fit, hardware)]),
      ]),
      detail: entry.path,
      fileName,
      path: entry.path,
      sizeBytes: entry.sizeBytes,
      ...(known === undefined ? {} : { modelId: known.model.id }),
      ...(fit === undefined ? {} : { fit }),
      recommendedFor: recommended,
      inUseFor,
      actions,
    };
  });
  // Recommended first, then what is in use, then by name.
  installed.sort(
    (a, b) =>
      Number(b.recommendedFor.length > 0) - Number(a.recommendedFor.length > 0) ||
      Number(b.inUseFor.length > 0) - Number(a.inUseFor.length > 0) ||
      a.label.localeCompare(b.label),
  );

  const recommended: ManageFileItem[] = [];
  const available: Array<{ item: ManageFileItem; model: CatalogModel; file: CatalogFile; order: number }> = [];
  catalog.models.forEach((model, order) => {
    for (const file of model.files) {
      if (installedNames.has(file.fileName)) continue;
      const fit = fitOf(model, file);
      const uses = recommendedFor(file.fileName);
      const why = uses.map((use) => recommendations[use]?.why).find((text) => text !== undefined);
      const checksum = file.sha256 === null && why?.includes('no published checksum') !== true ? 'no published checksum' : undefined;
      const item: ManageFileItem = {
        kind: 'file',
        section: uses.length > 0 ? 'recommended' : 'available',
        label: `${uses.length > 0 ? '$(star-full)' : '$(cloud-download)'} ${fileLabel(model, file)}`,
        description: joinParts([
          ...(uses.length > 0 ? [`recommended for ${uses.join(' and ')}`] : []),
          formatBytes(file.sizeBytes),
          fitWords(fit, hardware),
        ]),
        detail: joinParts([
          why ?? roleWords(model),
          model.license.name,
          ...(model.gated ? [`needs a Hugging Face login: ${model.gatedNote ?? 'gated repository'}`] : []),
          ...(checksum === undefined ? [] : [checksum]),
        ]),
        fileName: file.fileName,
        sizeBytes: file.sizeBytes,
        modelId: model.id,
        fit,
        recommendedFor: uses,
        inUseFor: [],
        actions: ['download'],
      };
      if (uses.length > 0) recommended.push(item);
      else available.push({ item, model, file, order });
    }
  });
  // Completion's pick before chat's.
  recommended.sort((a, b) => useOrder(a.recommendedFor) - useOrder(b.recommendedFor));
  // What fits first, starter and test models last, then catalog order, best quantization first.
  available.sort(
    (a, b) =>
      Number(b.item.fit?.fits) - Number(a.item.fit?.fits) ||
      Number(isStarterOrTest(a.model)) - Number(isStarterOrTest(b.model)) ||
      a.order - b.order ||
      quantizationRank(b.file.quantization) - quantizationRank(a.file.quantization),
  );

  const notes: ManageNoteItem[] = recommendations.notes.map((note) => ({ kind: 'note', label: `$(info) ${note}` }));
  return [
    { kind: 'separator', label: MANAGE_SECTIONS.installed },
    ...installed,
    { kind: 'command', command: 'import', label: '$(add) Import a GGUF File…', description: 'copy a model you already have into the models folder' },
    { kind: 'command', command: 'revealFolder', label: '$(folder-opened) Reveal the Models Folder', description: '' },
    ...(recommended.length > 0 || notes.length > 0 ? [{ kind: 'separator' as const, label: MANAGE_SECTIONS.recommended }, ...recommended, ...notes] : []),
    ...(available.length > 0 ? [{ kind: 'separator' as const, label: MANAGE_SECTIONS.available }, ...available.map(({ item }) => item)] : []),
  ];
}

/** What Enter does on `item`, or undefined when it offers several equally likely actions. */
export function primaryAction(item: ManageFileItem): ManageAction | undefined {
  if (item.actions.includes('download')) return 'download';
  const uses = item.actions.filter((action) => action === 'useForCompletion' || action === 'useForChat');
  return uses.length === 1 ? uses[0] : undefined;
}

/** `fits: 1.4 GB of 6.1 GB free`, `fits on the GPU: …`, or `too large for this machine`. */
export function fitWords(fit: FitVerdict, hardware: HardwareProfile): string {
  if (!fit.fits) return 'too large for this machine';
  if (fit.where === 'vram' && hardware.gpu !== undefined) {
    return `fits on the GPU: ${formatBytes(fit.needBytes)} of ${formatBytes(hardware.gpu.freeVramBytes ?? hardware.gpu.vramBytes)} free`;
  }
  return `fits: ${formatBytes(fit.needBytes)} of ${formatBytes(hardware.freeRamBytes)} free`;
}

/** The modal question before deleting an installed file. */
export function deleteConfirmation(item: ManageFileItem): { readonly message: string; readonly detail: string; readonly confirm: string } {
  const inUse = item.inUseFor.length > 0 ? ` Hearth uses it for ${item.inUseFor.join(' and ')}; choose another model afterwards.` : '';
  return {
    message: `Delete ${item.fileName} (${formatBytes(item.sizeBytes)})?`,
    detail: `The file is deleted from ${item.path ?? 'the models folder'}.${inUse}`,
    confirm: 'Delete',
  };
}

/** The modal question before downloading a file that does not fit, or undefined when it fits. */
export function downloadConfirmation(item: ManageFileItem): { readonly message: string; readonly detail: string; readonly confirm: string } | undefined {
  if (item.fit === undefined || item.fit.fits) return undefined;
  return {
    message: `${item.fileName} is too large for this machine. Download it anyway?`,
    detail: item.fit.reason,
    confirm: 'Download Anyway',
  };
}

function catalogEntry(catalog: ModelCatalog, fileName: string, modelId: string | undefined): { model: CatalogModel; file: CatalogFile } | undefined {
  for (const model of catalog.models) {
    if (modelId !== undefined && model.id !== modelId) continue;
    const file = model.files.find((candidate) => candidate.fileName === fileName);
    if (file !== undefined) return { model, file };
  }
  // The recorded id names no file of that name (a stale record): fall back to the name alone.
  return modelId === undefined ? undefined : catalogEntry(catalog, fileName, undefined);
}

function usesOf(model: CatalogModel): ModelUse[] {
  return [
    ...(model.roles.includes('completion') ? (['completion'] as const) : []),
    ...(model.roles.some((role) => role === 'chat' || role === 'writing' || role === 'starter') ? (['chat'] as const) : []),
  ];
}

function roleWords(model: CatalogModel): string {
  if (model.roles.includes('test') && !model.roles.includes('starter')) return 'test model';
  if (model.roles.includes('starter')) return 'starter model: shows how Hearth works, no real help';
  const words = [
    ...(model.roles.includes('completion') ? [model.fim === null ? 'code completion' : 'code completion (fill-in-the-middle)'] : []),
    ...(model.roles.includes('chat') ? ['chat'] : []),
    ...(model.roles.includes('writing') ? ['writing'] : []),
  ];
  return words.length === 0 ? 'no role given' : `for ${words.join(', ')}`;
}

function fileLabel(model: CatalogModel, file: CatalogFile): string {
  return `${model.name} ${file.quantization}`;
}

function useOrder(uses: readonly ModelUse[]): number {
  return uses.includes('completion') ? 0 : 1;
}

function joinParts(parts: readonly string[]): string {
  return parts.filter((part) => part.length > 0).join(' · ');
}

/** The file name of a path, POSIX or Windows (src/common has no node:path). */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
