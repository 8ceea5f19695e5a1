// Small DOM builders for the chat webview. Text always goes in as text (never HTML), and icons are
// codicons, hidden from screen readers (the button that holds one carries the label).

export interface ElementProps {
  className?: string;
  id?: string;
  text?: string;
  /** Attributes; `false`/`undefined` leave an attribute out, `true` sets it empty. */
  attrs?: Record<string, string | boolean | undefined>;
}

/** Creates an element with the given properties and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, children: Array<Node | string> = []): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.id) element.id = props.id;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) element.append(child);
  return element;
}

/** A codicon, e.g. `codicon('loading', 'codicon-modifier-spin')`. */
export function codicon(name: string, ...extraClasses: string[]): HTMLElement {
  return el('i', { className: ['codicon', `codicon-${name}`, ...extraClasses].join(' '), attrs: { 'aria-hidden': 'true' } });
}

/** A button showing only an icon; its label is both the accessible name and the tooltip. */
export function iconButton(icon: string, label: string, props: ElementProps = {}): HTMLButtonElement {
  const button = el('button', { ...props, className: ['icon-button', props.className].filter(Boolean).join(' '), attrs: { type: 'button', 'aria-label': label, title: label, ...props.attrs } }, [codicon(icon)]);
  return button;
}

/** Replaces a button's icon and label (the Send/Stop button, Copy → Copied). */
export function setIconButton(button: HTMLButtonElement, icon: string, label: string): void {
  button.replaceChildren(codicon(icon));
  button.setAttribute('aria-label', label);
  button.title = label;
}
