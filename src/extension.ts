// Activation builds Hearth's services and registers each area; nothing heavy happens here: the
// model process starts on first use.
import * as vscode from 'vscode';
import { registerCompletions } from './host/completions/registerCompletions';
import { registerEngine } from './host/engine/registerEngine';
import { registerModels } from './host/models/registerModels';
import { createHearthApi, type HearthApi } from './host/hearthApi';

export type { HearthApi } from './host/hearthApi';

export function activate(context: vscode.ExtensionContext): HearthApi {
  const activationStart = performance.now();
  const log = vscode.window.createOutputChannel('Hearth', { log: true });
  context.subscriptions.push(log);

  const engine = registerEngine(context, log);
  const { services } = engine;
  registerModels(context, services);
  const completions = registerCompletions(context, services);

  const activationMs = performance.now() - activationStart;
  log.info(`Activated in ${activationMs.toFixed(1)} ms.`);
  return createHearthApi(context, { services, activationMs, engine, completions });
}

export function deactivate(): void {
  // Everything, the model process included, is disposed through context.subscriptions.
}
