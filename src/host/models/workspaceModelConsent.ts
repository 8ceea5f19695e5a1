// A model file inside a workspace loads only after the user confirms it once, naming the file:
// GGUF files are parsed by native code (llama.cpp's parser has had memory-safety bugs), and a
// repository could ship one. The confirmation is remembered for that file as it is (path, size and
// modification time), so a file replaced afterwards asks again.
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineRequestError } from '../engine/engineErrors';
import { fileIdentity, type FileIdentity } from '../fileIdentity';

const CONFIRMED_KEY = 'hearth.confirmedWorkspaceModels';
export const CONFIRM_WORKSPACE_MODEL_COMMAND = 'hearth.model.confirmWorkspaceFile';

/** A file the user confirmed, as it was then. */
type ConfirmedFile = FileIdentity;

export class WorkspaceModelConsent {
  constructor(private readonly state: vscode.Memento) {}

  /** Throws a `needsConfirmation` error for an unconfirmed model file inside a workspace folder. */
  async check(modelPath: string): Promise<void> {
    const folder = await containingFolder(modelPath);
    if (folder === undefined) return;
    const identity = await fileIdentity(modelPath);
    if (identity === undefined) return; // missing: the model process names the file in its error
    if (this.confirmed().some((file) => file.path === identity.path && file.size === identity.size && file.mtimeMs === identity.mtimeMs)) return;
    const relative = path.relative(folder, identity.path) || path.basename(identity.path);
    throw new EngineRequestError(
      'needsConfirmation',
      `The model file ${relative} is inside this workspace. Model files are read by native code, so Hearth loads one from a workspace only after you confirm it: choose "Load This Model File" if you trust it.`,
      identity.path,
    );
  }

  /** Remembers the file as it is now; returns false when it does not exist. */
  async confirm(modelPath: string): Promise<boolean> {
    const identity = await fileIdentity(modelPath);
    if (identity === undefined) return false;
    const others = this.confirmed().filter((file) => file.path !== identity.path);
    await this.state.update(CONFIRMED_KEY, [...others, identity]);
    return true;
  }

  private confirmed(): ConfirmedFile[] {
    const value = this.state.get<unknown>(CONFIRMED_KEY);
    return Array.isArray(value) ? value.filter(isConfirmedFile) : [];
  }
}

function isConfirmedFile(value: unknown): value is ConfirmedFile {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.path === 'string' && typeof record.size === 'number' && typeof record.mtimeMs === 'number';
}

/** The workspace folder the file (after links) lies in, if any. */
async function containingFolder(file: string): Promise<string | undefined> {
  const real = await realpath(file).catch(() => path.resolve(file));
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const root = await realpath(folder.uri.fsPath).catch(() => folder.uri.fsPath);
    const relative = path.relative(root, real);
    if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) return root;
  }
  return undefined;
}
