// The chat panel: toolbar (New Chat, History), the conversation, notices, the engine line and the
// composer, with the history overlay on top. It applies each (already validated) host message and
// posts the user's actions; it knows nothing of how messages travel.
import type { DOMPurify } from 'dompurify';
import type { HostToWebview, WebviewToHost } from '../common/protocol/webviewProtocol';
import { Composer } from './composer';
import { el, iconButton } from './el';
import { EngineStatus } from './engineStatus';
import { HistoryPanel } from './historyPanel';
import { MessageList } from './messageList';
import { NoticeArea } from './noticeArea';

export interface ChatViewHost {
  post(message: WebviewToHost): void;
  /** Keeps the unsent text across the view being hidden and shown again. */
  saveDraft(draft: string): void;
}

export class ChatView {
  private readonly messages: MessageList;
  private readonly composer: Composer;
  private readonly engine: EngineStatus;
  private readonly history: HistoryPanel;
  private readonly notices = new NoticeArea();

  constructor(root: HTMLElement, host: ChatViewHost, purify: DOMPurify, initialDraft: string) {
    const post = (message: WebviewToHost) => host.post(message);
    this.messages = new MessageList(post, purify);
    this.engine = new EngineStatus(post);
    this.history = new HistoryPanel(post);
    this.composer = new Composer({
      post,
      saveDraft: (draft) => host.saveDraft(draft),
      lastUserMessage: () => this.messages.lastUserMessage(),
      initialDraft,
    });

    const newChat = iconButton('add', 'New Chat', { id: 'new-chat' });
    newChat.addEventListener('click', () => post({ type: 'newChat' }));
    const showHistory = iconButton('history', 'Show Chat History', { id: 'show-history' });
    showHistory.addEventListener('click', () => post({ type: 'showHistory' }));
    const toolbar = el('div', { id: 'toolbar', className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Chat' } }, [newChat, showHistory]);

    root.replaceChildren(
      el('div', { className: 'chat' }, [toolbar, this.messages.element, this.notices.element, this.engine.element, this.composer.element]),
      this.history.element,
    );
    // Escape stops a running answer from anywhere in the panel (the composer and the history overlay
    // handle their own Escape first).
    root.ownerDocument.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || event.defaultPrevented || !this.composer.busy || this.history.visible) return;
      event.preventDefault();
      post({ type: 'stop' });
    });
  }

  handle(message: HostToWebview): void {
    switch (message.type) {
      case 'init':
        this.history.hide();
        this.messages.reset(message.messages, message.busy);
        this.composer.conversationChanged((id) => this.messages.has(id));
        this.composer.setBusy(message.busy);
        this.composer.setChips(message.chips);
        this.engine.update(message.engine);
        break;
      case 'message':
        this.messages.upsert(message.message);
        break;
      case 'delta':
        if (!this.messages.appendDelta(message.messageId, message.text)) console.warn(`Hearth: delta for unknown message ${message.messageId}`);
        break;
      case 'done':
        this.messages.finish(message.message);
        break;
      case 'busy':
        this.composer.setBusy(message.busy);
        if (!message.busy) this.messages.settle();
        break;
      case 'engine':
        this.engine.update(message.engine);
        break;
      case 'chips':
        this.composer.setChips(message.chips);
        break;
      case 'history':
        this.history.show(message.items);
        break;
      case 'trimmed':
        this.messages.setTrimmed(message.droppedMessages);
        break;
      case 'notice':
        this.notices.add(message.level, message.text);
        break;
    }
  }
}
