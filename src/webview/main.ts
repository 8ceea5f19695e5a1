// The chat webview's browser entry: builds the panel, restores the draft, says `ready` (the host
// answers with `init`, also every time the view is shown again), and applies each host message that
// passes the protocol; anything else is logged and dropped.
import DOMPurify from 'dompurify';
import { hostToWebviewSchema, parseMessage, type WebviewToHost } from '../common/protocol/webviewProtocol';
import { ChatView } from './chatView';

interface WebviewState {
  draft?: string;
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: WebviewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as WebviewState | undefined;
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));

const view = new ChatView(
  root,
  {
    post: (message) => vscode.postMessage(message),
    saveDraft: (draft) => vscode.setState({ draft }),
  },
  DOMPurify,
  typeof saved?.draft === 'string' ? saved.draft : '',
);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  try {
    const parsed = parseMessage(hostToWebviewSchema, event.data);
    if (!parsed.ok) {
      console.warn(`Hearth: dropped an invalid message from the host (${parsed.error})`);
      return;
    }
    view.handle(parsed.message);
  } catch (error) {
    console.error('Hearth: failed to apply a host message', error);
  }
});

vscode.postMessage({ type: 'ready' });
