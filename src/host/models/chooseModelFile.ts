// `hearth.model.choose`: pick a GGUF file and store it in `hearth.model.path`.
import * as vscode from 'vscode';

export async function chooseModelFile(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Hearth: Choose a GGUF Model File',
    canSelectMany: false,
    canSelectFolders: false,
    openLabel: 'Use This Model',
    filters: { 'GGUF models': ['gguf'], 'All files': ['*'] },
  });
  const file = picked?.[0];
  if (file === undefined) return undefined;
  // User settings, not the workspace: a model path is a property of this machine.
  await vscode.workspace.getConfiguration('hearth').update('model.path', file.fsPath, vscode.ConfigurationTarget.Global);
  return file.fsPath;
}
