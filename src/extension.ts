// Activation builds Hearth's services and registers each area; nothing heavy happens here: the
// model process starts on first use.
import * as vscode from 'vscode';
import { registerChat } from './host/chat/registerChat';
import { registerCompletions } from './host/completions/registerCompletions';
import { registerEngine } from './host/engine/registerEngine';
import { registerModels } from './host/models/registerModels';
import { registerPrivacy } from './host/privacy/registerPrivacy';
import { createHearthApi, type HearthApi } from './host/hearthApi';
import { registerWriting } from './host/writing/registerWriting';

export type { HearthApi } from './host/hearthApi';

export function activate(context: vscode.ExtensionContext): HearthApi {
  const activationStart = performance.now();
  const log = vscode.window.createOutputChannel('Hearth', { log: true });
  context.subscriptions.push(log);

  const privacy = registerPrivacy(context, log);
  const engine = registerEngine(context, log, privacy);
  const { services } = engine;
  const models = registerModels(context, services);
  const completions = registerCompletions(context, services);
  const chat = registerChat(context, services);
  const writing = registerWriting(context, services, chat);

  const activationMs = performance.now() - activationStart;
  log.info(`Activated in ${activationMs.toFixed(1)} ms from ${context.extensionPath} (${vscode.ExtensionMode[context.extensionMode]} mode).`);
  return createHearthApi(context, { services, activationMs, engine, completions, chat, writing, models });
}

export function deactivate(): void {
  // Everything, the model process included, is disposed through context.subscriptions.
}
