// The quick pick behind the privacy shield in the status bar: every privacy action in one place.
import * as vscode from 'vscode';
import { POLICY_FILE } from './policySources';
import { SET_WORKSPACE_POLICY_COMMAND } from './setWorkspacePolicy';

interface MenuItem extends vscode.QuickPickItem {
  readonly run: () => Thenable<unknown>;
}

export async function showPrivacyMenu(): Promise<void> {
  const items: MenuItem[] = [
    {
      label: '$(shield) Set Workspace Policy…',
      description: `writes ${POLICY_FILE}`,
      run: () => vscode.commands.executeCommand(SET_WORKSPACE_POLICY_COMMAND),
    },
    { label: '$(history) Show Privacy Ledger', description: 'what was sent to a cloud model', run: () => vscode.commands.executeCommand('hearth.privacy.showLedger') },
    { label: '$(go-to-file) Open Workspace Policy File', description: POLICY_FILE, run: openPolicyFile },
    { label: '$(settings-gear) Open Privacy Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'hearth.privacy') },
    { label: '$(key) Set Cloud API Key…', run: () => vscode.commands.executeCommand('hearth.cloud.setApiKey') },
    { label: '$(trash) Clear Cloud API Key…', run: () => vscode.commands.executeCommand('hearth.cloud.clearApiKey') },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Hearth Privacy', placeHolder: 'Privacy actions' });
  if (picked === undefined) return;
  try {
    await picked.run();
  } catch (error) {
    void vscode.window.showErrorMessage(`Hearth: ${picked.label.replace(/^\$\([^)]*\)\s*/, '')} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Opens the folder's policy file; with several folders that have one, asks which; with none, offers to create one. */
async function openPolicyFile(): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const found: Array<{ readonly folder: vscode.WorkspaceFolder; readonly uri: vscode.Uri }> = [];
  for (const folder of folders) {
    const uri = vscode.Uri.joinPath(folder.uri, POLICY_FILE);
    const exists = await Promise.resolve(vscode.workspace.fs.stat(uri)).then(
      (stat) => (stat.type & vscode.FileType.File) !== 0,
      () => false,
    );
    if (exists) found.push({ folder, uri });
  }
  if (found.length === 0) {
    const create = 'Set Workspace Policy…';
    const message = folders.length === 0 ? `Hearth: open a folder first; its privacy policy lives in ${POLICY_FILE}.` : `Hearth: this workspace has no ${POLICY_FILE}.`;
    const answer = folders.length === 0 ? await vscode.window.showInformationMessage(message) : await vscode.window.showInformationMessage(message, create);
    if (answer === create) await vscode.commands.executeCommand(SET_WORKSPACE_POLICY_COMMAND);
    return;
  }
  const target =
    found.length === 1
      ? found[0]
      : (
          await vscode.window.showQuickPick(
            found.map((entry) => ({ label: entry.folder.name, description: POLICY_FILE, entry })),
            { title: 'Open Workspace Policy File', placeHolder: 'Which folder’s policy file?' },
          )
        )?.entry;
  if (target !== undefined) await vscode.window.showTextDocument(target.uri, { preview: false });
}
