// The conversation: one element per message, answers rendered as sanitised Markdown, streamed text
// re-rendered at most once per animation frame. Every message element carries its id, role and raw
// text (`data-message-id`, `data-role`, `data-raw`), and its rendered content sits in `.message-body`.
// Clicks on links and on code-block buttons are turned into messages for the host; nothing here
// ever navigates the webview.
import type { DOMPurify } from 'dompurify';
import type { ChatMessageView, WebviewToHost } from '../common/protocol/webviewProtocol';
import { codicon, el, iconButton, setIconButton } from './el';
import { codeOfBlock, renderMarkdown } from './renderMarkdown';

interface Entry {
  view: ChatMessageView;
  element: HTMLElement;
  body: HTMLElement;
  streaming: boolean;
}

const CODE_ACTIONS = [
  { action: 'copy', icon: 'copy', label: 'Copy' },
  { action: 'insert', icon: 'insert', label: 'Insert at Cursor' },
  { action: 'replace', icon: 'replace', label: 'Replace Selection' },
] as const;

export class MessageList {
  readonly element: HTMLElement;
  private readonly entries = new Map<string, Entry>();
  private readonly emptyState: HTMLElement;
  private trimmedNotice: HTMLElement | undefined;
  private readonly pending = new Set<string>();
  private frame: number | undefined;

  constructor(
    private readonly post: (message: WebviewToHost) => void,
    private readonly purify: DOMPurify,
  ) {
    this.element = el('div', {
      id: 'messages',
      className: 'messages',
      attrs: { role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' },
    });
    this.emptyState = el('div', { className: 'empty-state' }, [
      codicon('comment-discussion'),
      el('p', { text: 'Ask about your code or your writing. Everything stays on this device.' }),
    ]);
    this.element.append(this.emptyState);
    this.element.addEventListener('click', (event) => this.onClick(event));
  }

  /** Replaces the whole conversation (`init`). */
  reset(messages: readonly ChatMessageView[], busy: boolean): void {
    this.cancelFrame();
    this.entries.clear();
    this.trimmedNotice = undefined;
    this.element.replaceChildren(this.emptyState);
    messages.forEach((message, index) => {
      const streaming = busy && index === messages.length - 1 && isUnfinishedAnswer(message);
      this.add(message, streaming);
    });
    this.updateEmptyState();
    this.scrollToBottom();
  }

  /** A message appended, or an existing one replaced (`message`). */
  upsert(message: ChatMessageView): void {
    const stick = this.isNearBottom() || message.role === 'user';
    const existing = this.entries.get(message.id);
    if (existing) this.replace(existing, message, isUnfinishedAnswer(message));
    else this.add(message, isUnfinishedAnswer(message));
    this.updateEmptyState();
    if (stick) this.scrollToBottom();
  }

  /** Streamed text for an answer; false when no such message is shown. */
  appendDelta(messageId: string, text: string): boolean {
    const entry = this.entries.get(messageId);
    if (!entry) return false;
    entry.view = { ...entry.view, text: entry.view.text + text };
    entry.element.setAttribute('data-raw', entry.view.text);
    if (!entry.streaming) this.setStreaming(entry, true);
    this.pending.add(messageId);
    this.frame ??= requestAnimationFrame(() => this.flush());
    return true;
  }

  /** An answer's final form (`done`). */
  finish(message: ChatMessageView): void {
    this.pending.delete(message.id);
    const stick = this.isNearBottom();
    const existing = this.entries.get(message.id);
    if (existing) this.replace(existing, message, false);
    else this.add(message, false);
    this.updateEmptyState();
    if (stick) this.scrollToBottom();
  }

  /** Generation ended (`busy: false`): no answer is streaming any more. */
  settle(): void {
    for (const entry of this.entries.values()) {
      if (!entry.streaming) continue;
      this.pending.delete(entry.view.id);
      this.setStreaming(entry, false);
      this.renderBody(entry);
    }
  }

  /** The most recent message the user wrote, for Up-to-edit. */
  lastUserMessage(): ChatMessageView | undefined {
    const views = [...this.entries.values()].map((entry) => entry.view);
    for (let i = views.length - 1; i >= 0; i--) if (views[i]!.role === 'user') return views[i];
    return undefined;
  }

  has(messageId: string): boolean {
    return this.entries.has(messageId);
  }

  /** Marks where the model's view of the conversation starts (`trimmed`). */
  setTrimmed(droppedMessages: number): void {
    this.trimmedNotice?.remove();
    this.trimmedNotice = undefined;
    if (droppedMessages <= 0) return;
    const text =
      droppedMessages === 1
        ? '1 earlier message is not shown to the model (it no longer fits its context)'
        : `${droppedMessages} earlier messages are not shown to the model (they no longer fit its context)`;
    this.trimmedNotice = el('div', { className: 'trimmed-notice', attrs: { role: 'note' } }, [codicon('fold-up'), el('span', { text })]);
    const firstSeen = [...this.entries.values()][droppedMessages]?.element;
    if (firstSeen) this.element.insertBefore(this.trimmedNotice, firstSeen);
    else this.element.append(this.trimmedNotice);
  }

  private add(message: ChatMessageView, streaming: boolean): void {
    const body = el('div', { className: 'message-body' });
    const element = el('div', { className: `message message-${message.role}` });
    const entry: Entry = { view: message, element, body, streaming };
    this.entries.set(message.id, entry);
    this.fill(entry);
    this.element.append(element);
  }

  private replace(entry: Entry, message: ChatMessageView, streaming: boolean): void {
    entry.view = message;
    entry.streaming = streaming;
    this.fill(entry);
  }

  /** (Re)builds a message element from its view. */
  private fill(entry: Entry): void {
    const { view, element, body } = entry;
    element.setAttribute('data-message-id', view.id);
    element.setAttribute('data-role', view.role);
    element.setAttribute('data-raw', view.text);
    element.className = `message message-${view.role}`;
    if (view.ended) element.setAttribute('data-ended', view.ended);
    else element.removeAttribute('data-ended');
    const parts: Node[] = [el('span', { className: 'visually-hidden', text: view.role === 'user' ? 'You said:' : 'Hearth answered:' })];
    if (view.header) parts.push(el('div', { className: 'message-header', text: view.header }));
    parts.push(body);
    if (view.role === 'user' && view.context?.length) {
      parts.push(
        el('ul', { className: 'message-context', attrs: { 'aria-label': 'Context sent with this message' } },
          view.context.map((label) => el('li', { className: 'message-context-item' }, [codicon('file'), el('span', { text: label })]))),
      );
    }
    const ended = endedNote(view);
    if (ended) parts.push(ended);
    if (view.role === 'assistant' && view.model) parts.push(el('div', { className: 'message-model', text: view.model }));
    element.replaceChildren(...parts);
    this.setStreaming(entry, entry.streaming);
    this.renderBody(entry);
  }

  private renderBody(entry: Entry): void {
    const { view, body } = entry;
    if (view.role === 'user') {
      body.textContent = view.text;
      return;
    }
    try {
      body.innerHTML = renderMarkdown(view.text, this.purify, { autoDetectLanguage: !entry.streaming });
      decorateCodeBlocks(body);
    } catch (error) {
      // Never lose an answer to a rendering bug: show it as plain text instead.
      console.error('Hearth: could not render an answer as Markdown', error);
      body.textContent = view.text;
    }
  }

  private setStreaming(entry: Entry, streaming: boolean): void {
    entry.streaming = streaming;
    entry.element.classList.toggle('streaming', streaming);
    // Screen readers announce the answer once it is complete, not every streamed fragment.
    if (streaming) entry.element.setAttribute('aria-busy', 'true');
    else entry.element.removeAttribute('aria-busy');
  }

  private flush(): void {
    this.frame = undefined;
    const stick = this.isNearBottom();
    for (const id of this.pending) {
      const entry = this.entries.get(id);
      if (entry) this.renderBody(entry);
    }
    this.pending.clear();
    if (stick) this.scrollToBottom();
  }

  private cancelFrame(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.pending.clear();
  }

  private updateEmptyState(): void {
    this.emptyState.hidden = this.entries.size > 0;
  }

  private isNearBottom(): boolean {
    const { scrollHeight, scrollTop, clientHeight } = this.element;
    return scrollHeight - scrollTop - clientHeight < 48;
  }

  private scrollToBottom(): void {
    this.element.scrollTop = this.element.scrollHeight;
  }

  private onClick(event: MouseEvent): void {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const link = target.closest('a');
    if (link && this.element.contains(link)) {
      event.preventDefault();
      const href = link.getAttribute('href');
      if (href) this.post({ type: 'openLink', href });
      return;
    }
    const button = target.closest<HTMLButtonElement>('button[data-code-action]');
    const pre = button?.closest('.code-block')?.querySelector('pre');
    if (!button || !pre) return;
    const code = codeOfBlock(pre);
    switch (button.getAttribute('data-code-action')) {
      case 'copy':
        this.post({ type: 'copyCode', code });
        showCopied(button);
        break;
      case 'insert':
        this.post({ type: 'insertCode', code });
        break;
      case 'replace':
        this.post({ type: 'replaceSelection', code });
        break;
    }
  }
}

function isUnfinishedAnswer(message: ChatMessageView): boolean {
  return message.role === 'assistant' && message.ended === undefined;
}

function endedNote(view: ChatMessageView): HTMLElement | undefined {
  switch (view.ended) {
    case 'stopped':
      return el('div', { className: 'message-ended ended-stopped' }, [codicon('debug-stop'), el('span', { text: 'Stopped' })]);
    case 'maxTokens':
      return el('div', { className: 'message-ended ended-maxTokens' }, [codicon('warning'), el('span', { text: 'Reached the token limit' })]);
    case 'error':
      return el('div', { className: 'message-ended ended-error', attrs: { role: 'alert' } }, [codicon('error'), el('span', { text: view.error || 'The answer failed.' })]);
    default:
      return undefined;
  }
}

/** Wraps each code block in `.code-block` with a toolbar: language, Copy, Insert at Cursor, Replace Selection. */
function decorateCodeBlocks(body: HTMLElement): void {
  body.querySelectorAll('pre').forEach((pre) => {
    const language = pre.getAttribute('data-lang');
    const toolbar = el('div', { className: 'code-toolbar' }, [
      el('span', { className: 'code-language', text: language ?? '' }),
      ...CODE_ACTIONS.map(({ action, icon, label }) =>
        iconButton(icon, label, { className: `code-action code-${action}`, attrs: { 'data-code-action': action } })),
    ]);
    const block = el('div', { className: 'code-block' });
    pre.replaceWith(block);
    block.append(toolbar, pre);
  });
}

function showCopied(button: HTMLButtonElement): void {
  setIconButton(button, 'check', 'Copied');
  setTimeout(() => setIconButton(button, 'copy', 'Copy'), 1500);
}
