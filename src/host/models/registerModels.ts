// Choosing the model: today a file picker that stores `hearth.model.path`; the model management
// issue adds the catalog, downloads and recommendations here.
import * as vscode from 'vscode';
import { withErrors, type Services } from '../services';
import { chooseModelFile } from './chooseModelFile';

export function registerModels(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(vscode.commands.registerCommand('hearth.model.choose', withErrors(services, chooseModelFile)));
}
