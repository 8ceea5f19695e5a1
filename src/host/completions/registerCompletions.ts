// Wires inline completions into VS Code: the provider for every file, the toggle and trigger
// commands, the status bar item, settings that apply without a reload, and the editor events
// that feed extra context.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isModelFileError } from '../engine/engineErrors';
import type { Services } from '../services';
import { readSettings } from '../settings';
import { CompletionService } from './completionService';
import { completionSettingIds, completionSettingsSchema, type CompletionSettings } from './completionSettings';
import { CompletionStatusBar, TOGGLE_COMPLETIONS_COMMAND } from './completionStatusBar';
import { HearthInlineCompletionProvider, toCompletionDocument } from './inlineCompletionProvider';

export const TRIGGER_COMPLETION_COMMAND = 'hearth.completions.trigger';
// An error from the model reaches the user at most this often, not at every keystroke.
const ERROR_REPEAT_MS = 60_000;

export interface CompletionsHandle {
  readonly service: CompletionService;
  readonly provider: HearthInlineCompletionProvider;
  readonly statusBarText: () => string;
  readonly statusBarTooltip: () => string;
}

export function registerCompletions(context: vscode.ExtensionContext, services: Services): CompletionsHandle {
  const { log, presentError } = services;
  let settings = readCompletionSettings(log);
  const statusBar = new CompletionStatusBar();
  statusBar.setEnabled(settings.enabled);
  context.subscriptions.push(statusBar);

  const service = new CompletionService(
    services.text,
    () => settings,
    (level, message) => log[level](message),
    (activity) => statusBar.setActivity(activity),
    (source) => services.privacy.gate.excludedReason(source) !== undefined,
  );
  context.subscriptions.push({ dispose: () => service.dispose() });

  const lastShown = new Map<string, number>();
  const onError = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log.warn(`completion failed: ${message}`);
    const now = Date.now();
    if (now - (lastShown.get(message) ?? 0) < ERROR_REPEAT_MS) return;
    lastShown.set(message, now);
    if (isModelFileError(error)) presentError(error);
  };

  const current = () => {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) return undefined;
    const position = editor.selection.active;
    return { document: toCompletionDocument(editor.document), line: position.line, character: position.character };
  };
  const noteEditor = (editor: vscode.TextEditor | undefined) => {
    if (editor === undefined || editor.document.uri.scheme === 'output') return;
    const around = editor.visibleRanges[0]?.start.line ?? editor.selection.active.line;
    service.noteContext(toCompletionDocument(editor.document), around, current);
  };

  const provider = new HearthInlineCompletionProvider(service, onError);
  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider),
    vscode.commands.registerCommand(TOGGLE_COMPLETIONS_COMMAND, async () => {
      await vscode.workspace.getConfiguration('hearth').update('completions.enabled', !settings.enabled, vscode.ConfigurationTarget.Global);
    }),
    vscode.commands.registerCommand(TRIGGER_COMPLETION_COMMAND, () => vscode.commands.executeCommand('editor.action.inlineSuggest.trigger')),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('hearth.completions')) return;
      settings = readCompletionSettings(log);
      statusBar.setEnabled(settings.enabled);
      service.clearCache();
    }),
    // A file excluded now leaves the extra context at once, and no cached suggestion outlives the change.
    services.privacy.policy.onDidChange(() => service.forgetExcluded()),
    vscode.window.onDidChangeActiveTextEditor(noteEditor),
    // The user's own cursor move or selection (keyboard or mouse), not an editor restored or opened
    // by a command: the first one in a file starts the model and reads the file in.
    vscode.window.onDidChangeTextEditorSelection((event) => {
      if (!isUserSelection(event.kind) || event.textEditor.document.uri.scheme === 'output') return;
      service.touched(toCompletionDocument(event.textEditor.document), current);
    }),
    services.engine.onDidChangeState((state) => statusBar.setModelLoading(state.kind === 'loading' ? path.basename(state.modelPath) : undefined)),
    vscode.workspace.onDidChangeTextDocument((event) => {
      const change = event.contentChanges[0];
      if (change === undefined || event.document.uri.scheme === 'output') return;
      service.noteContext(toCompletionDocument(event.document), change.range.start.line, current);
    }),
    vscode.workspace.onDidCloseTextDocument((document) => service.forgetContext(vscode.workspace.asRelativePath(document.uri, false))),
  );
  noteEditor(vscode.window.activeTextEditor);
  return { service, provider, statusBarText: () => statusBar.text, statusBarTooltip: () => statusBar.tooltip };
}

export function isUserSelection(kind: vscode.TextEditorSelectionChangeKind | undefined): boolean {
  return kind === vscode.TextEditorSelectionChangeKind.Keyboard || kind === vscode.TextEditorSelectionChangeKind.Mouse;
}

function readCompletionSettings(log: vscode.LogOutputChannel): CompletionSettings {
  return readSettings(completionSettingsSchema, completionSettingIds, (message) => log.warn(message));
}
