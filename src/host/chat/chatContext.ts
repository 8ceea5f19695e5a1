// What goes with a chat message from the editor: the selection and the current file (followed
// live), and files the user attaches. A file excluded from AI by the privacy policy can never be
// attached; its chip says why (the text service's gate refuses it too). A chip the user removes stays off until another file (or, for the
// selection, another selection) comes.
import * as vscode from 'vscode';
import type { Attachment } from '../../common/chat/chatPrompt';
import type { ContextChip } from '../../common/protocol/webviewProtocol';
import type { PrivacyGate } from '../privacy/privacyGate';

// Whole files beyond this are cut, with a note, so one attachment cannot fill the context.
const MAX_FILE_CHARS = 48_000;

interface Attached {
  readonly id: string;
  readonly uri: vscode.Uri;
}

export class ChatContext implements vscode.Disposable {
  private readonly attached: Attached[] = [];
  private readonly removed = new Set<string>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];
  private nextId = 0;
  /** Fires when the chips change (editor, selection, attachments). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly gate: Pick<PrivacyGate, 'excludedReason'>) {
    this.subscriptions = [
      // Another file: chips the user removed for the last one come back for this one.
      vscode.window.onDidChangeActiveTextEditor(() => {
        this.removed.clear();
        this.changeEmitter.fire();
      }),
      // A new selection is new context; a removed "current file" chip stays removed.
      vscode.window.onDidChangeTextEditorSelection(() => {
        this.removed.delete('selection');
        this.changeEmitter.fire();
      }),
      this.changeEmitter,
    ];
  }

  chips(): ContextChip[] {
    const chips: ContextChip[] = [];
    const editor = this.editor();
    if (editor !== undefined) {
      const path = relative(editor.document.uri);
      const blocked = this.blockedReason(editor.document.uri);
      const selection = editor.selection;
      if (!selection.isEmpty && !this.removed.has('selection')) {
        chips.push({ id: 'selection', kind: 'selection', label: `${path}, ${lines(selection)}`, ...(blocked === undefined ? {} : { blocked }) });
      } else if (selection.isEmpty && !this.removed.has('file')) {
        chips.push({ id: 'file', kind: 'file', label: path, ...(blocked === undefined ? {} : { blocked }) });
      }
    }
    for (const attachment of this.attached) {
      const blocked = this.blockedReason(attachment.uri);
      chips.push({ id: attachment.id, kind: 'attachment', label: relative(attachment.uri), ...(blocked === undefined ? {} : { blocked }) });
    }
    return chips;
  }

  async attachments(): Promise<Attachment[]> {
    const result: Attachment[] = [];
    const editor = this.editor();
    for (const chip of this.chips()) {
      if (chip.blocked !== undefined) continue;
      if (chip.kind === 'selection' && editor !== undefined) {
        const selection = editor.selection;
        result.push({ label: chip.label, text: editor.document.getText(selection), language: editor.document.languageId, source: sourceOf(editor.document, selection) });
      } else if (chip.kind === 'file' && editor !== undefined) {
        result.push({ label: chip.label, text: capped(editor.document.getText()), language: editor.document.languageId, source: sourceOf(editor.document) });
      } else if (chip.kind === 'attachment') {
        const attached = this.attached.find((entry) => entry.id === chip.id);
        if (attached === undefined) continue;
        const document = await vscode.workspace.openTextDocument(attached.uri);
        result.push({ label: chip.label, text: capped(document.getText()), language: document.languageId, source: sourceOf(document) });
      }
    }
    return result;
  }

  /** Attached files go with one message. */
  consumed(): void {
    this.attached.length = 0;
    this.changeEmitter.fire();
  }

  /** Adds a file; an excluded one is refused with the reason (and shows as a blocked chip). */
  attach(uri: vscode.Uri): string | undefined {
    const blocked = this.blockedReason(uri);
    if (!this.attached.some((entry) => entry.uri.toString() === uri.toString())) {
      this.nextId += 1;
      this.attached.push({ id: `attachment-${this.nextId}`, uri });
    }
    this.changeEmitter.fire();
    return blocked;
  }

  remove(id: string): void {
    const index = this.attached.findIndex((entry) => entry.id === id);
    if (index >= 0) this.attached.splice(index, 1);
    else this.removed.add(id);
    this.changeEmitter.fire();
  }

  /** Lets the user pick a workspace file to attach. */
  async pickAndAttach(): Promise<void> {
    const files = await vscode.workspace.findFiles('**/*', '**/{node_modules,.git}/**', 5000);
    const items = files
      .map((uri) => ({ label: relative(uri), description: this.blockedReason(uri), uri }))
      .sort((a, b) => a.label.localeCompare(b.label));
    const picked = await vscode.window.showQuickPick(items, { title: 'Hearth: Attach a File to the Chat', placeHolder: 'File to send with the next message', matchOnDescription: true });
    if (picked === undefined) return;
    const blocked = this.attach(picked.uri);
    if (blocked !== undefined) void vscode.window.showWarningMessage(`Hearth: ${picked.label} cannot be attached: ${blocked}.`);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private editor(): vscode.TextEditor | undefined {
    const editor = vscode.window.activeTextEditor;
    return editor !== undefined && (editor.document.uri.scheme === 'file' || editor.document.uri.scheme === 'untitled' || editor.document.uri.scheme === 'vscode-remote') ? editor : undefined;
  }

  private blockedReason(uri: vscode.Uri): string | undefined {
    return this.gate.excludedReason({ uri: uri.toString(), path: relative(uri) });
  }
}

function relative(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false).replace(/\\/g, '/');
}

function sourceOf(document: vscode.TextDocument, selection?: vscode.Selection): Attachment['source'] {
  const first = selection ? selection.start.line + 1 : 1;
  const last = selection ? (selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1) : Math.max(1, document.lineCount);
  return { uri: document.uri.toString(), path: relative(document.uri), startLine: first, endLine: last };
}

function lines(selection: vscode.Selection): string {
  const first = selection.start.line + 1;
  // A selection ending at column 0 does not include that line.
  const last = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1;
  return first === last ? `line ${first}` : `lines ${first}\u2013${last}`;
}

function capped(text: string): string {
  return text.length > MAX_FILE_CHARS ? `${text.slice(0, MAX_FILE_CHARS)}\n… (cut at ${MAX_FILE_CHARS} characters)` : text;
}

export { lines as selectionLines };
