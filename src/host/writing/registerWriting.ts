// Writing help beside code help: summarize or explain a selection into the chat panel, and
// rewrite a selection with a diff to accept or discard; and the complex commands (Explain in
// Depth, Refactor Selection…, Generate Tests), which the router may send to a cloud model.
import * as vscode from 'vscode';
import type { RewritePreset } from '../../common/writing/writingPrompts';
import type { ChatArea } from '../chat/registerChat';
import { withErrors, type Services } from '../services';
import { REWRITE_SCHEME, RewriteController, type RewriteRequest } from './rewriteSelection';
import { generateTests } from './generateTests';
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
    // The complex commands: they escalate to the cloud model only where the privacy policy allows.
    vscode.commands.registerCommand('hearth.explainInDepth', withErrors(services, () => runSelectionTask('explainInDepth', services, chat))),
    vscode.commands.registerCommand('hearth.refactorSelection', withErrors(services, (request?: unknown) => rewrites.rewrite({ ...asRewriteRequest(request), task: 'refactor' }))),
    vscode.commands.registerCommand('hearth.generateTests', withErrors(services, () => generateTests(services))),
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
