// `hearth.model.choose`: pick a GGUF file and store it in `hearth.model.path`, for both roles.
import * as vscode from 'vscode';
import { useModelForBoth } from './modelRoleSettings';

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
  await useModelForBoth(file.fsPath);
  return file.fsPath;
}
