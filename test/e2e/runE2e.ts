// End-to-end tests of the live VS Code UI: code-server (the real workbench and extension host) with
// Hearth as the development extension and the fill-in-the-middle test model, driven through
// Debian's Chromium by playwright-core like a user would: click a file in the Explorer, click into
// the editor, type, see the ghost text, press Tab. See DESIGN.md, "A real VS Code for tests".
//
//   npm run test:e2e                          (builds first)
//   node --import tsx test/e2e/runE2e.ts      (uses the existing dist/)
//
// Prints one line per test and "e2e: N passed, N failed" (read by scripts/runAllTests.ts); exits
// non-zero on a failure. On a failure it saves a screenshot under .test-output/e2e/ and keeps
// code-server's user data and logs (the path is printed). After a pass the screenshot of the ghost
// text is kept as .test-output/e2e/ghost-text.png. HEARTH_KEEP_TEST_OUTPUT=1 keeps the logs also
// after a pass.
//
// The model has random weights: its suggestions are gibberish, but not empty. Post-processing can
// still leave nothing to show for a given prompt, so the ghost-text test types one more character
// when no suggestion comes, a few times.
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEFAULT_EXCLUDE_FROM_AI } from '../../src/common/policy/privacyPolicy';
import { installTestHost } from '../../scripts/installTestHost';
import { fimTestModelPath } from '../fixtures/testModels';
import { launchBrowser, REPO_ROOT, startCodeServer, TEST_OUTPUT_DIR, type CodeServer } from '../integration/codeServerHost';
import { createSampleWorkspace } from '../integration/runInCodeServer';
import { check, poll, preview } from '../support/polling';
import { runBrowserTests, stopAfter, type BrowserTest, type RunSummary } from './browserTests';
import { runSuiteMain } from '../support/runSuiteMain';
import {
  clickEndOfLine,
  ghostCount,
  hearthBusy,
  openFromExplorer,
  readEditor,
  squash,
  waitForExplorer,
  waitForHearth,
  type RenderedEditor,
} from './workbench';

const E2E_OUTPUT_DIR = path.join(TEST_OUTPUT_DIR, 'e2e');
const WORKSPACE = path.join(E2E_OUTPUT_DIR, 'workspace');
/** The whole run, from starting code-server to the last assertion. */
const RUN_TIMEOUT_MS = 170_000;
/** Waiting for the first suggestion includes starting the model process and loading the model. */
const FIRST_GHOST_TIMEOUT_MS = 45_000;
const NEXT_GHOST_TIMEOUT_MS = 10_000;
/** Characters typed one at a time when no suggestion came for what was typed so far. */
const RETRY_CHARACTERS = ['x', 'y', 'z', 'w'];
/** How long an excluded file is watched for ghost text after the last keystroke. */
const EXCLUDED_QUIET_MS = 3_000;
const DEBOUNCE_MS = 25;

const SECRET_FILE = 'notes.secret';
const SECRET_TEXT = '# Deployment notes (never shown to a model)\napi_token = "not-a-real-token"\n';

interface E2eContext {
  page: Page;
}

const tests: Array<BrowserTest<E2eContext>> = [
  {
    name: 'ghost text appears while typing at the end of a line, and Tab accepts it',
    slug: 'ghost-text',
    async run({ page }) {
      const editor = await openFromExplorer(page, 'fibonacci.js', 'module.exports', 30_000);
      // A new empty line at the end: nothing after the cursor, so a multi-line suggestion is allowed.
      await clickEndOfLine(page, editor, 'module.exports');
      await page.keyboard.press('Enter');
      let typed = 'function ';
      await page.keyboard.type(typed, { delay: 40 });

      let shown = await waitForGhost(editor, typed, FIRST_GHOST_TIMEOUT_MS);
      for (const character of RETRY_CHARACTERS) {
        if (shown !== undefined) break;
        console.log(`    (no ghost text after typing ${JSON.stringify(typed)}; typing ${JSON.stringify(character)})`);
        await page.keyboard.type(character);
        typed += character;
        shown = await waitForGhost(editor, typed, NEXT_GHOST_TIMEOUT_MS);
      }
      if (shown === undefined) throw new Error(`no ghost text appeared after typing ${JSON.stringify(typed)}`);
      const { lineIndex, inline, further } = shown;
      const before = shown.rendered.lines[lineIndex]!;
      check(squash(before.text) === squash(typed), `the cursor line shows ${JSON.stringify(before.text)}, expected the typed ${JSON.stringify(typed)}`);
      check(squash(inline + further.join('')).length > 0, 'the ghost text is blank');
      await page.screenshot({ path: path.join(E2E_OUTPUT_DIR, 'ghost-text.png') });

      await page.keyboard.press('Tab');
      // Accepted: the line's own text is now what was typed plus the suggestion, and its ghost text is
      // gone (Hearth may show a new suggestion for what follows, but only after the accepted text).
      const expectedLine = squash(typed + inline);
      let after: RenderedEditor | undefined;
      const accepted = await poll(5_000, async () => {
        after = await readEditor(editor);
        const line = after.lines[lineIndex];
        if (line === undefined || squash(line.text) !== expectedLine || !line.ghostAtEnd) return false;
        // The further lines of a multi-line suggestion are now lines of the document, under it.
        return further.every((text, index) => squash(after!.lines[lineIndex + 1 + index]?.text ?? '') === squash(text));
      });
      if (!accepted) {
        const line = after?.lines[lineIndex];
        throw new Error(
          `after Tab, line ${lineIndex + 1} shows ${JSON.stringify(line?.text)} (ghost ${JSON.stringify(line?.ghost)}); ` +
            `expected ${JSON.stringify(typed + inline)}${further.length ? ` and then ${JSON.stringify(further)}` : ''}`,
        );
      }
      const lines = 1 + further.length;
      return `suggested ${JSON.stringify(preview(inline + (further.length ? '⏎' + further.join('⏎') : '')))} (${lines} line${lines > 1 ? 's' : ''}) after typing ${JSON.stringify(typed)}`;
    },
  },
  {
    name: `a file matching hearth.privacy.exclude (${SECRET_FILE}) gets no ghost text`,
    slug: 'excluded-file',
    async run({ page }) {
      const editor = await openFromExplorer(page, SECRET_FILE, 'api_token', 30_000);
      // Whatever the previous test started must not be mistaken for work on this file.
      await poll(10_000, async () => !(await hearthBusy(page)));
      await clickEndOfLine(page, editor, 'api_token');
      await page.keyboard.press('Enter');
      let seen = 0;
      let busy = false;
      const watch = async () => {
        seen = Math.max(seen, await ghostCount(editor));
        busy ||= await hearthBusy(page);
      };
      for (const character of 'password = ') {
        await page.keyboard.type(character);
        await watch();
        await page.waitForTimeout(40);
      }
      const quietUntil = Date.now() + EXCLUDED_QUIET_MS;
      while (Date.now() < quietUntil) {
        await watch();
        await page.waitForTimeout(100);
      }
      await watch();
      const line = (await readEditor(editor)).lines.find((rendered) => rendered.text.startsWith('password'));
      check(line !== undefined && squash(line.text) === 'password =', `the typed text is not in the editor (line: ${JSON.stringify(line?.text)})`);
      check(seen === 0, `ghost text appeared in ${SECRET_FILE}: ${JSON.stringify(preview(line?.ghost ?? ''))}`);
      check(!busy, `Hearth asked the model for a completion in ${SECRET_FILE} (its status bar item spun)`);
      return `no ghost text and no model call within ${EXCLUDED_QUIET_MS / 1000} s after the last keystroke (debounce ${DEBOUNCE_MS} ms)`;
    },
  },
];

interface Ghost {
  rendered: RenderedEditor;
  /** Index (in rendered.lines) of the line holding the inline ghost text. */
  lineIndex: number;
  inline: string;
  further: string[];
}

/** Waits for ghost text after `typed`; undefined if none within `timeoutMs`. */
async function waitForGhost(editor: Locator, typed: string, timeoutMs: number): Promise<Ghost | undefined> {
  let found: Ghost | undefined;
  await poll(timeoutMs, async () => {
    const rendered = await readEditor(editor);
    let lineIndex = rendered.lines.findIndex((line) => line.ghost.length > 0);
    // A suggestion that starts with a line break has no inline part: only further lines, under the typed line.
    if (lineIndex < 0 && rendered.ghostLines.length > 0) {
      lineIndex = rendered.lines.map((line) => squash(line.text)).lastIndexOf(squash(typed));
    }
    if (lineIndex < 0) return false;
    found = { rendered, lineIndex, inline: rendered.lines[lineIndex]!.ghost, further: rendered.ghostLines };
    return true;
  });
  return found;
}

function log(message: string): void {
  console.log(`[e2e] ${message}`);
}

async function runE2e(): Promise<RunSummary> {
  const started = Date.now();
  const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) {
    throw new Error('dist/extension.js is missing: run `npm run build` first (npm run test:e2e does)');
  }
  await installTestHost();
  const modelPath = await fimTestModelPath();
  await fs.mkdir(E2E_OUTPUT_DIR, { recursive: true });
  // Screenshots of an earlier run must not pass for this one's.
  for (const name of await fs.readdir(E2E_OUTPUT_DIR)) {
    if (name.endsWith('.png')) await fs.rm(path.join(E2E_OUTPUT_DIR, name), { force: true });
  }
  const workspace = await createSampleWorkspace(WORKSPACE);
  await fs.writeFile(path.join(workspace, SECRET_FILE), SECRET_TEXT);

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const summary: RunSummary = { passed: 0, failed: 0 };
  const browserErrors: string[] = [];
  const overall = stopAfter(RUN_TIMEOUT_MS, { log: 'e2e', summary: 'e2e' }, summary);
  try {
    server = await startCodeServer({
      name: 'e2e',
      workspace,
      settings: {
        'hearth.model.path': modelPath,
        'hearth.completions.debounceMs': DEBOUNCE_MS,
        // Other test suites may share these two cores: generous budgets keep a slow first answer from being dropped.
        'hearth.completions.promptBudgetMs': 5_000,
        'hearth.completions.generationBudgetMs': 3_000,
        'hearth.engine.threads': 1,
        'hearth.privacy.exclude': [...DEFAULT_EXCLUDE_FROM_AI, '**/*.secret'],
        'editor.inlineSuggest.enabled': true,
        // No "open the parent repository?" notification over the editor (the workspace is inside this repo),
        // and no package downloads by the TypeScript server.
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
      if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`);
    });
    const opened = Date.now();
    await page.goto(server.workbenchUrl({ extensionDevelopmentPath: REPO_ROOT }));
    await waitForExplorer(page, 'fibonacci.js', 60_000);
    log(`workbench shows the Explorer ${seconds(opened)} after opening it`);
    await waitForHearth(page, 60_000);
    log(`Hearth active ${seconds(opened)} after opening the workbench`);

    console.log('\n  Hearth in the VS Code UI (code-server, Chromium)');
    await runBrowserTests(page, tests, { page }, E2E_OUTPUT_DIR, summary);
    console.log('');
  } catch (error) {
    summary.failed += 1;
    console.log(`[e2e] the workbench did not come up: ${(error as Error).message}`);
    if (page !== undefined) {
      const screenshot = path.join(E2E_OUTPUT_DIR, 'workbench-failure.png');
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
      console.log(await hearthLogTail(server, 40));
      if (browserErrors.length) console.log(`--- browser errors (last 20) ---\n${browserErrors.slice(-20).join('\n')}`);
      console.log(`code-server's log and user data are kept in ${path.relative(process.cwd(), server.runDir)}`);
    }
    await browser?.close().catch(() => undefined);
    await server?.stop({ keepData: failed });
  }
  log(`done in ${seconds(started)}`);
  return summary;
}

/** The end of Hearth's own log ("Hearth" output channel) of this run. */
async function hearthLogTail(server: CodeServer, lines: number): Promise<string> {
  const logsDir = path.join(server.userDataDir, 'logs');
  const files: string[] = [];
  for (const session of await fs.readdir(logsDir).catch(() => [] as string[])) {
    for (const host of await fs.readdir(path.join(logsDir, session)).catch(() => [] as string[])) {
      const file = path.join(logsDir, session, host, 'hearth.hearth', 'Hearth.log');
      if (existsSync(file)) files.push(file);
    }
  }
  if (files.length === 0) return `(no Hearth log under ${logsDir})`;
  const file = files.sort().at(-1)!;
  const text = (await fs.readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  return `--- ${file} (last ${lines} lines) ---\n${text}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) runSuiteMain('e2e', runE2e);
