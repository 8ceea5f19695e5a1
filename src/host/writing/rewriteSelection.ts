// `hearth.rewriteSelection`: pick how to rewrite (Proofread, Shorter, Clearer, More formal,
// Friendlier, or your own instruction), let the local model write it, and show the result as a
// diff against the original with Accept and Discard. Accept is one WorkspaceEdit, so one Undo
// puts the original back.
import * as vscode from 'vscode';
import { maxAnswerTokens } from '../../common/chat/trimHistory';
import { cleanRewrite, REWRITE_PRESETS, rewritePrompt, type RewritePreset } from '../../common/writing/writingPrompts';
import { readChatSettings } from '../chat/registerChat';
import type { Services } from '../services';
import { askOnce } from './askOnce';

export const REWRITE_SCHEME = 'hearth-rewrite';

export interface RewriteRequest {
  readonly preset?: RewritePreset;
  readonly instruction?: string;
  /** `refactor` is "Refactor Selection…", a complex command (the cloud model where the policy allows). */
  readonly task?: 'rewrite' | 'refactor';
}

export interface PendingRewrite {
  readonly document: vscode.TextDocument;
  readonly range: vscode.Range;
  readonly version: number;
  readonly original: string;
  readonly proposed: string;
  readonly proposedUri: vscode.Uri;
}

/** Holds the rewrite on show and serves its proposed text to the diff editor. */
export class RewriteController implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private pendingRewrite: PendingRewrite | undefined;
  private counter = 0;
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly services: Services) {}

  get pending(): PendingRewrite | undefined {
    return this.pendingRewrite;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const pending = this.pendingRewrite;
    if (pending === undefined || pending.proposedUri.toString() !== uri.toString()) return '';
    const text = pending.document.getText();
    const start = pending.document.offsetAt(pending.range.start);
    const end = pending.document.offsetAt(pending.range.end);
    return text.slice(0, start) + pending.proposed + text.slice(end);
  }

  async rewrite(request: RewriteRequest = {}): Promise<PendingRewrite | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.selection.isEmpty) {
      void vscode.window.showInformationMessage('Hearth: select the text to rewrite first.');
      return undefined;
    }
    const document = editor.document;
    const range = new vscode.Range(editor.selection.start, editor.selection.end);
    const original = document.getText(range);
    const source = this.services.privacy.gate.sourceOf(document, range, original);
    const path = source.path;
    const excluded = this.services.privacy.gate.excludedReason(source);
    if (excluded !== undefined) {
      void vscode.window.showWarningMessage(`Hearth: ${excluded}, so it is not given to the model.`);
      return undefined;
    }
    const task = request.task ?? 'rewrite';
    const instruction =
      request.instruction ?? (request.preset !== undefined ? REWRITE_PRESETS[request.preset].instruction : task === 'refactor' ? await askRefactoring() : await pickInstruction());
    if (instruction === undefined || instruction.trim().length === 0) return undefined;
    const version = document.version;
    const settings = readChatSettings(this.services.log);

    const answer = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: task === 'refactor' ? 'Hearth: refactoring the selection…' : 'Hearth: rewriting the selection…', cancellable: true },
      async (_progress, token) => {
        const model = await this.services.text.ensureModel(task);
        const maxTokens = maxAnswerTokens(settings.maxTokens, model.contextSize);
        return askOnce(this.services.text, task, rewritePrompt(original, instruction), { maxTokens, temperature: settings.temperature }, token, [source]);
      },
    );
    if (answer === undefined) return undefined;
    const proposed = cleanRewrite(answer, original);
    this.counter += 1;
    const proposedUri = vscode.Uri.from({ scheme: REWRITE_SCHEME, path: `/${this.counter}/${path.split('/').pop() ?? 'rewrite'}` });
    this.pendingRewrite = { document, range, version, original, proposed, proposedUri };
    this.changeEmitter.fire(proposedUri);
    await vscode.commands.executeCommand('setContext', 'hearth.rewritePending', true);
    await vscode.commands.executeCommand('vscode.diff', document.uri, proposedUri, `Hearth rewrite: ${path} (original ↔ proposed)`, { preview: true });
    void vscode.window
      .showInformationMessage('Hearth: apply the rewrite shown in the diff?', 'Accept', 'Discard')
      .then((choice) => {
        if (choice === 'Accept') return vscode.commands.executeCommand('hearth.rewrite.accept');
        if (choice === 'Discard') return vscode.commands.executeCommand('hearth.rewrite.discard');
        return undefined;
      });
    return this.pendingRewrite;
  }

  /** Applies the pending rewrite as one edit (one Undo reverts it). */
  async accept(): Promise<boolean> {
    const pending = this.pendingRewrite;
    if (pending === undefined) return false;
    if (pending.document.version !== pending.version) {
      await this.clear();
      void vscode.window.showWarningMessage('Hearth: the document changed after the rewrite was made; run the rewrite again.');
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(pending.document.uri, pending.range, pending.proposed);
    const applied = await vscode.workspace.applyEdit(edit);
    await this.clear();
    await vscode.window.showTextDocument(pending.document, { preview: false });
    return applied;
  }

  async discard(): Promise<void> {
    await this.clear();
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }

  private async clear(): Promise<void> {
    const pending = this.pendingRewrite;
    this.pendingRewrite = undefined;
    await vscode.commands.executeCommand('setContext', 'hearth.rewritePending', false);
    if (pending === undefined) return;
    // Close the diff editor that shows the proposal.
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputTextDiff && input.modified.toString() === pending.proposedUri.toString()) await vscode.window.tabGroups.close(tab);
      }
    }
  }
}

async function askRefactoring(): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Hearth: Refactor Selection',
    prompt: 'How should the selected code be refactored?',
    value: 'Refactor for readability and maintainability without changing behaviour.',
    ignoreFocusOut: true,
  });
}

async function pickInstruction(): Promise<string | undefined> {
  const items: Array<vscode.QuickPickItem & { instruction?: string }> = [
    ...Object.values(REWRITE_PRESETS).map((preset) => ({ label: preset.label, detail: preset.instruction, instruction: preset.instruction })),
    { label: 'Custom instruction…', detail: 'Say how to rewrite it' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Hearth: Rewrite Selection', placeHolder: 'How should the selection be rewritten?' });
  if (picked === undefined) return undefined;
  if (picked.instruction !== undefined) return picked.instruction;
  return vscode.window.showInputBox({ title: 'Hearth: Rewrite Selection', prompt: 'How should the selection be rewritten?', placeHolder: 'e.g. Use British spelling' });
}
