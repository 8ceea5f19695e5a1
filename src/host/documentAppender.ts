// Streams text into the end of a document (Try the Local Model, Generate Tests).
import * as vscode from 'vscode';

/** Appends streamed text in order; edits are applied one after another, never interleaved. */
export class DocumentAppender {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly document: vscode.TextDocument) {}

  append(text: string): void {
    this.chain = this.chain.then(async () => {
      const edit = new vscode.WorkspaceEdit();
      const end = this.document.lineAt(this.document.lineCount - 1).range.end;
      edit.insert(this.document.uri, end, text);
      await vscode.workspace.applyEdit(edit);
    });
  }

  flushed(): Promise<unknown> {
    return this.chain;
  }
}
