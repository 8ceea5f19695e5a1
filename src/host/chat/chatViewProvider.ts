// The "Chat" webview view in Hearth's activity bar container. It loads the panel (CSP with a
// nonce, resources only from dist/ and media/), checks every message from the webview against
// the protocol (dropping and logging what fails), and carries out what the panel asks: send,
// stop, new chat, history, attachments, code-block actions, and links (after the user confirms).
import * as vscode from 'vscode';
import { hostToWebviewSchema, parseMessage, webviewToHostSchema, type HostToWebview, type WebviewToHost } from '../../common/protocol/webviewProtocol';
import { chatHtml, createNonce } from './chatHtml';
import type { ChatContext } from './chatContext';
import type { ChatSession } from './chatSession';

export const CHAT_VIEW_ID = 'hearth.chat';

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private viewSubscriptions: vscode.Disposable[] = [];
  private readonly sessionSubscription: { dispose(): void };
  private readyEmitter = new vscode.EventEmitter<void>();
  /** Fires each time a panel finished its handshake (tests wait on it). */
  readonly onDidBecomeReady = this.readyEmitter.event;
  /** Messages dropped because they failed the protocol, for tests and the log. */
  droppedMessages = 0;
  /** Everything posted to the panel since it was last loaded (for tests). */
  readonly posted: HostToWebview[] = [];
  /** The chips the panel shows, so a cursor move that changes none posts nothing. */
  private shownChips = '';

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ChatSession,
    private readonly context: ChatContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly actions: { chooseModel(): Thenable<unknown>; getModel(): Thenable<unknown>; importModel(): Thenable<unknown> },
  ) {
    this.sessionSubscription = session.onMessage((message) => this.post(message));
  }

  get isVisible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const webview = view.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...path)).toString();
    webview.html = chatHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: asset('dist', 'webview.js'),
      styleUri: asset('media', 'chat.css'),
      codiconsUri: asset('dist', 'codicons', 'codicon.css'),
    });
    this.viewSubscriptions.push(
      webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      view.onDidDispose(() => {
        if (this.view === view) this.disposeView();
      }),
      this.context.onDidChange(() => {
        const chips = this.context.chips();
        if (JSON.stringify(chips) !== this.shownChips) this.post({ type: 'chips', chips });
      }),
    );
  }

  /** Parses and carries out one message from the panel; never throws. */
  async receive(raw: unknown): Promise<void> {
    const parsed = parseMessage(webviewToHostSchema, raw);
    if (!parsed.ok) {
      this.droppedMessages += 1;
      this.log.warn(`Dropped a malformed message from the chat panel: ${parsed.error}`);
      return;
    }
    try {
      await this.handle(parsed.message);
    } catch (error) {
      this.log.error(`The chat panel's ${parsed.message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  post(message: HostToWebview): void {
    // Our own messages are checked too: a bug here must show in the log, not as a broken panel.
    const checked = hostToWebviewSchema.safeParse(message);
    if (!checked.success) {
      this.log.error(`Not sending a malformed ${message.type} message to the chat panel: ${checked.error.issues[0]?.message ?? ''}`);
      return;
    }
    if (message.type === 'chips' || message.type === 'init') this.shownChips = JSON.stringify(message.chips);
    this.posted.push(message);
    if (this.posted.length > 5000) this.posted.splice(0, this.posted.length - 5000);
    void this.view?.webview.postMessage(message);
  }

  dispose(): void {
    this.disposeView();
    this.sessionSubscription.dispose();
    this.readyEmitter.dispose();
  }

  private async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.posted.length = 0;
        this.post(await this.session.initMessage());
        this.readyEmitter.fire();
        return;
      case 'send':
        await this.session
          .send(message.text, { ...(message.replaceFrom === undefined ? {} : { replaceFrom: message.replaceFrom }), ...(message.cloud ? { task: 'askCloud' as const } : {}) })
          .catch(() => undefined);
        return;
      case 'stop':
        this.session.stop();
        return;
      case 'newChat':
        await this.session.newChat();
        return;
      case 'showHistory':
        this.post({ type: 'history', items: await this.session.history() });
        return;
      case 'openConversation':
        await this.session.open(message.id);
        return;
      case 'deleteConversation':
        await this.session.delete(message.id);
        return;
      case 'attachFile':
        await this.context.pickAndAttach();
        return;
      case 'removeChip':
        this.context.remove(message.id);
        return;
      case 'copyCode':
        await vscode.env.clipboard.writeText(message.code);
        void vscode.window.setStatusBarMessage('$(check) Hearth: code copied', 2000);
        return;
      case 'insertCode':
        await insertIntoEditor(message.code, 'insert');
        return;
      case 'replaceSelection':
        await insertIntoEditor(message.code, 'replace');
        return;
      case 'openLink':
        await openLinkAfterConfirming(message.href);
        return;
      case 'chooseModel':
        await this.actions.chooseModel();
        return;
      case 'getModel':
        await this.actions.getModel();
        return;
      case 'importModel':
        await this.actions.importModel();
        return;
    }
  }

  private disposeView(): void {
    for (const subscription of this.viewSubscriptions) subscription.dispose();
    this.viewSubscriptions = [];
    this.view = undefined;
  }
}

/** Puts code from an answer into the last active editor: at the cursor, or over the selection. */
async function insertIntoEditor(code: string, how: 'insert' | 'replace'): Promise<void> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (editor === undefined) {
    void vscode.window.showWarningMessage('Hearth: open a file to put the code in first.');
    return;
  }
  await editor.edit((edit) => {
    for (const selection of editor.selections) {
      if (how === 'replace' || !selection.isEmpty) edit.replace(selection, code);
      else edit.insert(selection.active, code);
    }
  });
}

const SAFE_SCHEMES = new Set(['http', 'https', 'mailto']);

/** Opens a link from an answer only after the user says yes: model output must not open URLs on its own. */
async function openLinkAfterConfirming(href: string): Promise<void> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(href, true);
  } catch {
    return;
  }
  if (!SAFE_SCHEMES.has(uri.scheme)) {
    void vscode.window.showWarningMessage(`Hearth: not opening a ${uri.scheme}: link from a chat answer.`);
    return;
  }
  const choice = await vscode.window.showWarningMessage(`Open this link from the chat answer?\n${href}`, { modal: true }, 'Open');
  if (choice === 'Open') await vscode.env.openExternal(uri);
}
