// Model downloads in VS Code: the `hearth.models.download` command (a catalog model by file name,
// or picked from a list) and `downloadWithProgress`, which runs the download service under a
// cancellable notification showing bytes, speed and time left. The work is in downloadService.ts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../../common/formatBytes';
import type { Services } from '../services';
import { readSettings } from '../settings';
import { describeDownloadProgress, hostOf, percentDone, TransferRate } from './downloadProgress';
import { downloadModelFile, ModelDownloadError, type ModelDownloadRequest, type ModelDownloadResult } from './downloadService';
import { forkDownloadWorker } from './downloadWorker';
import { bundledModelCatalog, catalogFileByName, verifiedPins, type CatalogFile, type CatalogModel, type ModelCatalog } from './modelCatalog';
import { applyMirror } from './modelMirror';
import { modelSettingIds, modelSettingsSchema } from './modelSettings';

export const DOWNLOAD_MODEL_COMMAND = 'hearth.models.download';

/** Downloads under way in this window, by target path: a second request joins the first. */
const inFlight = new Map<string, Promise<ModelDownloadResult | undefined>>();

/**
 * Registers the command; `folder` is Hearth's models folder, where downloads go. Arguments skip the
 * list (the model list, tests, scripts): `(modelId, fileName)`, `(fileName)` or `(modelId)`.
 */
export function registerModelDownloads(context: vscode.ExtensionContext, services: Services, folder: string): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(DOWNLOAD_MODEL_COMMAND, (first?: unknown, second?: unknown) =>
      downloadCatalogModel(context, services, folder, catalogSelector(first, second)).catch((error: unknown) => {
        services.log.error(describe(error));
        void vscode.window.showErrorMessage(`Hearth: ${describe(error)}`);
        return undefined;
      }),
    ),
  );
}

/** Which catalog file the command's arguments name, if any. */
export interface CatalogSelector {
  readonly modelId?: string;
  readonly fileName?: string;
}

function catalogSelector(first: unknown, second: unknown): CatalogSelector {
  if (typeof second === 'string') return { ...(typeof first === 'string' ? { modelId: first } : {}), fileName: second };
  if (typeof first !== 'string') return {};
  return first.toLowerCase().endsWith('.gguf') ? { fileName: first } : { modelId: first };
}

/** Downloads a catalog model file into `folder`; resolves with its path, or undefined. */
export async function downloadCatalogModel(
  context: vscode.ExtensionContext,
  services: Services,
  folder: string,
  selector: CatalogSelector = {},
): Promise<string | undefined> {
  const catalog = bundledModelCatalog();
  const choice = await chooseCatalogFile(catalog, selector);
  if (choice === undefined) return undefined;
  const { model, file } = choice;
  if (model.gated) {
    void vscode.window.showWarningMessage(
      `${model.name} needs a Hugging Face login, and Hearth never sends one. ${model.gatedNote ?? ''} Download ${file.fileName} in a browser, then use "Hearth: Import a GGUF Model File…".`.replace(/\s+/g, ' '),
    );
    return undefined;
  }
  const pins = verifiedPins(file);
  const result = await downloadWithProgress(
    context,
    services,
    {
      url: file.url,
      fileName: file.fileName,
      directory: folder,
      sha256: pins.sha256 ?? null,
      ...(pins.sizeBytes === undefined ? {} : { sizeBytes: pins.sizeBytes }),
    },
    `${model.name} (${file.quantization})`,
  );
  if (result === undefined) return undefined;

  const check = result.sha256Verified ? 'sha256 verified' : 'no sha256 pinned; size and GGUF header checked';
  const what = result.alreadyPresent ? 'is already downloaded' : `was downloaded (${formatBytes(result.sizeBytes)}, ${check})`;
  void vscode.window.showInformationMessage(`${model.name} ${what}.`, 'Use This Model').then(async (answer) => {
    if (answer !== 'Use This Model') return;
    // User settings: a model path is a property of this machine.
    await vscode.workspace.getConfiguration('hearth').update('model.path', result.path, vscode.ConfigurationTarget.Global);
  });
  return result.path;
}

/**
 * Downloads one file under a cancellable progress notification. Resolves with the result, or
 * undefined when it failed or was cancelled (the user has been told which, and why).
 */
export function downloadWithProgress(
  context: vscode.ExtensionContext,
  services: Services,
  request: ModelDownloadRequest,
  label: string = request.fileName,
): Promise<ModelDownloadResult | undefined> {
  const key = path.join(request.directory, request.fileName);
  const running = inFlight.get(key);
  if (running !== undefined) {
    void vscode.window.showInformationMessage(`Hearth is already downloading ${label}.`);
    return running;
  }
  const download = runWithProgress(context, services, request, label).finally(() => inFlight.delete(key));
  inFlight.set(key, download);
  return download;
}

async function runWithProgress(
  context: vscode.ExtensionContext,
  services: Services,
  request: ModelDownloadRequest,
  label: string,
): Promise<ModelDownloadResult | undefined> {
  // The gate must see the policy files, not the built-in default that applies until they are read.
  await services.privacy.ready;
  const { mirror } = readSettings(modelSettingsSchema, modelSettingIds, (message) => services.log.warn(message));
  let sourceHost: string;
  try {
    sourceHost = hostOf(applyMirror(request.url, mirror).url);
  } catch {
    sourceHost = hostOf(request.url); // the service refuses the bad mirror with its own message
  }
  const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string): void => services.log[level](message);

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${label}`, cancellable: true },
    async (progress, token) => {
      const rate = new TransferRate();
      let shownPercent = 0;
      try {
        return await downloadModelFile(request, {
          mayUseNetwork: (url) => services.privacy.policy.mayUseNetwork(url),
          mirror,
          startWorker: () => forkDownloadWorker(context.asAbsolutePath('dist/download.mjs'), { log }),
          ledger: services.privacy.ledger,
          token,
          log,
          onProgress: (update) => {
            if (update.phase === 'downloading') rate.sample(update.receivedBytes, Date.now());
            const percent = update.phase === 'downloading' ? (percentDone(update) ?? shownPercent) : shownPercent;
            const increment = Math.max(0, percent - shownPercent);
            shownPercent += increment;
            progress.report({ message: describeDownloadProgress(update, rate.bytesPerSecond(), sourceHost), increment });
          },
        });
      } catch (error) {
        showDownloadError(error, services);
        return undefined;
      }
    },
  );
}

function showDownloadError(error: unknown, services: Services): void {
  const message = describe(error);
  if (error instanceof ModelDownloadError && error.code === 'cancelled') {
    void vscode.window.showInformationMessage(message);
    return;
  }
  if (error instanceof ModelDownloadError && error.code === 'offline') {
    void vscode.window.showWarningMessage(message);
    return;
  }
  void vscode.window.showErrorMessage(message, 'Show Log').then((answer) => {
    if (answer === 'Show Log') services.log.show();
  });
}

interface CatalogPick extends vscode.QuickPickItem {
  readonly model: CatalogModel;
  readonly file: CatalogFile;
}

/** The file the selector names, else one picked from a list (of the named model's files, or all). */
async function chooseCatalogFile(catalog: ModelCatalog, selector: CatalogSelector): Promise<{ model: CatalogModel; file: CatalogFile } | undefined> {
  if (selector.fileName !== undefined) {
    const found = catalogFileByName(catalog, selector.fileName);
    if (found === undefined || (selector.modelId !== undefined && found.model.id !== selector.modelId)) {
      void vscode.window.showErrorMessage(`Hearth: the model catalog has no file named ${selector.fileName}${selector.modelId === undefined ? '' : ` for ${selector.modelId}`}.`);
      return undefined;
    }
    return found;
  }
  const models = selector.modelId === undefined ? catalog.models : catalog.models.filter((model) => model.id === selector.modelId);
  if (models.length === 0) {
    void vscode.window.showErrorMessage(`Hearth: the model catalog has no model ${selector.modelId}.`);
    return undefined;
  }
  const only = models.length === 1 && models[0]!.files.length === 1 ? models[0] : undefined;
  if (only !== undefined) return { model: only, file: only.files[0]! };
  const items: CatalogPick[] = models.flatMap((model) =>
    model.files.map((file) => ({
      label: `${model.name} · ${file.quantization}`,
      description: [formatBytes(file.sizeBytes), model.parameters, ...(model.gated ? ['needs a Hugging Face login'] : [])].join(' · '),
      detail: model.description,
      model,
      file,
    })),
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Hearth: Download a Model',
    placeHolder: 'Choose a model file to download into Hearth’s models folder',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked === undefined ? undefined : { model: picked.model, file: picked.file };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
