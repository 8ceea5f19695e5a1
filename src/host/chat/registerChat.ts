// The chat panel: the session (conversation, streaming, history), the editor context that goes
// with a message, and the webview view that shows it, in the "Hearth" activity bar container.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineView } from '../../common/protocol/webviewProtocol';
import { EngineRequestError } from '../engine/engineErrors';
import type { EngineState } from '../engine/engineSupervisor';
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
  const session = new ChatSession({
    text: services.text,
    store,
    settings: () => readChatSettings(log),
    context: chatContext,
    engineView: () => engineView(services.engine.state),
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
  });
  context.subscriptions.push(
    chatContext,
    view,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view),
    services.engine.onDidChangeState((state) => session.post({ type: 'engine', engine: engineView(state) })),
    vscode.commands.registerCommand('hearth.chat.new', () => session.newChat()),
    vscode.commands.registerCommand('hearth.chat.stop', () => session.stop()),
    vscode.commands.registerCommand('hearth.chat.attachFile', () => chatContext.pickAndAttach()),
  );
  const reveal = async () => {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  };
  return { session, view, context: chatContext, storageDir: storage, reveal };
}

function engineView(state: EngineState): EngineView {
  switch (state.kind) {
    case 'loading':
      return { kind: 'loading', model: path.basename(state.modelPath) };
    case 'ready':
    case 'generating':
      return { kind: state.kind, model: state.model.name };
    case 'error':
      if (state.error instanceof EngineRequestError && state.error.kind === 'noModel') return { kind: 'noModel', message: state.error.message };
      return { kind: 'error', message: state.error.message };
    case 'restarting':
      return { kind: 'restarting' };
    case 'notLoaded':
      return { kind: 'notLoaded' };
  }
}
