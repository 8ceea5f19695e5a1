// The input area: context chips, the text box, Attach and Send/Stop. Keys: Enter sends,
// Shift+Enter is a new line, Up in an empty box edits the last user message (the next send replaces
// it and what followed), Escape stops a running answer (or cancels the edit), and `#file` typed at
// a word start asks the host for a file picker. The draft survives the view being hidden.
import type { ChatMessageView, ContextChip, WebviewToHost } from '../common/protocol/webviewProtocol';
import { codicon, el, iconButton, setIconButton } from './el';
import { removeFileTrigger } from './removeFileTrigger';

/** The protocol's limit on a sent message. */
const MAX_MESSAGE_CHARS = 200_000;
const MAX_ROWS = 12;

export interface ComposerOptions {
  post: (message: WebviewToHost) => void;
  saveDraft: (draft: string) => void;
  lastUserMessage: () => ChatMessageView | undefined;
  initialDraft: string;
}

export class Composer {
  readonly element: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly chipsRow: HTMLUListElement;
  private readonly editingIndicator: HTMLElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly cloudButton: HTMLButtonElement;
  private isBusy = false;
  /** The user message being edited (Up in an empty box); the next send replaces it. */
  private editingId: string | undefined;

  constructor(private readonly options: ComposerOptions) {
    this.chipsRow = el('ul', { id: 'chips', className: 'chips', attrs: { 'aria-label': 'Context for the next message' } });
    this.chipsRow.hidden = true;
    this.editingIndicator = el('div', { id: 'editing-indicator', className: 'editing-indicator' }, [
      codicon('edit'),
      el('span', { text: 'Editing your last message: sending replaces it and the answer after it. Escape cancels.' }),
    ]);
    this.editingIndicator.hidden = true;
    this.textarea = el('textarea', {
      id: 'chat-input',
      className: 'chat-input',
      attrs: {
        rows: '1',
        maxlength: String(MAX_MESSAGE_CHARS),
        'aria-label': 'Message to Hearth',
        placeholder: 'Ask Hearth… (Enter to send, Shift+Enter for a new line, #file to attach a file)',
      },
    });
    this.textarea.value = options.initialDraft;
    const attachButton = iconButton('attach', 'Attach File… (#file)', { id: 'attach-button' });
    attachButton.addEventListener('click', () => options.post({ type: 'attachFile' }));
    // A complex request: the privacy policy decides whether it may reach the cloud model (Ctrl+Enter).
    this.cloudButton = iconButton('cloud-upload', 'Ask the Cloud Model (Ctrl+Enter)', { id: 'cloud-button' });
    this.cloudButton.addEventListener('click', () => this.send(true));
    this.sendButton = iconButton('send', 'Send (Enter)', { id: 'send-button', className: 'send-button' });
    this.sendButton.addEventListener('click', () => {
      if (this.isBusy) options.post({ type: 'stop' });
      else this.send();
    });

    this.element = el('div', { id: 'composer', className: 'composer' }, [
      this.chipsRow,
      this.editingIndicator,
      el('div', { className: 'input-row' }, [this.textarea, el('div', { className: 'composer-actions' }, [attachButton, this.cloudButton, this.sendButton])]),
    ]);

    this.textarea.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.textarea.addEventListener('input', (event) => this.onInput(event));
    this.chipsRow.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button.chip-remove') : null;
      const id = button?.closest('[data-chip-id]')?.getAttribute('data-chip-id');
      if (id) options.post({ type: 'removeChip', id });
    });
    this.updateControls();
  }

  get busy(): boolean {
    return this.isBusy;
  }

  setBusy(busy: boolean): void {
    this.isBusy = busy;
    this.updateControls();
  }

  setChips(chips: readonly ContextChip[]): void {
    const focusedIndex = Array.from(this.chipsRow.querySelectorAll('button.chip-remove')).findIndex((button) => button === document.activeElement);
    this.chipsRow.replaceChildren(...chips.map(renderChip));
    this.chipsRow.hidden = chips.length === 0;
    if (focusedIndex >= 0) {
      // The chip whose × was pressed is gone: keep the keyboard user in the row, or return to the input.
      const buttons = this.chipsRow.querySelectorAll<HTMLButtonElement>('button.chip-remove');
      (buttons[Math.min(focusedIndex, buttons.length - 1)] ?? this.textarea).focus();
    }
  }

  /** A new conversation was shown: an edit of a message that is no longer there is dropped. */
  conversationChanged(hasMessage: (id: string) => boolean): void {
    if (this.editingId !== undefined && !hasMessage(this.editingId)) this.setEditing(undefined);
  }

  focus(): void {
    this.textarea.focus();
  }

  private send(cloud = false): void {
    const text = this.textarea.value.replace(/^\s*\n/, '').trimEnd();
    if (this.isBusy || !text.trim()) return;
    const replaceFrom = this.editingId;
    this.options.post({ type: 'send', text, ...(replaceFrom !== undefined ? { replaceFrom } : {}), ...(cloud ? { cloud } : {}) });
    this.textarea.value = '';
    this.setEditing(undefined);
    this.options.saveDraft('');
    this.updateControls();
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.isComposing) return;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      this.send(true);
    } else if (event.key === 'Enter' && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      this.send();
    } else if (event.key === 'ArrowUp' && this.textarea.value === '' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      const last = this.options.lastUserMessage();
      if (!last) return;
      event.preventDefault();
      this.textarea.value = last.text;
      this.textarea.setSelectionRange(last.text.length, last.text.length);
      this.setEditing(last.id);
      this.options.saveDraft(this.textarea.value);
      this.updateControls();
    } else if (event.key === 'Escape') {
      if (this.isBusy) {
        event.preventDefault();
        this.options.post({ type: 'stop' });
      } else if (this.editingId !== undefined) {
        event.preventDefault();
        this.textarea.value = '';
        this.setEditing(undefined);
        this.options.saveDraft('');
        this.updateControls();
      }
    }
  }

  private onInput(event: Event): void {
    const inputType = (event as Partial<InputEvent>).inputType;
    if (!inputType || inputType.startsWith('insert')) {
      const cursor = this.textarea.selectionStart ?? this.textarea.value.length;
      const removed = removeFileTrigger(this.textarea.value, cursor);
      if (removed) {
        this.textarea.value = removed.value;
        this.textarea.setSelectionRange(removed.cursor, removed.cursor);
        this.options.post({ type: 'attachFile' });
      }
    }
    if (this.textarea.value === '') this.setEditing(undefined);
    this.options.saveDraft(this.textarea.value);
    this.updateControls();
  }

  private setEditing(id: string | undefined): void {
    this.editingId = id;
    this.editingIndicator.hidden = id === undefined;
    this.element.classList.toggle('editing', id !== undefined);
  }

  private updateControls(): void {
    if (this.isBusy) {
      setIconButton(this.sendButton, 'debug-stop', 'Stop (Escape)');
      this.sendButton.classList.add('stop');
      this.sendButton.disabled = false;
    } else {
      setIconButton(this.sendButton, 'send', 'Send (Enter)');
      this.sendButton.classList.remove('stop');
      this.sendButton.disabled = this.textarea.value.trim() === '';
    }
    this.cloudButton.disabled = this.isBusy || this.textarea.value.trim() === '';
    // Grows with its content up to MAX_ROWS (CSS `field-sizing` does the same where supported).
    const lines = this.textarea.value.split('\n').length;
    this.textarea.rows = Math.min(Math.max(lines, 1), MAX_ROWS);
  }
}

function renderChip(chip: ContextChip): HTMLElement {
  const icon = chip.blocked ? 'warning' : chip.kind === 'selection' ? 'selection' : chip.kind === 'attachment' ? 'attach' : 'file';
  const text = chip.blocked ? `${chip.label} — ${chip.blocked}` : chip.label;
  return el('li', { className: `chip chip-${chip.kind}${chip.blocked ? ' blocked' : ''}`, attrs: { 'data-chip-id': chip.id, title: chip.blocked ?? chip.label } }, [
    codicon(icon),
    el('span', { className: 'chip-label', text }),
    iconButton('close', `Remove ${chip.label}`, { className: 'chip-remove' }),
  ]);
}
