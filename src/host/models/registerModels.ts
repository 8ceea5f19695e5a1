// Getting a model: the model list with the recommendation for this machine, downloads, import
// (air-gapped), choosing a file, deleting one from Hearth's models folder.
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { withErrors, type Services } from '../services';
import { chooseModelFile } from './chooseModelFile';
import { deleteModelFile } from './deleteModelFile';
import { registerModelDownloads } from './downloadModelCommand';
import { importModelFile } from './importModelFile';
import { machineHardwareFromEngine } from './machineHardware';
import { showManageModels } from './manageModels';
import { findModels } from './modelLocations';
import { useModelFor } from './modelRoleSettings';
import { bundledModelCatalog, catalogFileByName } from './modelCatalog';
import type { FileEstimate, InstalledModelFile, ModelUse } from '../../common/models/buildManageItems';
import type { EngineClient } from '../engine/engineClient';
import { EngineRequestError } from '../engine/engineErrors';

/** Where Hearth keeps the models it imports or downloads. */
export function modelsFolder(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'models');
}

export interface ModelsArea {
  /** What Manage Models' "Use for Completion" / "Use for Chat" does. */
  readonly useFor: (role: ModelUse, file: string) => Promise<void>;
}

export function registerModels(context: vscode.ExtensionContext, services: Services): ModelsArea {
  const folder = modelsFolder(context);
  const currentModels = () => findModels(context, (message) => services.log.warn(message));
  context.subscriptions.push(
    vscode.commands.registerCommand('hearth.model.choose', withErrors(services, chooseModelFile)),
    // Arguments (a path, whether to use it) skip the dialogs: tests and scripts.
    vscode.commands.registerCommand(
      'hearth.models.import',
      withErrors(services, (source?: unknown, use?: unknown) =>
        importModelFile(folder, { ...(typeof source === 'string' ? { source } : {}), ...(typeof use === 'boolean' ? { use } : {}) }),
      ),
    ),
    vscode.commands.registerCommand(
      'hearth.models.delete',
      withErrors(services, async (file?: unknown, confirmed?: unknown) => {
        if (typeof file !== 'string') throw new Error('Choose the model to delete in "Hearth: Manage Models".');
        return deleteModelFile(folder, file, { confirmed: confirmed === true });
      }),
    ),
    vscode.commands.registerCommand(
      'hearth.models.manage',
      withErrors(services, async () => {
        const config = vscode.workspace.getConfiguration('hearth');
        const current = await currentModels();
        const contextSize = config.get<number>('engine.contextSize', 4096);
        const log = (message: string) => services.log.info(message);
        return showManageModels({
          catalog: bundledModelCatalog(),
          // The user opened the list, so starting the model process for its GPU figures is fair; but
          // only with a model chosen, since a start loads it (none chosen: Node's figures, CPU only).
          hardware: () => machineHardwareFromEngine(services.engineClient, { start: current?.completion.source === 'setting', log }),
          installed: () => installedModels(folder),
          estimates: (files) => installedEstimates(services.engineClient, files, contextSize, log),
          inUse: () => (current === undefined ? {} : { completion: current.completion.path, chat: current.chat.path }),
          contextSize,
          download: async (modelId, fileName) => {
            await vscode.commands.executeCommand('hearth.models.download', modelId, fileName);
          },
          useFor: (role, file) => useModelFor(role, file, current),
          delete: async (file) => {
            await deleteModelFile(folder, file, { confirmed: true });
          },
          importFile: async () => {
            await importModelFile(folder);
          },
          reveal: async (file) => {
            await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(file ?? folder));
          },
        });
      }),
    ),
    vscode.commands.registerCommand('hearth.models.revealFolder', async () => {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(folder));
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(folder));
    }),
  );
  registerModelDownloads(context, services, folder);
  return { useFor: async (role, file) => useModelFor(role, file, await currentModels()) };
}

/**
 * node-llama-cpp's fit for each installed file, from its header, when the model process is running
 * (it is not started for this). One at a time: each is a short header read in that process. A file
 * it cannot read (truncated, not GGUF) keeps the catalog's formula, and the reason goes to the log.
 */
async function installedEstimates(
  client: EngineClient,
  files: readonly InstalledModelFile[],
  contextSize: number,
  log: (message: string) => void,
): Promise<ReadonlyMap<string, FileEstimate>> {
  const estimates = new Map<string, FileEstimate>();
  for (const file of files) {
    try {
      const estimate = await client.estimate(file.path, contextSize);
      estimates.set(file.path, estimate);
      log(`Estimate for ${path.basename(file.path)} at ${estimate.contextSize} tokens: ${estimate.reason}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`No estimate for ${path.basename(file.path)}: ${message}`);
      // No process to ask (not running, or it died): no other file will get one either.
      if (isProcessGone(error)) break;
    }
  }
  return estimates;
}

function isProcessGone(error: unknown): boolean {
  return error instanceof EngineRequestError && (error.kind === 'unavailable' || error.kind === 'crashed');
}

/** The GGUF files in Hearth's models folder, with the catalog entry each came from when known. */
async function installedModels(folder: string): Promise<InstalledModelFile[]> {
  const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.toLowerCase().endsWith('.gguf'));
  const catalog = bundledModelCatalog();
  const files: InstalledModelFile[] = [];
  for (const name of names.sort()) {
    const file = path.join(folder, name);
    const stats = await stat(file).catch(() => undefined);
    if (!stats?.isFile()) continue;
    const entry = catalogFileByName(catalog, name);
    files.push({ path: file, sizeBytes: stats.size, ...(entry ? { catalogModelId: entry.model.id } : {}) });
  }
  return files;
}
