// `hearth.generateTests`: unit tests for the selection, streamed into a new editor in the same
// language. A complex command: the router sends it to the cloud model only where the privacy
// policy allows (after consent under "ask"); otherwise the local model writes them.
import * as vscode from 'vscode';
import { maxAnswerTokens } from '../../common/chat/trimHistory';
import { chatMessages } from '../../common/chat/chatPrompt';
import { generateTestsPrompt } from '../../common/writing/writingPrompts';
import { readChatSettings } from '../chat/registerChat';
import { DocumentAppender } from '../documentAppender';
import type { Services } from '../services';
import type { TextResult } from '../text/textService';

export interface GeneratedTests {
  readonly document: vscode.TextDocument;
  readonly result: TextResult;
}

export async function generateTests(services: Services): Promise<GeneratedTests | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || editor.selection.isEmpty) {
    void vscode.window.showInformationMessage('Hearth: select the code to write tests for first.');
    return undefined;
  }
  const code = editor.document.getText(editor.selection);
  const source = services.privacy.gate.sourceOf(editor.document, editor.selection, code);
  const excluded = services.privacy.gate.excludedReason(source);
  if (excluded !== undefined) {
    void vscode.window.showWarningMessage(`Hearth: ${excluded}, so it is not given to the model.`);
    return undefined;
  }
  const settings = readChatSettings(services.log);
  const language = editor.document.languageId;
  const document = await vscode.workspace.openTextDocument({ content: '', language });
  await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  const writer = new DocumentAppender(document);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Hearth: writing tests for ${source.path}…`, cancellable: true },
    async (_progress, token) => {
      const model = await services.text.ensureModel('generateTests');
      const stream = services.text.chat(
        'generateTests',
        { messages: chatMessages([{ role: 'user', content: generateTestsPrompt(code, language) }]), sampling: { maxTokens: maxAnswerTokens(settings.maxTokens, model.contextSize), temperature: settings.temperature } },
        { token, sources: [source] },
      );
      for await (const delta of stream) writer.append(delta);
      return stream.result;
    },
  );
  await writer.flushed();
  await unfence(document);
  return { document, result };
}

/** An answer that is one fenced block becomes just its code. */
async function unfence(document: vscode.TextDocument): Promise<void> {
  const match = /^\s*```[\w+-]*\n([\s\S]*?)\n```\s*$/.exec(document.getText());
  if (match?.[1] === undefined) return;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), `${match[1]}\n`);
  await vscode.workspace.applyEdit(edit);
}
