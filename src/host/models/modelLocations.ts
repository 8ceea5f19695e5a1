// Where Hearth looks for the model to load, from the extension's context and the live settings:
// one place for the engine (what to load) and the chat panel (whether there is anything to load).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readEngineSettings } from '../settings';
import { resolveModels, type ModelSearch, type ResolvedModel, type ResolvedRoles } from './modelResolver';

export function modelSearch(context: vscode.ExtensionContext, warn: (message: string) => void): ModelSearch {
  const settings = readEngineSettings(warn);
  return {
    settingPath: settings.modelPath,
    completionPath: settings.completionModelPath,
    chatPath: settings.chatModelPath,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    storageDir: path.join(context.globalStorageUri.fsPath, 'models'),
    legacyStorageDir: context.globalStorageUri.fsPath,
    devModelsDir: context.asAbsolutePath('models'),
  };
}

/** The chat model that would load now, or undefined when none is set or found (first run). */
export async function findModel(context: vscode.ExtensionContext, warn: (message: string) => void): Promise<ResolvedModel | undefined> {
  return (await findModels(context, warn))?.chat;
}

/** The model each role would load now, or undefined when none is set or found (first run). */
export async function findModels(context: vscode.ExtensionContext, warn: (message: string) => void): Promise<ResolvedRoles | undefined> {
  return resolveModels(modelSearch(context, warn)).catch(() => undefined);
}
