// Markdown → sanitised HTML for the chat panel's answers. A pure function of its input and a
// DOMPurify instance, so the webview (browser window) and the unit tests (jsdom's window) run the
// same code. Answers come from a model and may quote anything the user pasted, so the output is
// treated as hostile: markdown-it renders with raw HTML off, remote images become text before any
// HTML exists, and DOMPurify then removes scripts, event handlers, styles and every link or image
// URL outside a small allowlist (a second line of defence behind the renderer rules, and a third
// behind the webview's CSP).
import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import type { Config, DOMPurify } from 'dompurify';

/** Links that may keep their href; everything else (javascript:, data:, relative, file:) loses it. */
const SAFE_LINK = /^(?:https?:|mailto:)/i;
/** The only images shown: inline data the answer carries itself, so nothing is fetched. */
const DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp);/i;
/** Above this size a code block is shown unhighlighted; highlighting it would stall the panel. */
const MAX_HIGHLIGHT_CHARS = 100_000;
const LANGUAGE_NAME = /^[\w#+.-]{1,40}$/;

export interface RenderMarkdownOptions {
  /**
   * Guess the language of code blocks that do not name one (highlight.js tries every language it
   * has, which is slow). The chat turns it off while an answer streams and on for the final render.
   */
  autoDetectLanguage?: boolean;
}

interface RenderEnv {
  autoDetectLanguage: boolean;
}

const md = createMarkdownIt();

/** Renders `markdown` to HTML that is safe to assign to `innerHTML` in the webview. */
export function renderMarkdown(markdown: string, purify: DOMPurify, options: RenderMarkdownOptions = {}): string {
  const env: RenderEnv = { autoDetectLanguage: options.autoDetectLanguage ?? true };
  const html = md.render(markdown, env);
  installHooks(purify);
  return purify.sanitize(html, PURIFY_CONFIG);
}

/** Whether a link target may be kept (and opened, after the host asks the user). */
export function isSafeLinkHref(href: string): boolean {
  return SAFE_LINK.test(href.trim());
}

/** The code of a rendered code block (`<pre>`), exactly as the answer wrote it, without highlighting. */
export function codeOfBlock(pre: Element): string {
  const code = pre.getAttribute('data-code');
  if (code !== null) return code;
  return (pre.textContent ?? '').replace(/\n$/, '');
}

function createMarkdownIt(): MarkdownIt {
  const instance = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
  const { escapeHtml, unescapeAll } = instance.utils;

  // The raw code goes into `data-code` (the toolbar's Copy/Insert/Replace use it, never the highlighted
  // HTML); `data-lang` is the language the answer named, not a guess.
  const renderCode = (code: string, info: string, autoDetect: boolean): string => {
    const requested = unescapeAll(info).trim().split(/\s+/)[0] ?? '';
    const { html, language, named } = highlight(code, requested, autoDetect);
    const raw = code.replace(/\n$/, '');
    const languageAttrs = named ? ` data-lang="${escapeHtml(named)}"` : '';
    const codeClass = language ? `hljs language-${escapeHtml(language)}` : 'hljs';
    return `<pre data-code="${escapeHtml(raw)}"${languageAttrs}><code class="${codeClass}">${html}</code></pre>\n`;
  };
  instance.renderer.rules.fence = (tokens, idx, _options, env: RenderEnv | undefined) =>
    renderCode(tokens[idx]!.content, tokens[idx]!.info, env?.autoDetectLanguage ?? true);
  // Indented blocks are as often indented prose as code: no guessing.
  instance.renderer.rules.code_block = (tokens, idx) => renderCode(tokens[idx]!.content, '', false);

  // Remote images are never fetched (they would tell a server that, and when, the answer was read):
  // they become a text placeholder here, before any HTML exists.
  const defaultImage = instance.renderer.rules.image!;
  instance.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    if (DATA_IMAGE.test(token.attrGet('src') ?? '')) return defaultImage(tokens, idx, options, env, self);
    const alt = self.renderInlineAsText(token.children ?? [], options, env).trim();
    return `<span class="image-placeholder">${escapeHtml(alt ? `[image: ${alt}]` : '[image]')}</span>`;
  };

  const defaultLinkOpen = instance.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  instance.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const href = token.attrGet('href') ?? '';
    if (isSafeLinkHref(href)) {
      // The webview has no status bar: show where a link goes on hover.
      if (!token.attrGet('title')) token.attrSet('title', href);
    } else {
      removeAttr(token, 'href');
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
  };

  // Table alignment comes as inline `style="text-align:…"`, which the webview's CSP refuses; use classes.
  instance.core.ruler.push('hearth_align_classes', (state) => {
    for (const token of state.tokens) {
      if (token.type === 'th_open' || token.type === 'td_open') {
        const style = token.attrGet('style');
        if (style === null) continue;
        removeAttr(token, 'style');
        const align = /text-align:\s*(left|right|center)/.exec(style)?.[1];
        if (align) token.attrJoin('class', `align-${align}`);
      }
    }
  });
  return instance;
}

function removeAttr(token: Token, name: string): void {
  token.attrs = token.attrs?.filter(([attr]) => attr !== name) ?? null;
}

interface Highlighted {
  html: string;
  /** The language highlighted as (named or detected). */
  language?: string;
  /** The language the answer named, when it is a plausible name. */
  named?: string;
}

function highlight(code: string, requested: string, autoDetect: boolean): Highlighted {
  const named = LANGUAGE_NAME.test(requested) ? requested.toLowerCase() : '';
  const plain: Highlighted = named ? { html: md.utils.escapeHtml(code), language: named, named } : { html: md.utils.escapeHtml(code) };
  if (code.length > MAX_HIGHLIGHT_CHARS) return plain;
  try {
    if (named) {
      if (!hljs.getLanguage(named)) return plain;
      return { html: hljs.highlight(code, { language: named, ignoreIllegals: true }).value, language: named, named };
    }
    if (autoDetect && code.trim()) {
      const result = hljs.highlightAuto(code);
      if (result.language) return { html: result.value, language: result.language };
    }
  } catch (error) {
    console.warn('Hearth: code highlighting failed', error);
  }
  return plain;
}

const PURIFY_CONFIG: Config = {
  USE_PROFILES: { html: true },
  // Nothing interactive or embedding, and no inline styles (the CSP would refuse them anyway).
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'video', 'audio', 'source', 'track', 'picture', 'link', 'meta', 'base', 'svg', 'math'],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'background', 'poster', 'ping', 'target'],
  // Applies to href/src: only these survive; data: images pass through DOMPurify's own data-URI rule for <img>.
  ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
};

const hooked = new WeakSet<DOMPurify>();

function installHooks(purify: DOMPurify): void {
  if (hooked.has(purify)) return;
  hooked.add(purify);
  purify.addHook('uponSanitizeAttribute', (_node, event) => {
    if (/^on/i.test(event.attrName)) event.keepAttr = false;
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    const tag = node.nodeName.toLowerCase();
    if (tag === 'a') {
      const href = node.getAttribute('href');
      if (href !== null && !isSafeLinkHref(href)) node.removeAttribute('href');
      if (node.hasAttribute('href')) node.setAttribute('rel', 'noopener noreferrer');
    } else if (tag === 'img') {
      const src = node.getAttribute('src') ?? '';
      if (DATA_IMAGE.test(src)) return;
      const alt = (node.getAttribute('alt') ?? '').trim();
      const placeholder = node.ownerDocument.createElement('span');
      placeholder.className = 'image-placeholder';
      placeholder.textContent = alt ? `[image: ${alt}]` : '[image]';
      node.parentNode?.insertBefore(placeholder, node);
      node.remove();
    }
    for (const name of node.getAttributeNames()) {
      if (/^on/i.test(name)) node.removeAttribute(name);
    }
  });
}
