// Notices from the host (`notice`): one dismissible line each, newest last, a few at most.
import type { HostToWebview } from '../common/protocol/webviewProtocol';
import { codicon, el, iconButton } from './el';

type Notice = Extract<HostToWebview, { type: 'notice' }>;

const MAX_NOTICES = 3;
const ICONS: Record<Notice['level'], string> = { info: 'info', warning: 'warning', error: 'error' };

export class NoticeArea {
  readonly element: HTMLElement;

  constructor() {
    this.element = el('div', { id: 'notices', className: 'notices' });
    this.element.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button.notice-dismiss') : null;
      const notice = button?.closest('.notice');
      if (!notice) return;
      const next = notice.nextElementSibling?.querySelector<HTMLButtonElement>('button.notice-dismiss');
      notice.remove();
      next?.focus();
    });
  }

  add(level: Notice['level'], text: string): void {
    const notice = el('div', { className: `notice notice-${level}`, attrs: { role: level === 'error' ? 'alert' : 'status' } }, [
      codicon(ICONS[level]),
      el('span', { className: 'notice-text', text }),
      iconButton('close', 'Dismiss', { className: 'notice-dismiss' }),
    ]);
    this.element.append(notice);
    while (this.element.children.length > MAX_NOTICES) this.element.firstElementChild?.remove();
  }
}
