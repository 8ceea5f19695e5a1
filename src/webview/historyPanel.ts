// Past conversations, as an overlay over the chat: title, when it last changed, how many messages,
// and Open/Delete for each. A dialog for assistive technology; Tab stays inside it, Escape closes it
// and focus goes back to where it was.
import type { HistoryItem, WebviewToHost } from '../common/protocol/webviewProtocol';
import { el, iconButton } from './el';
import { relativeTime } from './relativeTime';

export class HistoryPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private returnFocus: HTMLElement | undefined;

  constructor(private readonly post: (message: WebviewToHost) => void) {
    const close = iconButton('close', 'Close History (Escape)', { id: 'history-close' });
    close.addEventListener('click', () => this.hide());
    this.list = el('ul', { id: 'history-list', className: 'history-list', attrs: { 'aria-labelledby': 'history-title' } });
    this.empty = el('p', { className: 'history-empty', text: 'No saved conversations yet.' });
    this.element = el('div', { id: 'history-panel', className: 'history-panel', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'history-title' } }, [
      el('div', { className: 'history-header' }, [el('h2', { id: 'history-title', text: 'Chat History' }), close]),
      this.empty,
      this.list,
    ]);
    this.element.hidden = true;
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.list.addEventListener('click', (event) => this.onClick(event));
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  /** Shows (or refreshes) the list. */
  show(items: readonly HistoryItem[], now: number = Date.now()): void {
    const focusedId = document.activeElement?.closest('[data-conversation-id]')?.getAttribute('data-conversation-id');
    const focusedAction = document.activeElement?.getAttribute('data-history-action');
    const focusedIndex = Array.from(this.list.children).findIndex((item) => item.contains(document.activeElement));
    this.list.replaceChildren(...items.map((item) => renderItem(item, now)));
    this.empty.hidden = items.length > 0;
    if (!this.visible) {
      const active = document.activeElement;
      this.returnFocus = active instanceof HTMLElement && !this.element.contains(active) ? active : undefined;
      this.element.hidden = false;
    }
    // Keep the keyboard where it was: the same item, or (after a delete) its neighbour.
    const sameItem = Array.from(this.list.children)
      .find((item) => focusedId && item.getAttribute('data-conversation-id') === focusedId)
      ?.querySelector(`[data-history-action="${focusedAction === 'delete' ? 'delete' : 'open'}"]`);
    const neighbour = focusedIndex >= 0 ? this.list.children[Math.min(focusedIndex, this.list.children.length - 1)]?.querySelector('[data-history-action="open"]') : null;
    const target = sameItem ?? neighbour ?? this.list.querySelector('[data-history-action="open"]') ?? this.element.querySelector('#history-close');
    if (target instanceof HTMLElement) target.focus();
  }

  hide(): void {
    if (!this.visible) return;
    this.element.hidden = true;
    const focus = this.returnFocus;
    this.returnFocus = undefined;
    if (focus?.isConnected) focus.focus();
  }

  private onClick(event: MouseEvent): void {
    const button = event.target instanceof Element ? event.target.closest('button[data-history-action]') : null;
    const id = button?.closest('[data-conversation-id]')?.getAttribute('data-conversation-id');
    if (!button || !id) return;
    if (button.getAttribute('data-history-action') === 'open') {
      this.post({ type: 'openConversation', id });
      this.hide();
    } else {
      this.post({ type: 'deleteConversation', id });
    }
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.hide();
    } else if (event.key === 'Tab') {
      const focusable = Array.from(this.element.querySelectorAll<HTMLElement>('button:not([disabled])')).filter((element) => !element.closest('[hidden]'));
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (!first || !last) return;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  }
}

function renderItem(item: HistoryItem, now: number): HTMLElement {
  const title = item.title.trim() || 'Untitled conversation';
  const count = item.messageCount === 1 ? '1 message' : `${item.messageCount} messages`;
  const when = relativeTime(item.updatedAt, now);
  const open = el('button', { className: 'history-open', attrs: { type: 'button', 'data-history-action': 'open', 'aria-label': `Open ${title}, ${when}, ${count}` } }, [
    el('span', { className: 'history-title', text: title }),
    el('span', { className: 'history-meta', text: `${when} · ${count}` }),
  ]);
  open.title = new Date(item.updatedAt).toLocaleString();
  const remove = iconButton('trash', `Delete ${title}`, { className: 'history-delete', attrs: { 'data-history-action': 'delete' } });
  return el('li', { className: 'history-item', attrs: { 'data-conversation-id': item.id } }, [open, remove]);
}
