// Writing help beside code help: summarize or explain a selection into the chat panel, and
// rewrite a selection with a diff to accept or discard.
import * as vscode from 'vscode';
import type { RewritePreset } from '../../common/writing/writingPrompts';
import type { ChatArea } from '../chat/registerChat';
import { withErrors, type Services } from '../services';
import { REWRITE_SCHEME, RewriteController, type RewriteRequest } from './rewriteSelection';
import { runSelectionTask } from './selectionTask';

export interface WritingArea {
  readonly rewrites: RewriteController;
}

export function registerWriting(context: vscode.ExtensionContext, services: Services, chat: ChatArea): WritingArea {
  const rewrites = new RewriteController(services);
  context.subscriptions.push(
    rewrites,
    vscode.workspace.registerTextDocumentContentProvider(REWRITE_SCHEME, rewrites),
    vscode.commands.registerCommand('hearth.summarizeSelection', withErrors(services, () => runSelectionTask('summarize', services, chat))),
    vscode.commands.registerCommand('hearth.explainSelection', withErrors(services, () => runSelectionTask('explain', services, chat))),
    vscode.commands.registerCommand('hearth.rewriteSelection', withErrors(services, (request?: unknown) => rewrites.rewrite(asRewriteRequest(request)))),
    vscode.commands.registerCommand('hearth.rewrite.accept', withErrors(services, () => rewrites.accept())),
    vscode.commands.registerCommand('hearth.rewrite.discard', withErrors(services, () => rewrites.discard())),
  );
  return { rewrites };
}

/** Commands may be called with an argument (keybindings, tests); anything else means "ask". */
function asRewriteRequest(value: unknown): RewriteRequest {
  if (typeof value !== 'object' || value === null) return {};
  const { preset, instruction } = value as { preset?: unknown; instruction?: unknown };
  return {
    ...(typeof preset === 'string' && ['proofread', 'shorter', 'clearer', 'formal', 'friendlier'].includes(preset) ? { preset: preset as RewritePreset } : {}),
    ...(typeof instruction === 'string' ? { instruction } : {}),
  };
}
