// Turns engine errors into messages with the action that fixes them.
import * as vscode from 'vscode';
import { CONFIRM_WORKSPACE_MODEL_COMMAND } from '../models/workspaceModelConsent';
import { EngineRequestError, isModelFileError } from './engineErrors';

export const CHOOSE_MODEL_ACTION = 'Choose Model File…';
export const OPEN_SETTINGS_ACTION = 'Open Settings';
export const RESTART_ACTION = 'Restart';
export const SHOW_LOG_ACTION = 'Show Log';
export const LOAD_WORKSPACE_MODEL_ACTION = 'Load This Model File';

export async function presentEngineError(error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  if (isModelFileError(error)) {
    const choice = await vscode.window.showErrorMessage(`Hearth: ${message}`, CHOOSE_MODEL_ACTION, OPEN_SETTINGS_ACTION);
    if (choice === CHOOSE_MODEL_ACTION) await vscode.commands.executeCommand('hearth.model.choose');
    if (choice === OPEN_SETTINGS_ACTION) await vscode.commands.executeCommand('workbench.action.openSettings', 'hearth.model');
    return;
  }
  if (error instanceof EngineRequestError && error.kind === 'needsConfirmation' && error.path !== undefined) {
    const choice = await vscode.window.showWarningMessage(`Hearth: ${message}`, LOAD_WORKSPACE_MODEL_ACTION, CHOOSE_MODEL_ACTION);
    if (choice === LOAD_WORKSPACE_MODEL_ACTION) await vscode.commands.executeCommand(CONFIRM_WORKSPACE_MODEL_COMMAND, error.path);
    if (choice === CHOOSE_MODEL_ACTION) await vscode.commands.executeCommand('hearth.model.choose');
    return;
  }
  if (error instanceof EngineRequestError && error.kind === 'unavailable') {
    const choice = await vscode.window.showErrorMessage(`Hearth: ${message}`, RESTART_ACTION, SHOW_LOG_ACTION);
    if (choice === RESTART_ACTION) await vscode.commands.executeCommand('hearth.engine.restart');
    if (choice === SHOW_LOG_ACTION) await vscode.commands.executeCommand('hearth.showLog');
    return;
  }
  const choice = await vscode.window.showErrorMessage(`Hearth: ${message}`, SHOW_LOG_ACTION);
  if (choice === SHOW_LOG_ACTION) await vscode.commands.executeCommand('hearth.showLog');
}
