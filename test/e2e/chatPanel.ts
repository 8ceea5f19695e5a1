// The chat panel as the browser tests see it: find its webview frame, and read its messages.
import type { Frame, Page } from 'playwright-core';
import { poll } from '../support/polling';
import { runCommand } from './workbench';

/** What one message element of the panel says about itself. */
export interface MessageState {
  id: string;
  role: string;
  raw: string;
  ended: string | null;
  header: string;
  body: string;
}

export interface PanelState {
  messages: MessageState[];
  /** The send button shows Stop: an answer is being written. */
  stopping: boolean;
}

/** Shows the chat view (through its focus command) and returns its webview's inner frame. */
export async function openChat(page: Page): Promise<Frame> {
  const visible = await findChatFrame(page, 0).catch(() => undefined);
  if (visible !== undefined) return visible;
  await runCommand(page, 'Hearth: Focus on Chat View');
  return findChatFrame(page, 30_000);
}

/** The inner frame of the visible chat webview (the one with the composer). */
export async function findChatFrame(page: Page, timeoutMs: number): Promise<Frame> {
  let found: Frame | undefined;
  await poll(timeoutMs, async () => {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) continue;
      const ready = await frame
        .evaluate(() => {
          const composer = document.querySelector('#composer');
          return composer !== null && composer.getBoundingClientRect().height > 0 && document.visibilityState === 'visible';
        })
        .catch(() => false);
      if (!ready) continue;
      // Its iframe must be on screen (a hidden view's frame can linger).
      const element = await frame.frameElement().catch(() => undefined);
      const box = await element?.boundingBox().catch(() => null);
      if (box && box.width > 0 && box.height > 0) {
        found = frame;
        return true;
      }
    }
    return false;
  }, 200);
  if (found === undefined) throw new Error(`the chat panel did not show within ${timeoutMs / 1000} s`);
  return found;
}

export async function panelState(frame: Frame): Promise<PanelState> {
  return frame.evaluate(() => ({
    messages: Array.from(document.querySelectorAll<HTMLElement>('.message[data-message-id]')).map((element) => ({
      id: element.getAttribute('data-message-id') ?? '',
      role: element.getAttribute('data-role') ?? '',
      raw: element.getAttribute('data-raw') ?? '',
      ended: element.getAttribute('data-ended'),
      header: element.querySelector('.message-header')?.textContent ?? '',
      body: element.querySelector<HTMLElement>('.message-body')?.innerText ?? '',
    })),
    stopping: document.querySelector('#send-button')?.classList.contains('stop') ?? false,
  }));
}
