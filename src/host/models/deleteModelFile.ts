// `hearth.models.delete`: removes a model file from Hearth's models folder (freeing the disk) after
// a modal confirmation naming it and its size. Only files in that folder: Hearth never deletes a
// model the user keeps elsewhere.
import { rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../../common/formatBytes';
import { forgetModelFile } from './modelRoleSettings';

export async function deleteModelFile(modelsDir: string, file: string, options: { confirmed?: boolean } = {}): Promise<boolean> {
  const resolved = path.resolve(file);
  if (path.dirname(resolved) !== path.resolve(modelsDir)) {
    throw new Error(`${resolved} is not in Hearth's models folder (${modelsDir}); Hearth deletes only the models it keeps.`);
  }
  const size = (await stat(resolved)).size;
  if (!options.confirmed) {
    const choice = await vscode.window.showWarningMessage(`Delete ${path.basename(resolved)} (${formatBytes(size)})?`, { modal: true, detail: 'The file is removed from disk.' }, 'Delete');
    if (choice !== 'Delete') return false;
  }
  await rm(resolved, { force: true });
  // No setting may point at a file that is gone.
  await forgetModelFile(resolved);
  return true;
}
