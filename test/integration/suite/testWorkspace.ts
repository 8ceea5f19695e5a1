// What the integration suites do to the workspace and the settings, in one place: user settings
// under `hearth.`, files in the sample workspace, and opening a file with given text.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

/** Sets (or, with undefined, removes) a `hearth.*` user setting. */
export async function setting(id: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('hearth').update(id, value, vscode.ConfigurationTarget.Global);
}

export function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

export async function writeWorkspaceFile(relative: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(relative);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

/** Writes `text` to a workspace file and shows it; `selectAll` selects every line. */
export async function openWith(relative: string, text: string, options: { selectAll?: boolean } = {}): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(await writeWorkspaceFile(relative, text));
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  if (options.selectAll) editor.selection = new vscode.Selection(0, 0, document.lineCount - 1, 0);
  return editor;
}
