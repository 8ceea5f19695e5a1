// The chat panel: the session (conversation, streaming, history), the editor context that goes
// with a message, and the webview view that shows it, in the "Hearth" activity bar container.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineView } from '../../common/protocol/webviewProtocol';
import { EngineRequestError } from '../engine/engineErrors';
import type { EngineState } from '../engine/engineSupervisor';
import { recommendModels } from '../../common/models/recommendModels';
import { machineHardware } from '../models/machineHardware';
import { bundledModelCatalog } from '../models/modelCatalog';
import { findModel } from '../models/modelLocations';
import { modelPathSettings } from '../engine/engineSettings';
import type { Services } from '../services';
import { readSettings } from '../settings';
import { ChatContext } from './chatContext';
import { ChatSession } from './chatSession';
import { chatSettingIds, chatSettingsSchema, type ChatSettings } from './chatSettings';
import { CHAT_VIEW_ID, ChatViewProvider } from './chatViewProvider';
import { ConversationStore } from './conversationStore';

export interface ChatArea {
  readonly session: ChatSession;
  readonly view: ChatViewProvider;
  readonly context: ChatContext;
  /** Where conversations are kept (workspace storage). */
  readonly storageDir: string;
  /** Shows the chat panel (and creates it if needed). */
  reveal(): Promise<void>;
}

const LAST_CONVERSATION_KEY = 'hearth.chat.lastConversation';

export function readChatSettings(log: vscode.LogOutputChannel): ChatSettings {
  return readSettings(chatSettingsSchema, chatSettingIds, (message) => log.warn(message));
}

export function registerChat(context: vscode.ExtensionContext, services: Services): ChatArea {
  const { log } = services;
  const storage = context.storageUri?.fsPath ?? path.join(context.globalStorageUri.fsPath, 'no-workspace');
  const store = new ConversationStore(path.join(storage, 'conversations'), (message) => log.warn(message));
  const chatContext = new ChatContext(services.privacy.gate);
  // First run: no model set or found. The panel says so with a way to get one, before any request.
  let firstRun: EngineView | undefined;
  const checkFirstRun = async () => {
    const found = await findModel(context, (message) => log.warn(message));
    const next: EngineView | undefined = found === undefined ? { kind: 'noModel', message: firstRunMessage() } : undefined;
    if (JSON.stringify(next) === JSON.stringify(firstRun)) return;
    firstRun = next;
    session.post({ type: 'engine', engine: firstRun ?? engineView(services.engine.state) });
  };
  const session = new ChatSession({
    text: services.text,
    store,
    settings: () => readChatSettings(log),
    context: chatContext,
    engineView: () => firstRun ?? engineView(services.engine.state),
    log: (level, message) => log[level](message),
    // The panel shows the error under the answer; a broken model file also gets its fix-it message.
    onError: (error) => {
      if (error instanceof EngineRequestError && error.kind !== 'crashed') services.presentError(error);
    },
    lastConversation: {
      get: () => context.workspaceState.get<string>(LAST_CONVERSATION_KEY),
      set: (id) => context.workspaceState.update(LAST_CONVERSATION_KEY, id),
    },
  });
  const view = new ChatViewProvider(context.extensionUri, session, chatContext, log, {
    chooseModel: () => vscode.commands.executeCommand('hearth.model.choose'),
    getModel: () => vscode.commands.executeCommand('hearth.models.manage'),
    importModel: () => vscode.commands.executeCommand('hearth.models.import'),
  });
  context.subscriptions.push(
    chatContext,
    view,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view),
    services.engine.onDidChangeState((state) => {
      if (state.kind !== 'notLoaded') firstRun = undefined;
      session.post({ type: 'engine', engine: engineView(state) });
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (modelPathSettings.some((id) => event.affectsConfiguration(id))) void checkFirstRun();
    }),
    vscode.commands.registerCommand('hearth.chat.new', () => session.newChat()),
    vscode.commands.registerCommand('hearth.chat.stop', () => session.stop()),
    vscode.commands.registerCommand('hearth.chat.attachFile', () => chatContext.pickAndAttach()),
  );
  void checkFirstRun();
  const reveal = async () => {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  };
  return { session, view, context: chatContext, storageDir: storage, reveal };
}

function engineView(state: EngineState): EngineView {
  switch (state.kind) {
    case 'loading':
      return { kind: 'loading', model: path.basename(state.chatModelPath ?? state.modelPath) };
    case 'ready':
    case 'generating':
      // The panel names the model that answers in it: the chat role's.
      return { kind: state.kind, model: state.model.chat?.name ?? state.model.name };
    case 'error':
      if (state.error instanceof EngineRequestError && state.error.kind === 'noModel') return { kind: 'noModel', message: state.error.message };
      return { kind: 'error', message: state.error.message };
    case 'restarting':
      return { kind: 'restarting' };
    case 'notLoaded':
      return { kind: 'notLoaded' };
  }
}

/** What the panel says on first run: no model yet, and which ones would suit this machine. */
function firstRunMessage(): string {
  const picks = recommendModels(machineHardware(), bundledModelCatalog());
  const name = (pick: { modelId: string; quantization: string } | undefined) => pick && `${bundledModelCatalog().models.find((model) => model.id === pick.modelId)?.name ?? pick.modelId} ${pick.quantization}`;
  const parts = [name(picks.completion) && `${name(picks.completion)} for completions`, name(picks.chat) && `${name(picks.chat)} for chat`].filter(Boolean);
  const advice = parts.length > 0 ? ` Recommended for this machine: ${parts.join(', ')}.` : '';
  return `No model yet.${advice} Get one (downloaded after a click), or import a GGUF file you have.`;
}
