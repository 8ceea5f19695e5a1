// `hearth.models.manage`: one QuickPick to see installed models, what suits this machine, and the
// rest of the catalog, with buttons to download, use, reveal or delete. Everything that touches files,
// settings or the network is injected; the rows come from src/common/models/buildManageItems.ts.
import * as vscode from 'vscode';
import {
  MANAGE_ACTION_BUTTONS,
  buildManageItems,
  deleteConfirmation,
  downloadConfirmation,
  primaryAction,
  type FileEstimate,
  type InstalledModelFile,
  type ManageAction,
  type ManageCommandItem,
  type ManageFileItem,
  type ManageItem,
  type ModelUse,
  type ModelsInUse,
} from '../../common/models/buildManageItems';
import type { ModelCatalog } from '../../common/models/modelCatalogSchema';
import type { HardwareProfile } from '../../common/models/recommendModels';

export interface ManageModelsDeps {
  readonly catalog: ModelCatalog;
  readonly hardware: () => Promise<HardwareProfile>;
  /** The GGUF files in the models folder. */
  readonly installed: () => Promise<readonly InstalledModelFile[]>;
  readonly inUse?: () => ModelsInUse;
  /** node-llama-cpp's estimates for installed files, by path; a failure only loses them (the catalog formula stays). */
  readonly estimates?: (installed: readonly InstalledModelFile[]) => Promise<ReadonlyMap<string, FileEstimate>>;
  /** The context size models are opened with (`hearth.engine.contextSize`). */
  readonly contextSize?: number;
  readonly download: (modelId: string, fileName: string) => Promise<void>;
  readonly useFor: (role: ModelUse, path: string) => Promise<void>;
  /** Called only after the user confirmed. */
  readonly delete: (path: string) => Promise<void>;
  readonly importFile: () => Promise<void>;
  /** Without a path, the models folder. */
  readonly reveal: (path?: string) => Promise<void>;
}

interface PickItem extends vscode.QuickPickItem {
  readonly source?: ManageItem;
}

interface ActionButton extends vscode.QuickInputButton {
  readonly action: ManageAction;
}

type Choice =
  | { readonly kind: 'file'; readonly item: ManageFileItem; readonly action: ManageAction | undefined }
  | { readonly kind: 'command'; readonly item: ManageCommandItem };

export async function showManageModels(deps: ManageModelsDeps): Promise<void> {
  const choice = await pick(deps);
  if (choice === undefined) return;
  if (choice.kind === 'command') {
    await (choice.item.command === 'import' ? deps.importFile() : deps.reveal());
    return;
  }
  const action = choice.action ?? (await pickAction(choice.item));
  if (action !== undefined) await run(choice.item, action, deps);
}

async function pick(deps: ManageModelsDeps): Promise<Choice | undefined> {
  const quickPick = vscode.window.createQuickPick<PickItem>();
  quickPick.title = 'Hearth: Manage Models';
  quickPick.placeholder = 'Download, choose or remove local models';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.busy = true;
  const disposables: vscode.Disposable[] = [quickPick];
  try {
    const chosen = new Promise<Choice | undefined>((resolve) => {
      disposables.push(
        quickPick.onDidTriggerItemButton((event) => {
          const source = event.item.source;
          if (source?.kind === 'file') resolve({ kind: 'file', item: source, action: (event.button as ActionButton).action });
        }),
        quickPick.onDidAccept(() => {
          const source = quickPick.selectedItems[0]?.source;
          if (source?.kind === 'file') resolve({ kind: 'file', item: source, action: primaryAction(source) });
          else if (source?.kind === 'command') resolve({ kind: 'command', item: source });
          // Notes are advice only: Enter on one keeps the list open.
        }),
        quickPick.onDidHide(() => resolve(undefined)),
      );
    });
    quickPick.show();
    const [hardware, installed] = await Promise.all([deps.hardware(), deps.installed()]);
    // After hardware: that call may have started the model process these estimates need.
    const estimates = deps.estimates === undefined ? undefined : await deps.estimates(installed).catch(() => undefined);
    const items = buildManageItems({
      catalog: deps.catalog,
      installed,
      hardware,
      ...(estimates === undefined ? {} : { estimates }),
      ...(deps.inUse === undefined ? {} : { inUse: deps.inUse() }),
      ...(deps.contextSize === undefined ? {} : { contextSize: deps.contextSize }),
    });
    quickPick.items = items.map(toPickItem);
    quickPick.busy = false;
    return await chosen;
  } finally {
    for (const disposable of disposables) disposable.dispose();
  }
}

function toPickItem(item: ManageItem): PickItem {
  switch (item.kind) {
    case 'separator':
      return { label: item.label, kind: vscode.QuickPickItemKind.Separator };
    case 'note':
      return { label: item.label, source: item };
    case 'command':
      return { label: item.label, description: item.description, source: item, alwaysShow: true };
    case 'file':
      return {
        label: item.label,
        description: item.description,
        detail: item.detail,
        source: item,
        buttons: item.actions.map(
          (action): ActionButton => ({ action, iconPath: new vscode.ThemeIcon(MANAGE_ACTION_BUTTONS[action].icon), tooltip: MANAGE_ACTION_BUTTONS[action].label }),
        ),
      };
  }
}

/** For an item with several equally likely actions (an installed file): ask which. */
async function pickAction(item: ManageFileItem): Promise<ManageAction | undefined> {
  const picked = await vscode.window.showQuickPick(
    item.actions.map((action) => ({ label: `$(${MANAGE_ACTION_BUTTONS[action].icon}) ${MANAGE_ACTION_BUTTONS[action].label}`, action })),
    { title: item.fileName, placeHolder: 'What should Hearth do with this model?' },
  );
  return picked?.action;
}

async function run(item: ManageFileItem, action: ManageAction, deps: ManageModelsDeps): Promise<void> {
  switch (action) {
    case 'download': {
      if (item.modelId === undefined) return;
      const question = downloadConfirmation(item);
      if (question !== undefined && !(await confirm(question))) return;
      await deps.download(item.modelId, item.fileName);
      return;
    }
    case 'useForCompletion':
    case 'useForChat':
      if (item.path !== undefined) await deps.useFor(action === 'useForCompletion' ? 'completion' : 'chat', item.path);
      return;
    case 'reveal':
      if (item.path !== undefined) await deps.reveal(item.path);
      return;
    case 'delete':
      if (item.path !== undefined && (await confirm(deleteConfirmation(item)))) await deps.delete(item.path);
      return;
  }
}

async function confirm(question: { readonly message: string; readonly detail: string; readonly confirm: string }): Promise<boolean> {
  const answer = await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, question.confirm);
  return answer === question.confirm;
}
