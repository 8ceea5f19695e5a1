// One line above the composer saying what the local model is doing: loading (with a spinner), or
// why there is no answer to be had (no model, an engine error) with a way to choose a model.
import type { EngineView, WebviewToHost } from '../common/protocol/webviewProtocol';
import { codicon, el } from './el';

export class EngineStatus {
  readonly element: HTMLElement;

  constructor(private readonly post: (message: WebviewToHost) => void) {
    this.element = el('div', { id: 'engine-status', className: 'engine-status', attrs: { role: 'status' } });
    this.element.hidden = true;
  }

  update(engine: EngineView): void {
    this.element.setAttribute('data-kind', engine.kind);
    const model = engine.model ? ` ${engine.model}` : '';
    switch (engine.kind) {
      case 'loading':
        this.show([codicon('loading', 'codicon-modifier-spin'), el('span', { text: engine.message ?? `Loading model${model}…` })]);
        break;
      case 'restarting':
        this.show([codicon('loading', 'codicon-modifier-spin'), el('span', { text: engine.message ?? 'Restarting the engine…' })]);
        break;
      case 'noModel':
        this.show(
          [
            codicon('info'),
            el('span', { text: engine.message ?? 'No model is chosen yet.' }),
            this.button('get-model', 'Get a Model…', { type: 'getModel' }),
            this.button('import-model', 'Import a GGUF File…', { type: 'importModel' }),
          ],
          'attention',
        );
        break;
      case 'error':
        this.show([codicon('error'), el('span', { text: engine.message ?? 'The engine failed.' }), this.chooseModelButton()], 'error');
        break;
      case 'notLoaded':
        // The model loads on first use; a message (if any) says why it is not loaded.
        if (engine.message) this.show([codicon('circle-outline'), el('span', { text: engine.message })]);
        else this.hide();
        break;
      case 'ready':
      case 'generating':
        this.hide();
        break;
    }
  }

  private show(children: Node[], tone?: 'attention' | 'error'): void {
    this.element.className = `engine-status${tone ? ` engine-status-${tone}` : ''}`;
    this.element.replaceChildren(...children);
    this.element.hidden = false;
  }

  private hide(): void {
    this.element.replaceChildren();
    this.element.hidden = true;
  }

  private chooseModelButton(): HTMLButtonElement {
    return this.button('choose-model', 'Choose Model…', { type: 'chooseModel' });
  }

  private button(id: string, label: string, message: WebviewToHost): HTMLButtonElement {
    const button = el('button', { id, className: 'text-button', text: label, attrs: { type: 'button', 'aria-label': label } });
    button.addEventListener('click', () => this.post(message));
    return button;
  }
}
