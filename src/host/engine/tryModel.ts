// `hearth.generate.tryModel`: the smallest end-to-end proof. It asks for a prompt and streams
// the local model's continuation into an untitled document.
import * as vscode from 'vscode';
import { DocumentAppender } from '../documentAppender';
import type { TextResult, TextService } from '../text/textService';

export interface TryModelResult {
  readonly document: vscode.TextDocument;
  readonly result: TextResult;
}

export async function tryModel(text: TextService, promptArgument?: string): Promise<TryModelResult | undefined> {
  const prompt =
    promptArgument ??
    (await vscode.window.showInputBox({
      title: 'Hearth: Try the Local Model',
      prompt: 'Text for the local model to continue',
      placeHolder: 'Once upon a time',
      ignoreFocusOut: true,
    }));
  if (prompt === undefined || prompt.length === 0) return undefined;

  const document = await vscode.workspace.openTextDocument({ content: prompt, language: 'markdown' });
  await vscode.window.showTextDocument(document, { preview: false });
  const writer = new DocumentAppender(document);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Hearth: the local model is writing…', cancellable: true },
    async (_progress, token) => {
      const stream = text.completeStream('tryModel', prompt, { maxTokens: 256, temperature: 0.7, topP: 0.95 }, { token, sources: [] }); // only what the user typed
      for await (const delta of stream) writer.append(delta);
      return stream.result;
    },
  );
  await writer.flushed();
  return { document, result };
}
