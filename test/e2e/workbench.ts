// Page helpers for driving the real VS Code workbench (code-server 4.100 = VS Code 1.100) in
// Chromium, the way a user does: the Explorer, the editor, the keyboard. They read only the DOM.
//
// What the DOM of VS Code 1.100 looks like, as these helpers rely on it:
// - The Explorer's rows are `.explorer-folders-view .monaco-list-row`; a single click opens the
//   file (in a preview editor).
// - An editor's text lines are `.view-lines > .view-line` divs, absolutely positioned (`top`), not
//   necessarily in document order; spaces are rendered as U+00A0.
// - Inline-completion ghost text on the cursor line is injected into that `.view-line` as spans
//   with the class `ghost-text-decoration` (plus `syntax-highlighted`); `ghost-text-decoration-preview`
//   is the suggest widget's preview, not an inline completion. Further lines of a multi-line
//   suggestion are a view zone: `.view-zones .suggest-preview-text > .view-line`.
// - Status bar items contributed by an extension have the id `<publisher>.<name>.<item id>`.
import type { Locator, Page } from 'playwright-core';

export const GHOST_SELECTOR = '.ghost-text-decoration';
export const GHOST_LINES_SELECTOR = '.suggest-preview-text .view-line';
/** Hearth's completions item (`hearth.completions` of extension `hearth.hearth`). */
export const COMPLETIONS_STATUS_SELECTOR = '[id="hearth.hearth.hearth.completions"]';

/** One rendered editor line: the document's text and any ghost text injected into it. */
export interface RenderedLine {
  top: number;
  /** The line's own text (ghost spans left out), U+00A0 turned back into spaces. */
  text: string;
  /** Ghost text shown in this line (the part of a suggestion on the cursor line). */
  ghost: string;
  /** Whether every ghost span comes after every text span (a suggestion at the end of the line). */
  ghostAtEnd: boolean;
}

export interface RenderedEditor {
  /** Rendered lines, top to bottom. */
  lines: RenderedLine[];
  /** The further lines of a multi-line suggestion (the view zone under the cursor line). */
  ghostLines: string[];
}

/** The editor of the active editor group. */
export function activeEditor(page: Page): Locator {
  return page.locator('.part.editor .editor-group-container.active .editor-instance .monaco-editor').first();
}

/** Waits for the workbench to show the folder's files in the Explorer. */
export async function waitForExplorer(page: Page, fileName: string, timeoutMs: number): Promise<void> {
  await explorerRow(page, fileName).waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Waits for Hearth's completions item in the status bar: the extension has activated. */
export async function waitForHearth(page: Page, timeoutMs: number): Promise<void> {
  await page.locator(COMPLETIONS_STATUS_SELECTOR).waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Whether Hearth's completions item spins (a completion is being computed by the model). */
export async function hearthBusy(page: Page): Promise<boolean> {
  return (await page.locator(`${COMPLETIONS_STATUS_SELECTOR} .codicon-loading`).count()) > 0;
}

/** Opens a file by clicking it in the Explorer; resolves when its editor shows `expectedText`. */
export async function openFromExplorer(page: Page, fileName: string, expectedText: string, timeoutMs: number): Promise<Locator> {
  const tab = page.locator('.part.editor .tab.active', { hasText: fileName });
  await explorerRow(page, fileName).click();
  // A click while the workbench is still restoring its layout can go nowhere: click once more.
  const opened = await tab.waitFor({ state: 'visible', timeout: Math.min(10_000, timeoutMs) }).then(() => true, () => false);
  if (!opened) {
    await explorerRow(page, fileName).click();
    await tab.waitFor({ state: 'visible', timeout: timeoutMs });
  }
  const editor = activeEditor(page);
  await editor.locator('.view-lines', { hasText: expectedText }).waitFor({ state: 'visible', timeout: timeoutMs });
  return editor;
}

/** Clicks the (first) line showing `lineText`, then presses End: the cursor is at the end of that line. */
export async function clickEndOfLine(page: Page, editor: Locator, lineText: string): Promise<void> {
  await editor.locator('.view-lines .view-line', { hasText: lineText }).first().click();
  await page.keyboard.press('End');
}

/** What the editor renders now: its lines, with ghost text told apart. */
export async function readEditor(editor: Locator): Promise<RenderedEditor> {
  // Runs in the page. No named local functions in here: tsx (esbuild keepNames) would wrap them in a
  // `__name(...)` helper that exists only in Node ("ReferenceError: __name is not defined").
  return editor.evaluate((root, selectors) => {
    const nbsp = /\u00a0/g;
    const lines = Array.from(root.querySelectorAll<HTMLElement>('.view-lines > .view-line')).map((line) => {
      // The leaf spans in order: the line's tokens and the injected ghost text.
      const spans = Array.from(line.querySelectorAll<HTMLElement>('span')).filter((span) => span.querySelector('span') === null);
      let text = '';
      let ghost = '';
      let ghostAtEnd = true;
      for (const span of spans) {
        const part = (span.textContent ?? '').replace(nbsp, ' ');
        if (span.closest(selectors.ghost) !== null) ghost += part;
        else {
          if (ghost.length > 0 && part.length > 0) ghostAtEnd = false;
          text += part;
        }
      }
      return { top: Number.parseFloat(line.style.top) || 0, text, ghost, ghostAtEnd };
    });
    lines.sort((a, b) => a.top - b.top);
    const ghostLines = Array.from(root.querySelectorAll<HTMLElement>(selectors.ghostLines)).map((line) => (line.textContent ?? '').replace(nbsp, ' '));
    return { lines, ghostLines };
  }, { ghost: GHOST_SELECTOR, ghostLines: GHOST_LINES_SELECTOR });
}

/** How many ghost-text elements (inline or further lines) the editor shows. */
export async function ghostCount(editor: Locator): Promise<number> {
  return editor.locator(`${GHOST_SELECTOR}, ${GHOST_LINES_SELECTOR}`).count();
}

/** Whitespace-insensitive form for comparing rendered text (tabs render as runs of spaces). */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function explorerRow(page: Page, fileName: string): Locator {
  return page.locator('.explorer-folders-view .monaco-list-row', { has: page.locator('.label-name', { hasText: fileName }) }).first();
}

/** Runs a command from the Command Palette by its full title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}
