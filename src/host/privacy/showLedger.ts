// The privacy ledger as a quick pick: every escalation to a cloud model and every model download,
// newest first, filterable by command, endpoint, model, file or download host; Enter opens the full
// record; title-bar buttons export or clear.
import * as vscode from 'vscode';
import { formatLedgerEntry, isDownloadEntry, type LedgerEntry } from '../../common/policy/ledgerEntry';
import type { PrivacyLedger } from './privacyLedger';

export const EMPTY_LEDGER_MESSAGE = 'No escalations: nothing has left this machine.';
export const EXPORT_FILE_NAME = 'hearth-privacy-ledger.jsonl';

interface LedgerItem extends vscode.QuickPickItem {
  /** Absent on the "nothing here" item. */
  readonly entry?: LedgerEntry;
}

const OUTCOME_ICONS: Record<LedgerEntry['outcome'], string> = {
  sent: 'cloud-upload',
  downloaded: 'cloud-download',
  failed: 'error',
  cancelled: 'circle-slash',
};

/**
 * Shows the ledger and resolves once the list is on screen (not when it closes, so a command that
 * awaits this does not hang while the user reads). Everything it creates is disposed when the
 * pick hides.
 */
export async function showLedger(ledger: PrivacyLedger, log: (message: string) => void): Promise<void> {
  const pick = vscode.window.createQuickPick<LedgerItem>();
  const exportButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('export'), tooltip: 'Export…' };
  const clearButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('clear-all'), tooltip: 'Clear' };
  let open = true;

  // A refresh started later wins, so a slow read never overwrites a newer list.
  let generation = 0;
  const refresh = async (): Promise<void> => {
    const mine = ++generation;
    pick.busy = true;
    try {
      const { entries, skipped } = await ledger.read();
      if (!open || mine !== generation) return;
      if (skipped > 0) log(`Privacy ledger: skipped ${skipped} unreadable line${skipped === 1 ? '' : 's'} in ${ledger.file}.`);
      render(pick, entries);
    } catch (error) {
      if (!open || mine !== generation) return;
      log(`Could not read the privacy ledger ${ledger.file}: ${describe(error)}`);
      pick.title = 'Hearth Privacy Ledger (could not be read; see the log)';
      pick.placeholder = `Could not read ${ledger.file}`;
      pick.items = [];
    } finally {
      if (open && mine === generation) pick.busy = false;
    }
  };

  const disposables: vscode.Disposable[] = [
    // An escalation made while the list is open shows up in it.
    new vscode.Disposable(ledger.onDidAppend(() => void refresh()).dispose),
    pick.onDidAccept(() => {
      const entry = pick.selectedItems[0]?.entry;
      if (entry === undefined) return;
      pick.hide();
      void openEntry(entry, log);
    }),
    pick.onDidTriggerButton((button) => {
      if (button === exportButton) {
        // The save dialog takes the focus (in the browser it is itself a quick input), so step aside.
        pick.hide();
        void exportLedger(ledger, log);
      } else if (button === clearButton) {
        void clearLedger(ledger, pick, () => open, refresh, log);
      }
    }),
    pick.onDidHide(() => {
      open = false;
      vscode.Disposable.from(...disposables).dispose();
      pick.dispose();
    }),
  ];

  pick.title = 'Hearth Privacy Ledger';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.buttons = [exportButton, clearButton];
  pick.show();
  await refresh();
}

function render(pick: vscode.QuickPick<LedgerItem>, entries: readonly LedgerEntry[]): void {
  const count = entries.length;
  const downloads = entries.filter(isDownloadEntry).length;
  const escalations = count - downloads;
  const parts = [`${escalations} escalation${escalations === 1 ? '' : 's'}`, ...(downloads === 0 ? [] : [`${downloads} download${downloads === 1 ? '' : 's'}`])];
  pick.title = `Hearth Privacy Ledger (${parts.join(', ')}; stays on this machine)`;
  if (count === 0) {
    pick.placeholder = EMPTY_LEDGER_MESSAGE;
    pick.items = [{ label: EMPTY_LEDGER_MESSAGE, iconPath: new vscode.ThemeIcon('shield'), alwaysShow: true }];
    return;
  }
  pick.placeholder = 'Filter by command, endpoint, model, file or download host; Enter opens the full record';
  // Appended in time order, so the newest is last in the file.
  pick.items = [...entries].reverse().map((entry) => ({
    ...formatLedgerEntry(entry),
    iconPath: new vscode.ThemeIcon(OUTCOME_ICONS[entry.outcome]),
    entry,
  }));
}

async function openEntry(entry: LedgerEntry, log: (message: string) => void): Promise<void> {
  try {
    const document = await vscode.workspace.openTextDocument({ language: 'json', content: `${JSON.stringify(entry, null, 2)}\n` });
    await vscode.window.showTextDocument(document, { preview: true });
    // A record to read, not to edit; best effort, as older hosts lack the command.
    await Promise.resolve(vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession')).catch(() => undefined);
  } catch (error) {
    log(`Could not open the privacy ledger entry: ${describe(error)}`);
  }
}

async function exportLedger(ledger: PrivacyLedger, log: (message: string) => void): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'Export the Hearth Privacy Ledger',
    saveLabel: 'Export',
    defaultUri: folder ? vscode.Uri.joinPath(folder, EXPORT_FILE_NAME) : undefined,
    filters: { 'JSON Lines': ['jsonl'] },
  });
  if (target === undefined) return;
  try {
    if (target.scheme === 'file') {
      await ledger.exportTo(target.fsPath);
    } else {
      // A remote or virtual destination: read the ledger here and write it through VS Code.
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(ledger.file)).then(
        (content) => content,
        (error: unknown) => {
          if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return new Uint8Array();
          throw error;
        },
      );
      await vscode.workspace.fs.writeFile(target, bytes);
    }
    log(`Exported the privacy ledger to ${target.toString(true)}.`);
    void vscode.window.showInformationMessage(`Exported the Hearth privacy ledger to ${target.scheme === 'file' ? target.fsPath : target.toString(true)}.`);
  } catch (error) {
    log(`Could not export the privacy ledger: ${describe(error)}`);
    void vscode.window.showErrorMessage(`Could not export the Hearth privacy ledger: ${describe(error)}`);
  }
}

async function clearLedger(
  ledger: PrivacyLedger,
  pick: vscode.QuickPick<LedgerItem>,
  isOpen: () => boolean,
  refresh: () => Promise<void>,
  log: (message: string) => void,
): Promise<void> {
  // Keep the list up behind the modal dialog, so the user sees it empty afterwards.
  pick.ignoreFocusOut = true;
  const answer = await vscode.window.showWarningMessage('Clear the privacy ledger? This cannot be undone.', { modal: true }, 'Clear');
  if (isOpen()) pick.ignoreFocusOut = false;
  if (answer !== 'Clear') return;
  try {
    await ledger.clear();
    log('Cleared the privacy ledger.');
    if (isOpen()) await refresh();
    else void vscode.window.showInformationMessage('Cleared the Hearth privacy ledger.');
  } catch (error) {
    log(`Could not clear the privacy ledger: ${describe(error)}`);
    void vscode.window.showErrorMessage(`Could not clear the Hearth privacy ledger: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
