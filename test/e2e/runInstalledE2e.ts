// Hearth as a user installs it: `npm run package` builds the linux-x64 .vsix from what is installed
// here (no registry), code-server's `--install-extension` puts it into an empty extensions folder
// outside the repository, and the workbench is opened without extensionDevelopmentPath (which would
// make the development copy shadow the installed one). Driven through Chromium like a user:
//   - the extension activates from the installed copy (its log names the folder, Production mode);
//   - the chat answers with the real story model, word for word what node-llama-cpp gives in process;
//   - the model process runs dist/engine.mjs from the package, and its llama.cpp libraries are the
//     package's own (read from /proc): nothing comes from the repository;
//   - with the binary package removed, "Restart Engine" names the missing package.
//
//   npm run test:installed        (packages first; Linux x64 only: it reads /proc)
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { installTestHost } from '../../scripts/installTestHost';
import { packageExtension } from '../../scripts/package/packageExtension';
import { chatMessages } from '../../src/common/chat/chatPrompt';
import { InProcessChat } from '../fixtures/inProcessChat';
import { findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';
import { launchBrowser, REPO_ROOT, startCodeServer, TEST_OUTPUT_DIR, type CodeServer } from '../integration/codeServerHost';
import { createSampleWorkspace } from '../integration/runInCodeServer';
import { check, poll, preview } from '../support/polling';
import { parseActivation, readHearthLog, type ActivationLine } from '../support/hearthLog';
import { runSuiteMain } from '../support/runSuiteMain';
import { runBrowserTests, stopAfter, type BrowserTest, type RunSummary } from './browserTests';
import { openChat, panelState, type MessageState } from './chatPanel';
import { runCommand, waitForExplorer, waitForHearth } from './workbench';

const OUTPUT_DIR = path.join(TEST_OUTPUT_DIR, 'installed');
const RUN_TIMEOUT_MS = 300_000;
const ANSWER_TIMEOUT_MS = 90_000;
const MAX_TOKENS = 120;
const STORY_PROMPT = 'Tell me a story about a dog.';
const BINARY_PACKAGE = '@node-llama-cpp/linux-x64';

interface InstalledContext {
  readonly page: Page;
  readonly server: CodeServer;
  /** Where code-server unpacked the .vsix. */
  readonly installedDir: string;
  readonly golden: string;
  /** Set by the chat test: the model process that answered. */
  modelPid?: number;
}

const tests: Array<BrowserTest<InstalledContext>> = [
  {
    name: 'the .vsix installs into an empty extensions folder outside the repository, with only its own llama.cpp binary',
    slug: 'install',
    async run({ installedDir }) {
      check(!isInside(installedDir, REPO_ROOT), `installed inside the repository: ${installedDir}`);
      for (const file of ['package.json', 'dist/extension.js', 'dist/engine.mjs', 'node_modules/node-llama-cpp/package.json', `node_modules/${BINARY_PACKAGE}/package.json`]) {
        check(existsSync(path.join(installedDir, file)), `the installed package has no ${file}`);
      }
      const binaries = await fs.readdir(path.join(installedDir, 'node_modules', '@node-llama-cpp'));
      check(binaries.length === 1 && binaries[0] === 'linux-x64', `binary packages installed: ${binaries.join(', ')}`);
      check(!existsSync(path.join(installedDir, 'src')) && !existsSync(path.join(installedDir, 'test')), 'sources or tests were packaged');
      return `installed at ${installedDir}`;
    },
  },
  {
    name: 'opened without extensionDevelopmentPath, Hearth activates from the installed copy',
    slug: 'activate',
    async run({ page, server, installedDir }) {
      check(!page.url().includes('extensionDevelopmentPath'), `the page carries a development path: ${page.url()}`);
      let activated: ActivationLine | undefined;
      await poll(30_000, async () => {
        activated = parseActivation(await hearthLog(server));
        return activated !== undefined;
      });
      check(activated !== undefined, `Hearth's log has no activation line:\n${preview(await hearthLog(server), 600)}`);
      const { ms, extensionPath: from, mode } = activated;
      check(path.resolve(from) === path.resolve(installedDir), `activated from ${from}, not from the installed copy ${installedDir}`);
      check(mode === 'Production', `activated in ${mode} mode`);
      check(!(await hearthLog(server)).includes('Started the model process'), 'activation started the model process');
      return `activated in ${ms} ms from the installed copy, in Production mode, without starting the model process`;
    },
  },
  {
    name: 'the model process starts from inside the package and answers with the real model',
    slug: 'answer',
    async run(context) {
      const { page, server, installedDir, golden } = context;
      const frame = await openChat(page);
      await frame.locator('.chat-input').click();
      await page.keyboard.type(STORY_PROMPT);
      await page.keyboard.press('Enter');
      let answer: MessageState | undefined;
      const finished = await poll(ANSWER_TIMEOUT_MS, async () => {
        const state = await panelState(frame);
        answer = state.messages.filter((message) => message.role === 'assistant').at(-1);
        return answer !== undefined && answer.ended !== null && !state.stopping;
      });
      check(finished && answer !== undefined, `no answer within ${ANSWER_TIMEOUT_MS / 1000} s: ${JSON.stringify(answer)}`);
      check(answer.raw === golden, `the answer differs from node-llama-cpp's in process:\n        panel:  ${JSON.stringify(answer.raw)}\n        golden: ${JSON.stringify(golden)}`);

      const pid = Number(/Started the model process \(pid (\d+)\)/.exec(await hearthLog(server))?.[1]);
      check(Number.isInteger(pid) && pid > 0, 'the log names no model process');
      context.modelPid = pid;
      const commandLine = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      check(
        commandLine.some((arg) => path.resolve(arg) === path.join(installedDir, 'dist', 'engine.mjs')),
        `the model process does not run the package's engine: ${commandLine.join(' ')}`,
      );
      // Every file the model process has mapped that belongs to Hearth or node-llama-cpp is the package's own.
      const mapped = [...new Set((await fs.readFile(`/proc/${pid}/maps`, 'utf8')).split('\n').map((line) => line.split(/\s+/).slice(5).join(' ')).filter((file) => file.startsWith('/')))];
      const llama = mapped.filter((file) => file.includes('llama'));
      check(llama.length > 0, `no llama.cpp library is mapped in the model process:\n${mapped.join('\n')}`);
      const outside = llama.filter((file) => !isInside(file, installedDir));
      check(outside.length === 0, `llama.cpp files from outside the package:\n${outside.join('\n')}`);
      const fromRepository = mapped.filter((file) => isInside(file, REPO_ROOT) && !file.endsWith('.gguf'));
      check(fromRepository.length === 0, `files from the repository are mapped:\n${fromRepository.join('\n')}`);
      check(llama.some((file) => isInside(file, path.join(installedDir, 'node_modules', BINARY_PACKAGE))), `the binary is not ${BINARY_PACKAGE}'s:\n${llama.join('\n')}`);
      return `${answer.raw.length} characters, equal to the in-process answer; model process ${pid} runs ${path.relative(installedDir, commandLine.at(-1) ?? '')} and maps ${llama.length} llama.cpp file(s), all from the package`;
    },
  },
  {
    name: "without its binary package, Restart Engine says which package is missing (and never builds or downloads one)",
    slug: 'missing-binary',
    async run({ page, installedDir }) {
      await fs.rm(path.join(installedDir, 'node_modules', BINARY_PACKAGE), { recursive: true, force: true });
      await runCommand(page, 'Hearth: Restart Engine');
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: BINARY_PACKAGE });
      await toast.first().waitFor({ state: 'visible', timeout: 60_000 });
      const text = (await toast.first().innerText()).replace(/\s+/g, ' ');
      check(/missing from this installation/.test(text), `the notification says ${JSON.stringify(text)}`);
      check(/never downloads or builds it/.test(text), `the notification says ${JSON.stringify(text)}`);
      await page.locator('[id="hearth.hearth.hearth.engine"] .codicon-error').waitFor({ state: 'visible', timeout: 10_000 });
      return `the notification said ${JSON.stringify(preview(text, 160))}`;
    },
  },
];

function hearthLog(server: CodeServer): Promise<string> {
  return readHearthLog(server.userDataDir);
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function log(message: string): void {
  console.log(`[installed] ${message}`);
}

async function runInstalledE2e(): Promise<RunSummary> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('The installed-package test runs on Linux x64 (it installs the linux-x64 .vsix and reads /proc).');
  const started = Date.now();
  const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  const summary: RunSummary = { passed: 0, failed: 0 };
  const overall = stopAfter(RUN_TIMEOUT_MS, { log: 'installed', summary: 'installed' }, summary);

  await installTestHost();
  // From what npm installed here: CI has no registry during the tests.
  const [packaged] = await packageExtension({ targets: ['linux-x64'], gpu: [], offline: true });
  if (packaged === undefined) throw new Error('npm run package wrote no linux-x64 package');
  log(`packaged ${packaged.file} (${(packaged.bytes / 1024 / 1024).toFixed(2)} MiB) in ${seconds(started)}`);
  const modelPath = await findTestModel(STORY_TEST_MODEL);
  const chat = await InProcessChat.load(modelPath, { threads: 1 });
  const golden = (await chat.answer(chatMessages([{ role: 'user', content: STORY_PROMPT }]), MAX_TOKENS).finally(() => chat.dispose())).text;
  await fs.mkdir(OUTPUT_DIR, { recursive: true });
  for (const name of await fs.readdir(OUTPUT_DIR)) {
    if (name.endsWith('.png')) await fs.rm(path.join(OUTPUT_DIR, name), { force: true });
  }
  const workspace = await createSampleWorkspace(path.join(OUTPUT_DIR, 'workspace'));

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    server = await startCodeServer({
      name: 'installed',
      workspace,
      // Outside the repository: Node must not find the repository's node_modules from the installed copy.
      runParent: os.tmpdir(),
      installVsix: [packaged.file],
      settings: {
        'hearth.model.path': modelPath,
        'hearth.engine.threads': 1,
        'hearth.chat.temperature': 0,
        'hearth.chat.maxTokens': MAX_TOKENS,
        'hearth.completions.enabled': false,
        'git.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        'typescript.disableAutomaticTypeAcquisition': true,
      },
    });
    const installed = (await fs.readdir(server.extensionsDir)).filter((name) => name.startsWith('hearth.hearth-'));
    if (installed.length !== 1) throw new Error(`expected one installed Hearth in ${server.extensionsDir}, found: ${installed.join(', ') || 'none'}`);
    const installedDir = path.join(server.extensionsDir, installed[0]!);
    log(`code-server healthy with the installed package in ${seconds(started)}`);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.workbenchUrl());
    await waitForExplorer(page, 'fibonacci.js', 60_000);
    await waitForHearth(page, 60_000);
    console.log('\n  Hearth installed from its .vsix (code-server, Chromium)');
    await runBrowserTests<InstalledContext>(page, tests, { page, server, installedDir, golden }, OUTPUT_DIR, summary);
    console.log('');
  } catch (error) {
    summary.failed += 1;
    console.log(`[installed] the workbench did not come up: ${(error as Error).message}`);
    if (page !== undefined) await page.screenshot({ path: path.join(OUTPUT_DIR, 'workbench-failure.png') }).catch(() => undefined);
  } finally {
    clearTimeout(overall);
    const failed = summary.failed > 0 || summary.passed === 0;
    if (failed && server !== undefined) {
      console.log(server.extensionHostLogTail(40));
      console.log(`--- Hearth's log ---\n${preview(await hearthLog(server), 3000)}`);
      console.log(`code-server's log and user data are kept in ${server.runDir}`);
    }
    await browser?.close().catch(() => undefined);
    await server?.stop({ keepData: failed });
  }
  log(`done in ${seconds(started)}`);
  return summary;
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) runSuiteMain('installed', runInstalledE2e);
