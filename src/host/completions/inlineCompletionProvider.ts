// The VS Code side of inline completions: turns a document and position into the service's
// terms and its answer into ghost text.
import * as vscode from 'vscode';
import type { CompletionDocument, CompletionService } from './completionService';

export class HearthInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly service: CompletionService,
    private readonly onError: (error: unknown) => void,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    _context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    try {
      const outcome = await this.service.provide(toCompletionDocument(document), position.line, position.character, token);
      if (outcome === undefined || token.isCancellationRequested) return undefined;
      return [new vscode.InlineCompletionItem(outcome.text, new vscode.Range(position, position))];
    } catch (error) {
      // A keystroke must never surface an exception; the error is reported once, elsewhere.
      if (!token.isCancellationRequested) this.onError(error);
      return undefined;
    }
  }
}

// A keystroke reads the same document twice (the change event for extra context, then the
// provider): one split per document version serves both.
const converted = new WeakMap<vscode.TextDocument, { readonly version: number; readonly document: CompletionDocument }>();

export function toCompletionDocument(document: vscode.TextDocument): CompletionDocument {
  const known = converted.get(document);
  if (known !== undefined && known.version === document.version && known.document.languageId === document.languageId) return known.document;
  const result: CompletionDocument = {
    uri: document.uri.toString(),
    path: vscode.workspace.asRelativePath(document.uri, false).replace(/\\/g, '/'),
    languageId: document.languageId,
    lines: document.getText().split(/\r?\n/),
  };
  converted.set(document, { version: document.version, document: result });
  return result;
}
