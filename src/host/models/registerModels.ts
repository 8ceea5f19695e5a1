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
import { machineHardware } from './machineHardware';
import { showManageModels } from './manageModels';
import { bundledModelCatalog, catalogFileByName } from './modelCatalog';
import type { InstalledModelFile } from '../../common/models/buildManageItems';

/** Where Hearth keeps the models it imports or downloads. */
export function modelsFolder(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'models');
}

export function registerModels(context: vscode.ExtensionContext, services: Services): void {
  const folder = modelsFolder(context);
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
      withErrors(services, () => {
        const config = vscode.workspace.getConfiguration('hearth');
        const current = config.get<string>('model.path') || undefined;
        const use = (file: string) => config.update('model.path', file, vscode.ConfigurationTarget.Global);
        return showManageModels({
          catalog: bundledModelCatalog(),
          hardware: async () => machineHardware(),
          installed: () => installedModels(folder),
          // One model serves both roles until completion and chat can each have their own.
          inUse: () => (current === undefined ? {} : { completion: current, chat: current }),
          contextSize: config.get<number>('engine.contextSize', 4096),
          download: async (modelId, fileName) => {
            await vscode.commands.executeCommand('hearth.models.download', modelId, fileName);
          },
          useFor: async (_role, file) => use(file),
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
