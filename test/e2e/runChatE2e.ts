// End-to-end tests of the chat panel in the live VS Code UI: code-server with Hearth as the
// development extension and the real pretrained story model (stories260K), driven through Debian's
// Chromium by playwright-core: open the Hearth view, type a message, watch the answer stream, stop
// one, summarize a selection from the editor's context menu, and check that hostile Markdown renders
// harmlessly. See DESIGN.md, "A real VS Code for tests".
//
//   npm run test:e2e-chat                         (builds first)
//   node --import tsx test/e2e/runChatE2e.ts      (uses the existing dist/)
//
// Prints one line per test and "chat: N passed, N failed" (read by scripts/runAllTests.ts, whose
// pattern wants a \w+ name); exits non-zero on a failure. On a failure it saves a screenshot under
// .test-output/e2e-chat/ and keeps code-server's user data and logs (the path is printed). After a
// pass the screenshots chat-dark.png, chat-rendering-dark.png and chat-light.png are kept there.
//
// The golden answers come from node-llama-cpp in this process (test/fixtures/inProcessChat.ts) with
// the same prompt the host builds (system prompt + the user message; no editor is open, so no
// "current file" chip goes with the first two messages) at temperature 0: the panel must show
// exactly that text.
//
// The chat panel is a webview view. In VS Code 1.100 its DOM sits two iframes deep (the outer
// `iframe.webview`, then `#active-frame`); the helpers below find that inner frame among
// page.frames() by asking each webview frame for the panel's `#composer`. Hiding the view (showing
// the Explorer) throws the webview's document away; showing it again reloads it, and the host
// answers its `ready` with the whole conversation.
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { installTestHost } from '../../scripts/installTestHost';
import { chatMessages } from '../../src/common/chat/chatPrompt';
import { ok, startFakeCloudServer, type FakeCloudServer } from '../fixtures/fakeCloudServer';
import { InProcessChat } from '../fixtures/inProcessChat';
import { findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';
import { launchBrowser, REPO_ROOT, startCodeServer, TEST_OUTPUT_DIR, type CodeServer } from '../integration/codeServerHost';
import { createSampleWorkspace } from '../integration/runInCodeServer';
import { check, poll, preview } from '../support/polling';
import { runBrowserTests, stopAfter, type BrowserTest, type RunSummary } from './browserTests';
import { runSuiteMain } from '../support/runSuiteMain';
import { activeEditor, openFromExplorer, readEditor, runCommand, squash, waitForExplorer, waitForHearth } from './workbench';
import { findChatFrame, openChat, panelState, type MessageState, type PanelState } from './chatPanel';

const OUTPUT_DIR = path.join(TEST_OUTPUT_DIR, 'e2e-chat');
const WORKSPACE = path.join(OUTPUT_DIR, 'workspace');
/** The whole run, from computing the golden answers to the last assertion. */
const RUN_TIMEOUT_MS = 240_000;
const MAX_TOKENS = 160;
const CONTEXT_SIZE = 4096;
/** An answer (including starting the model process and loading the model for the first one). */
const ANSWER_TIMEOUT_MS = 60_000;
const POLL_MS = 30;

const STORY_PROMPT = 'Tell me a story about a dog.';
const STOP_PROMPT = 'Tell me a long story about a princess.';
const CRAFTED_CODE = 'const answer = 41 + 1;';
const EDITED_PROMPT = 'Tell me a story about a cat.';
const CLOUD_ENDPOINT_ID = 'loopback';
const CLOUD_API_KEY = 'sk-e2e-loopback-key-0123456789';
const CLOUD_PROMPT = 'What is this workspace for?';
const CLOUD_CHUNKS = ['This workspace ', 'holds a sample ', 'for Hearth.'];

interface Goldens {
  story: string;
  stop: string;
}

interface ThemeLook {
  bodyBackground: string;
  bodyColor: string;
  sideBarBackground: string;
}

interface ChatContext {
  page: Page;
  goldens: Goldens;
  /** The loopback "cloud" (OpenAI wire format) the consent test escalates to. */
  cloud: FakeCloudServer;
  /** The panel's look in the dark theme, recorded by the first test for the light-theme test. */
  dark?: ThemeLook;
  /** code-server's user settings file, which the first-run test edits as a user would. */
  settingsFile: string;
}

const tests: Array<BrowserTest<ChatContext>> = [
  {
    name: 'send a message and watch the answer stream in',
    slug: 'stream',
    async run(context) {
      const { page, goldens } = context;
      const frame = await openChat(page);
      context.dark = await themeLook(frame);
      const before = new Set((await panelState(frame)).messages.map((message) => message.id));

      await frame.locator('.chat-input').click();
      await page.keyboard.type(STORY_PROMPT);
      await page.keyboard.press('Enter');

      const partials = new Set<number>();
      let answer: MessageState | undefined;
      let state: PanelState | undefined;
      const finished = await poll(ANSWER_TIMEOUT_MS, async () => {
        state = await panelState(frame);
        answer = state.messages.filter((message) => message.role === 'assistant' && !before.has(message.id)).at(-1);
        if (answer === undefined) return false;
        if (answer.ended === null && answer.raw.length > 0) partials.add(answer.raw.length);
        return answer.ended !== null && !state.stopping;
      }, POLL_MS);
      check(finished && answer !== undefined, `the answer did not finish within ${ANSWER_TIMEOUT_MS / 1000} s (last: ${JSON.stringify(answer)})`);

      const user = state!.messages.filter((message) => message.role === 'user' && !before.has(message.id)).at(-1);
      check(user !== undefined && user.body === STORY_PROMPT, `the user message shows ${JSON.stringify(user?.body)}, expected ${JSON.stringify(STORY_PROMPT)}`);
      check(answer.raw === goldens.story, `the panel's answer differs from the model's:\n        panel:  ${JSON.stringify(answer.raw)}\n        golden: ${JSON.stringify(goldens.story)}`);
      // The rendered Markdown says the same (whitespace aside): the story model writes no Markdown syntax.
      check(squash(answer.body) === squash(goldens.story), `the rendered answer reads ${JSON.stringify(preview(answer.body, 200))}`);
      partials.delete(goldens.story.length);
      check(partials.size >= 1, 'the answer never showed partially: it did not stream');
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'chat-dark.png') });
      const streamed =
        partials.size >= 2
          ? `streamed through ${partials.size} partial lengths`
          : 'only 1 partial length seen (the machine answered faster than the 30 ms polling)';
      return `${streamed}, ended ${answer.ended}; ${goldens.story.length} characters, equal to the in-process answer`;
    },
  },
  {
    name: 'Stop mid-answer keeps what was written, marked stopped',
    slug: 'stop',
    async run({ page, goldens }) {
      const frame = await openChat(page);
      // A fresh conversation: the golden answer is for this message alone.
      await frame.locator('#new-chat').click();
      await frame.locator('.message').first().waitFor({ state: 'detached', timeout: 10_000 });

      await frame.locator('.chat-input').click();
      await page.keyboard.type(STOP_PROMPT);
      await page.keyboard.press('Enter');
      // Waits inside the panel and clicks Stop there as soon as the answer shows text: a round trip
      // per poll (or a mouse click from here) can take longer, on a loaded machine, than the whole
      // answer (well under a second).
      const firstLength = await frame.evaluate((timeoutMs) => {
        // (No named functions in here: tsx would wrap them in a `__name` helper the page does not have.)
        return new Promise<number>((resolve, reject) => {
          const started = Date.now();
          const timer = setInterval(() => {
            const raw = document.querySelector('.message[data-role="assistant"]')?.getAttribute('data-raw') ?? '';
            const button = document.querySelector<HTMLButtonElement>('#send-button.stop');
            if (raw.length > 0 && button !== null) {
              clearInterval(timer);
              button.click();
              resolve(raw.length);
            } else if (Date.now() - started > timeoutMs) {
              clearInterval(timer);
              reject(new Error('no answer text appeared'));
            }
          }, 2);
        });
      }, ANSWER_TIMEOUT_MS);

      const answer = frame.locator('.message[data-role="assistant"]').last();
      await answer.and(frame.locator('[data-ended]')).waitFor({ timeout: 20_000 });
      const raw = (await answer.getAttribute('data-raw')) ?? '';
      const ended = await answer.getAttribute('data-ended');
      check(
        ended !== 'maxTokens' && ended !== 'complete',
        `the answer finished (${ended}, ${raw.length} of the golden ${goldens.stop.length} characters) before the Stop click landed ` +
          `(the click came after ${firstLength} characters)`,
      );
      check(ended === 'stopped', `the answer ended ${JSON.stringify(ended)}, expected "stopped"`);
      check(goldens.stop.startsWith(raw), `the stopped answer is not a prefix of the model's:\n        panel:  ${JSON.stringify(raw)}\n        golden: ${JSON.stringify(goldens.stop)}`);
      check(raw.length < goldens.stop.length, 'the stopped answer is as long as the whole answer');
      await frame.locator('#send-button:not(.stop)').waitFor({ timeout: 10_000 });
      await frame.locator('.message-ended.ended-stopped').last().waitFor({ timeout: 5_000 });
      return `stopped after ${raw.length} of ${goldens.stop.length} characters (Stop clicked when ${firstLength} were shown)`;
    },
  },
  {
    name: 'Up in the empty box edits the last message; sending replaces it and its answer',
    slug: 'edit-last',
    async run({ page }) {
      const frame = await openChat(page);
      const before = await panelState(frame);
      const lastUser = before.messages.filter((message) => message.role === 'user').at(-1);
      check(lastUser !== undefined, 'no user message to edit');
      const input = frame.locator('.chat-input');
      await input.click();
      await input.fill('');
      await page.keyboard.press('ArrowUp');
      const recalled = await input.inputValue();
      check(recalled === lastUser.body, `Up put ${JSON.stringify(recalled)} in the box, expected the last message ${JSON.stringify(lastUser.body)}`);
      await input.fill(EDITED_PROMPT);
      await page.keyboard.press('Enter');
      let after: PanelState | undefined;
      const finished = await poll(ANSWER_TIMEOUT_MS, async () => {
        after = await panelState(frame);
        const answer = after.messages.at(-1);
        const question = after.messages.at(-2);
        return question?.body === EDITED_PROMPT && answer?.role === 'assistant' && answer.ended !== null && !after.stopping;
      }, POLL_MS);
      check(finished && after !== undefined, 'the answer to the edited message did not finish');
      check(!after.messages.some((message) => message.id === lastUser.id), 'the edited message is still shown');
      const users = after.messages.filter((message) => message.role === 'user');
      check(users.at(-1)?.body === EDITED_PROMPT, `the last user message reads ${JSON.stringify(users.at(-1)?.body)}`);
      check(after.messages.length === before.messages.length, `${before.messages.length} messages before, ${after.messages.length} after: the old answer was not replaced`);
      return `replaced ${JSON.stringify(preview(lastUser.body))} and its answer`;
    },
  },
  {
    name: "summarize from the editor's context menu",
    slug: 'summarize',
    async run({ page }) {
      await showExplorer(page);
      const editor = await openFromExplorer(page, 'README.md', 'Sample workspace', 30_000);
      await editor.locator('.view-lines .view-line', { hasText: 'Sample workspace' }).first().click();
      await page.keyboard.press('Control+A');
      await editor.locator('.view-lines .view-line', { hasText: 'Sample workspace' }).first().click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-item .action-label', { hasText: /^Summarize Selection$/ });
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      await item.click();
      // A click that lands while the menu is still settling only highlights the item: Enter runs it.
      const menu = page.locator('.monaco-menu').first();
      if (!(await menu.waitFor({ state: 'hidden', timeout: 1_500 }).then(() => true, () => false))) {
        await item.hover();
        await page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden', timeout: 5_000 });
      }

      // The command reveals the chat view (its webview is loaded afresh) and sends the selection.
      const frame = await findChatFrame(page, 30_000);
      let state: PanelState | undefined;
      let summary: { user: MessageState; answer: MessageState | undefined } | undefined;
      const finished = await poll(ANSWER_TIMEOUT_MS, async () => {
        state = await panelState(frame);
        const index = state.messages.findIndex((message) => message.role === 'user' && message.header.includes('Summary of README.md'));
        if (index < 0) return false;
        summary = { user: state.messages[index]!, answer: state.messages.slice(index + 1).find((message) => message.role === 'assistant') };
        return summary.answer !== undefined && summary.answer.ended !== null && !state.stopping;
      }, 100);
      check(summary !== undefined, `no message headed "Summary of README.md" appeared (messages: ${JSON.stringify(state?.messages.map((message) => message.header || message.body.slice(0, 40)))})`);
      check(finished && summary.answer !== undefined, `the summary did not finish within ${ANSWER_TIMEOUT_MS / 1000} s`);
      check(summary.answer.raw.trim().length > 0, `the summary is empty (ended ${summary.answer.ended})`);
      check(summary.answer.ended !== 'error', `the summary failed: ${summary.answer.body}`);
      return `"${summary.user.header}": ${summary.answer.raw.length} characters, ended ${summary.answer.ended}`;
    },
  },
  {
    name: 'rendering: crafted host messages through the protocol are harmless, and Insert at Cursor works',
    slug: 'rendering',
    async run({ page }) {
      // The editor first: showing the Explorer reloads the chat webview, which would lose a message
      // that only the webview has seen.
      await showExplorer(page);
      const editor = await openFromExplorer(page, 'fibonacci.js', 'module.exports', 30_000);
      await editor.locator('.view-lines .view-line', { hasText: 'module.exports' }).first().click();
      await page.keyboard.press('Control+End');
      const frame = await openChat(page);

      const leaks = await startCountingServer();
      try {
        const markdown = [
          'Here is the code:',
          '',
          '```js',
          CRAFTED_CODE,
          '```',
          '',
          `![leak](${leaks.url}/leak.png)`,
          '',
          'A [click](javascript:alert(1)) link and the [docs](https://example.com/docs).',
          '',
          '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>',
        ].join('\n');
        const message = { id: 'crafted-1', role: 'assistant', text: markdown, model: 'crafted' };
        // A panel just shown asks the host for its state ('init'), which replaces what it shows: wait
        // until that arrived (the conversation of the earlier tests is on screen) before injecting.
        await frame.locator('.message[data-role="user"]').first().waitFor({ timeout: 10_000 });
        // Exactly as the host's postMessage arrives: a `message` event on the panel's window.
        await frame.evaluate((data) => window.dispatchEvent(new MessageEvent('message', { data })), { type: 'message', message });
        await frame.evaluate((data) => window.dispatchEvent(new MessageEvent('message', { data })), { type: 'done', message: { ...message, ended: 'complete' } });
        const crafted = frame.locator('.message[data-message-id="crafted-1"]');
        await crafted.locator('.message-body pre').waitFor({ timeout: 10_000 });

        const found = await frame.evaluate(() => {
          const body = document.querySelector('.message[data-message-id="crafted-1"] .message-body');
          const all = Array.from(document.querySelectorAll('*'));
          const pre = body?.querySelector('pre');
          return {
            remoteImages: Array.from(document.querySelectorAll('img')).map((img) => img.getAttribute('src') ?? '').filter((src) => /^\s*https?:/i.test(src)),
            handlers: all.flatMap((element) => element.getAttributeNames().filter((name) => /^on/i.test(name)).map((name) => `${element.tagName.toLowerCase()}[${name}]`)),
            scriptLinks: Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href') ?? '').filter((href) => /^\s*javascript:/i.test(href)),
            docsLink: Array.from(body?.querySelectorAll('a') ?? []).find((a) => a.textContent === 'docs')?.getAttribute('href') ?? null,
            pwned: (window as unknown as { __pwned?: unknown }).__pwned,
            text: body?.textContent ?? '',
            code: pre?.textContent ?? '',
            highlighted: pre !== null && pre !== undefined && pre.querySelector('.hljs, [class*="hljs-"]') !== null,
          };
        });
        check(found.remoteImages.length === 0, `remote images in the panel: ${JSON.stringify(found.remoteImages)}`);
        check(found.handlers.length === 0, `event-handler attributes in the panel: ${found.handlers.join(', ')}`);
        check(found.scriptLinks.length === 0, `javascript: links in the panel: ${JSON.stringify(found.scriptLinks)}`);
        check(found.pwned === undefined, `injected script ran (window.__pwned = ${JSON.stringify(found.pwned)})`);
        check(found.text.includes('<b>bold</b>'), `raw HTML is not shown as text (body: ${JSON.stringify(preview(found.text, 300))})`);
        check(found.docsLink === 'https://example.com/docs', `the https link lost its target (href ${JSON.stringify(found.docsLink)})`);
        check(found.code.includes(CRAFTED_CODE), `the code block shows ${JSON.stringify(found.code)}`);
        check(found.highlighted, 'the code block is not highlighted (no hljs classes)');
        await page.waitForTimeout(2_000);
        check(leaks.count() === 0, `the panel fetched from the answer's image server ${leaks.count()} time(s)`);

        await crafted.locator('button[data-code-action="insert"]').click();
        const inserted = await poll(10_000, async () => (await readEditor(activeEditor(page))).lines.some((line) => squash(line.text).includes(CRAFTED_CODE)));
        const lines = (await readEditor(activeEditor(page))).lines.map((line) => line.text);
        check(inserted, `after Insert at Cursor the editor shows ${JSON.stringify(lines.slice(-4))}`);
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'chat-rendering-dark.png') });
        return `no remote image, handler, javascript: link or script; 0 requests to the image server; code inserted into fibonacci.js`;
      } finally {
        await leaks.close();
      }
    },
  },
  {
    name: 'light theme screenshot',
    slug: 'light',
    async run({ page, dark }) {
      check(dark !== undefined, 'the dark look was not recorded (the first test failed early)');
      await chooseColorTheme(page, 'Light Modern', 'vs');
      const frame = await openChat(page);
      let light: ThemeLook | undefined;
      const changed = await poll(10_000, async () => {
        light = await themeLook(frame);
        return light.bodyColor !== dark.bodyColor && light.sideBarBackground !== dark.sideBarBackground;
      });
      check(changed, `the panel looks the same in the light theme (dark ${JSON.stringify(dark)}, light ${JSON.stringify(light)})`);
      check((await frame.locator('.message').count()) > 0, 'the panel shows no conversation');
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'chat-light.png') });
      const background = light!.bodyBackground === dark.bodyBackground ? `body background ${dark.bodyBackground} in both` : `body background ${dark.bodyBackground} → ${light!.bodyBackground}`;
      return `text ${dark.bodyColor} → ${light!.bodyColor}, side bar ${dark.sideBarBackground} → ${light!.sideBarBackground}, ${background}`;
    },
  },
  {
    name: 'Ask the Cloud Model under mode "ask": the consent dialog shows the files and bytes, Send streams the answer, the ledger lists it',
    slug: 'consent',
    async run({ page, cloud }) {
      // The key, through the command a user runs (it goes to SecretStorage, never to settings).
      await runCommand(page, 'Hearth: Set Cloud API Key…');
      const endpointRow = page.locator('.quick-input-widget .monaco-list-row', { hasText: CLOUD_ENDPOINT_ID }).first();
      await endpointRow.waitFor({ state: 'visible', timeout: 10_000 });
      await endpointRow.click();
      const keyInput = page.locator('.quick-input-widget .quick-input-box input');
      await keyInput.waitFor({ state: 'visible', timeout: 10_000 });
      check((await keyInput.getAttribute('type')) === 'password', 'the API key box does not hide what is typed');
      await keyInput.fill(CLOUD_API_KEY);
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });

      // README.md open in the editor: the chat's current-file chip goes with the message.
      await showExplorer(page);
      await openFromExplorer(page, 'README.md', 'Sample workspace', 30_000);
      cloud.reset();
      cloud.script(ok(CLOUD_CHUNKS, { delayMs: 250 }));
      const frame = await openChat(page);
      await frame.locator('#new-chat').click();
      await frame.locator('.chip', { hasText: 'README.md' }).first().waitFor({ timeout: 10_000 });
      await frame.locator('.chat-input').click();
      await page.keyboard.type(CLOUD_PROMPT);
      await frame.locator('#cloud-button').click();

      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 30_000 });
      const shown = await dialog.innerText();
      const beforeConsent = cloud.requests.length;
      check(beforeConsent === 0, 'the cloud was asked before consent');
      const bytes = /Bytes: ([\d,]+)/.exec(shown)?.[1]?.replace(/,/g, '');
      check(/README\.md, lines 1–\d+/.test(shown), `the dialog does not list README.md and its lines:\n${shown}`);
      check(shown.includes(`${cloud.url}/v1`) && shown.includes('gpt-loopback'), `the dialog does not name the endpoint and model:\n${shown}`);
      check(bytes !== undefined, `the dialog does not give the byte count:\n${shown}`);
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'consent-dialog.png') });
      await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Send$/ }).click();

      const partials = new Set<number>();
      let answer: MessageState | undefined;
      const finished = await poll(ANSWER_TIMEOUT_MS, async () => {
        const state = await panelState(frame);
        answer = state.messages.filter((message) => message.role === 'assistant').at(-1);
        if (answer?.ended === null && answer.raw.length > 0) partials.add(answer.raw.length);
        return answer !== undefined && answer.ended !== null && !state.stopping;
      }, POLL_MS);
      check(finished && answer !== undefined, `the cloud answer did not finish (last: ${JSON.stringify(answer)})`);
      check(answer.raw === CLOUD_CHUNKS.join(''), `the panel shows ${JSON.stringify(answer.raw)}`);
      check(partials.size >= 1, 'the cloud answer did not stream in');
      const requests = cloud.requests.length as number;
      check(requests === 1, `${requests} requests reached the loopback cloud`);
      const body = cloud.requests[0]?.body as { messages?: Array<{ content: string }> } | undefined;
      const sentBytes = (body?.messages ?? []).reduce((sum, message) => sum + Buffer.byteLength(message.content, 'utf8'), 0);
      check(String(sentBytes) === bytes, `the dialog said ${bytes} bytes, ${sentBytes} were sent`);
      check(JSON.stringify(body).includes('Sample workspace'), 'README.md was not sent');
      check(cloud.requests[0]?.headers.authorization === `Bearer ${CLOUD_API_KEY}`, 'the key from SecretStorage was not used');

      await runCommand(page, 'Hearth: Show Privacy Ledger');
      const entry = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Ask the Cloud Model' }).first();
      await entry.waitFor({ state: 'visible', timeout: 10_000 });
      const row = await entry.innerText();
      check(row.includes(new URL(cloud.url).host), `the ledger row does not name the endpoint host: ${row}`);
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'privacy-ledger.png') });
      await page.keyboard.press('Escape');
      return `consent showed ${bytes} bytes and README.md; the answer streamed in ${partials.size} partial length(s); the ledger lists it`;
    },
  },
  {
    name: 'conversations survive a reload of the window and reopen from the History list',
    slug: 'history',
    async run({ page }) {
      let frame = await openChat(page);
      await frame.locator('#new-chat').click();
      await frame.locator('.message').first().waitFor({ state: 'detached', timeout: 10_000 });
      // A new window: the page is loaded again, and with it a new extension host. (The side bar comes
      // back showing the chat, not the Explorer.)
      await page.reload();
      await waitForHearth(page, 60_000);
      frame = await openChat(page);
      await frame.locator('#show-history').click();
      const item = frame.locator('.history-item', { hasText: STORY_PROMPT }).first();
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      const titles = await frame.locator('.history-item .history-title').allInnerTexts();
      await item.locator('.history-open').click();
      await frame.locator('.message[data-role="user"]', { hasText: STORY_PROMPT }).first().waitFor({ timeout: 10_000 });
      const state = await panelState(frame);
      const answer = state.messages.find((message) => message.role === 'assistant');
      check(answer !== undefined && answer.raw.length > 0, 'the reopened conversation has no answer');
      return `History listed ${titles.length} conversation(s) after the reload: ${titles.map((title) => JSON.stringify(preview(title, 30))).join(', ')}`;
    },
  },
  {
    // Last: it takes the model away (and gives it back at the end).
    name: 'first run: with no model the panel says so, with the recommendation, and its buttons open the model list and the import dialog',
    slug: 'first-run',
    async run({ page, settingsFile }) {
      const original = await fs.readFile(settingsFile, 'utf8');
      // No model set, and none in Hearth's models folder or the extension's models/: what a new user
      // has. A new window (a reload) reads the user settings file again, as a new user's first does.
      await fs.writeFile(settingsFile, `${JSON.stringify({ ...(JSON.parse(original) as Record<string, unknown>), 'hearth.model.path': '' }, null, 2)}\n`);
      await page.reload();
      await waitForHearth(page, 60_000);
      const frame = await openChat(page);
      try {
        const status = frame.locator('#engine-status[data-kind="noModel"]');
        await status.waitFor({ state: 'visible', timeout: 30_000 });
        const text = squash(await status.innerText());
        check(/^No model yet\./.test(text), `the panel says ${JSON.stringify(text)}`);
        check(/Get one \(downloaded after a click\), or import a GGUF file you have\./.test(text), `the panel does not say how to get a model: ${JSON.stringify(text)}`);
        const recommendation = /Recommended for this machine: ([^.]+)\./.exec(text)?.[1];
        await page.screenshot({ path: path.join(OUTPUT_DIR, 'chat-first-run.png') });

        // Get a Model…: the model list, with the catalog and the way to import.
        await frame.locator('#get-model').click();
        const list = page.locator('.quick-input-widget', { hasText: 'Hearth: Manage Models' });
        await list.waitFor({ state: 'visible', timeout: 30_000 });
        const rows = page.locator('.quick-input-widget .monaco-list-row');
        await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
        const labels = squash((await rows.allInnerTexts()).join(' | '));
        check(/Qwen2\.5-Coder/.test(labels), `the model list shows no catalog model: ${preview(labels, 300)}`);
        await page.keyboard.press('Escape');
        await list.waitFor({ state: 'hidden', timeout: 10_000 });

        // Import a GGUF File…: the open dialog (code-server's simple dialog is a quick input).
        await frame.locator('#import-model').click();
        const dialog = page.locator('.quick-input-widget', { hasText: 'Hearth: Import a GGUF Model File' });
        await dialog.waitFor({ state: 'visible', timeout: 30_000 });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
        return `the panel said ${JSON.stringify(preview(text, 160))}${recommendation === undefined ? ' (no catalog model fits this machine\'s free memory now)' : ''}; Get a Model… and Import… opened the list and the dialog`;
      } finally {
        await fs.writeFile(settingsFile, original);
      }
    },
  },
];

// --- The panel ----------------------------------------------------------------------------------

/**
 * Colours that follow the theme. The panel's body is transparent (the side bar shows through), so
 * its computed background is the same in every theme; the text colour and the theme's side bar
 * colour (a CSS variable VS Code sets on the webview's root) tell the themes apart.
 */
async function themeLook(frame: Frame): Promise<ThemeLook> {
  return frame.evaluate(() => ({
    bodyBackground: getComputedStyle(document.body).backgroundColor,
    bodyColor: getComputedStyle(document.body).color,
    sideBarBackground: getComputedStyle(document.documentElement).getPropertyValue('--vscode-sideBar-background').trim(),
  }));
}

// --- The workbench ------------------------------------------------------------------------------

/** Picks a color theme in "Preferences: Color Theme", as a user does; waits for the workbench to wear it. */
async function chooseColorTheme(page: Page, label: string, kind: 'vs' | 'vs-dark'): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  await page.keyboard.type(label);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: new RegExp(`^${label}`) }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
  await page.locator(kind === 'vs' ? '.monaco-workbench.vs:not(.vs-dark)' : '.monaco-workbench.vs-dark').waitFor({ timeout: 15_000 });
}

/**
 * Loads the model once before the tests (Hearth: Restart Engine) and waits for the status bar to
 * name it. Choosing the theme rewrites settings.json just after startup, and once in a while the
 * window keeps a stale copy of the user settings without hearth.model.path; a new window (a reload)
 * reads them again. This checks the environment, not the panel: the tests start from a loaded model.
 */
async function ensureModelLoads(page: Page): Promise<void> {
  // Ready (a check mark) or generating (sync): the model is loaded.
  const engineItem = page.locator('[id="hearth.hearth.hearth.engine"] .codicon-check, [id="hearth.hearth.hearth.engine"] .codicon-sync').first();
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    await runCommand(page, 'Hearth: Restart Engine');
    if (await engineItem.waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false)) return;
    log(`the model did not load (attempt ${attempt}): the window may hold stale user settings; reloading it`);
    await page.reload();
    await waitForHearth(page, 60_000);
  }
  throw new Error('the model never loaded: Hearth did not see hearth.model.path');
}

async function showExplorer(page: Page): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row').first();
  if (await row.isVisible()) return;
  await runCommand(page, 'View: Show Explorer');
  await waitForExplorer(page, 'fibonacci.js', 15_000);
}

// --- Helpers ------------------------------------------------------------------------------------

/** A server on 127.0.0.1 that counts the requests it gets (an answer's image must never reach it). */
async function startCountingServer(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((_request, response) => {
    requests += 1;
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function computeGoldens(modelPath: string): Promise<Goldens> {
  const chat = await InProcessChat.load(modelPath, { threads: 1, contextSize: CONTEXT_SIZE });
  try {
    const answer = async (text: string): Promise<string> => (await chat.answer(chatMessages([{ role: 'user', content: text }]), MAX_TOKENS)).text;
    return { story: await answer(STORY_PROMPT), stop: await answer(STOP_PROMPT) };
  } finally {
    await chat.dispose();
  }
}

function log(message: string): void {
  console.log(`[e2e-chat] ${message}`);
}

// --- The run ------------------------------------------------------------------------------------

async function runChatE2e(): Promise<RunSummary> {
  const started = Date.now();
  const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'extension.js')) || !existsSync(path.join(REPO_ROOT, 'dist', 'webview.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:e2e-chat does)');
  }
  const summary: RunSummary = { passed: 0, failed: 0 };
  const overall = stopAfter(RUN_TIMEOUT_MS, { log: 'e2e-chat', summary: 'chat' }, summary);

  await installTestHost();
  const modelPath = await findTestModel(STORY_TEST_MODEL);
  await fs.mkdir(OUTPUT_DIR, { recursive: true });
  // Screenshots of an earlier run must not pass for this one's.
  for (const name of await fs.readdir(OUTPUT_DIR)) {
    if (name.endsWith('.png')) await fs.rm(path.join(OUTPUT_DIR, name), { force: true });
  }
  const goldens = await computeGoldens(modelPath);
  log(`golden answers computed in process (${goldens.story.length} and ${goldens.stop.length} characters) in ${seconds(started)}`);
  const workspace = await createSampleWorkspace(WORKSPACE);

  const cloud = await startFakeCloudServer();
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const browserErrors: string[] = [];
  try {
    server = await startCodeServer({
      name: 'e2e-chat',
      workspace,
      settings: {
        'hearth.model.path': modelPath,
        'hearth.engine.threads': 1,
        'hearth.chat.temperature': 0,
        'hearth.chat.maxTokens': MAX_TOKENS,
        'hearth.completions.enabled': false,
        // Plain chat stays local; "Ask the Cloud Model" asks for consent, then uses the loopback cloud.
        'hearth.privacy.mode': 'ask',
        'hearth.privacy.allowedEndpoints': [{ id: CLOUD_ENDPOINT_ID, provider: 'openai', baseUrl: `${cloud.url}/v1`, model: 'gpt-loopback', trust: 'external' }],
        'workbench.colorTheme': 'Default Dark Modern',
        // No "open the parent repository?" notification (the workspace is inside this repo), and no
        // package downloads by the TypeScript server.
        'git.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        'typescript.disableAutomaticTypeAcquisition': true,
      },
    });
    log(`code-server healthy in ${seconds(started)} at ${server.url}`);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => browserErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') browserErrors.push(`console ${message.type()}: ${message.text()}`);
    });
    const opened = Date.now();
    await page.goto(server.workbenchUrl({ extensionDevelopmentPath: REPO_ROOT }));
    await waitForExplorer(page, 'fibonacci.js', 60_000);
    await waitForHearth(page, 60_000);
    log(`Hearth active ${seconds(opened)} after opening the workbench`);
    // An Extension Development Host window does not take workbench.colorTheme from the user settings
    // (it comes up in Light+, whatever they say), so the dark theme is chosen the way a user would.
    await page.locator('.monaco-workbench[class*="vscode-theme-"]').waitFor({ timeout: 30_000 });
    if (!(await page.locator('.monaco-workbench.vs-dark').isVisible())) {
      await chooseColorTheme(page, 'Dark Modern', 'vs-dark');
      log('switched to Dark Modern through Preferences: Color Theme');
    }

    await ensureModelLoads(page);

    console.log('\n  The Hearth chat panel in the VS Code UI (code-server, Chromium)');
    const settingsFile = path.join(server.userDataDir, 'User', 'settings.json');
    await runBrowserTests<ChatContext>(page, tests, { page, goldens, cloud, settingsFile }, OUTPUT_DIR, summary);
    console.log('');
  } catch (error) {
    summary.failed += 1;
    console.log(`[e2e-chat] the workbench did not come up: ${(error as Error).message}`);
    if (page !== undefined) {
      const screenshot = path.join(OUTPUT_DIR, 'workbench-failure.png');
      await page.screenshot({ path: screenshot }).then(
        () => console.log(`      screenshot: ${path.relative(process.cwd(), screenshot)}`),
        () => undefined,
      );
    }
  } finally {
    clearTimeout(overall);
    const failed = summary.failed > 0 || summary.passed === 0;
    if (failed && server !== undefined) {
      console.log(server.extensionHostLogTail(40));
      if (browserErrors.length) console.log(`--- browser errors and warnings (last 20) ---\n${browserErrors.slice(-20).join('\n')}`);
      console.log(`code-server's log and user data are kept in ${path.relative(process.cwd(), server.runDir)}`);
    }
    await browser?.close().catch(() => undefined);
    await server?.stop({ keepData: failed });
    await cloud.close();
  }
  log(`done in ${seconds(started)}`);
  return summary;
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) runSuiteMain('chat', runChatE2e);
