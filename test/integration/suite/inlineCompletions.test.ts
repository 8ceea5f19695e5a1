// Inline completions in a real VS Code extension host with the real model process: the
// registered provider answers real documents from the real model, accepting a suggestion puts
// it in the document, and excluded files, switches and languages get nothing. Runs after
// engine.test.ts (files run in name order), which checks that activation starts no model.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { poll } from '../../support/polling';
import { hearthHooks, type HearthTestHooks } from './hearthHooks';

const SOURCE = [
  '// Sums and averages for the sample workspace.',
  'function sum(values) {',
  '  let total = 0;',
  '  for (const value of values) total += value;',
  '  return total;',
  '}',
  '',
  'function average(values) {',
  '  ',
  '}',
  '',
  'module.exports = { sum, average };',
  '',
].join('\n');
// Inside average(), on its blank line: multi-line completions are allowed there.
const CURSOR = new vscode.Position(8, 2);

const api = hearthHooks;

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

async function openFile(relative: string, text: string): Promise<vscode.TextEditor> {
  const uri = workspaceFile(relative);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document);
}

async function provide(hearthApi: HearthTestHooks, document: vscode.TextDocument, position: vscode.Position): Promise<string | undefined> {
  const source = new vscode.CancellationTokenSource();
  try {
    const items = await hearthApi.completions.provider.provideInlineCompletionItems(
      document,
      position,
      { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined },
      source.token,
    );
    const item = items?.[0];
    if (item === undefined) return undefined;
    assert.equal(typeof item.insertText, 'string');
    return item.insertText as string;
  } finally {
    source.dispose();
  }
}

/**
 * A suggestion, asking up to three times: a cold prompt (a new document, or extra context from
 * other files) can use up the 500 ms prompt budget on a loaded machine, and then, by design,
 * nothing is generated; what was evaluated stays in the model's cache, so the next keystroke's
 * request gets further, as a user's would.
 */
async function suggestion(hearthApi: HearthTestHooks, document: vscode.TextDocument, position: vscode.Position): Promise<string | undefined> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const text = await provide(hearthApi, document, position);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Types `text` at the cursor as a user would (the `type` command), one character at a time. */
async function type(editor: vscode.TextEditor, text: string): Promise<void> {
  await vscode.window.showTextDocument(editor.document);
  for (const character of text) await vscode.commands.executeCommand('type', { text: character });
}

async function setting(id: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('hearth').update(id, value, vscode.ConfigurationTarget.Global);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inline completions in VS Code with the real model', function () {
  this.timeout(90_000);

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('answers a real document with a suggestion from the real model at the cursor', async () => {
    const hearthApi = await api();
    const editor = await openFile('src/stats.js', SOURCE);
    const callsBefore = hearthApi.completions.service.stats.modelCalls;
    const text = await suggestion(hearthApi, editor.document, CURSOR);
    assert.ok(text !== undefined && text.trim().length > 0, `no suggestion: ${JSON.stringify(text)}`);
    assert.equal(text, text.trimEnd(), 'trailing whitespace is trimmed');
    assert.ok(hearthApi.completions.service.stats.modelCalls > callsBefore, 'the model was asked');
    // The editor may be asking the provider on its own meanwhile, so the state can be generating.
    assert.ok(['ready', 'generating'].includes(hearthApi.engine.state.kind), hearthApi.engine.state.kind);
  });

  it('serves the same position again from the cache without a model call', async () => {
    const hearthApi = await api();
    const editor = await openFile('src/stats.js', SOURCE);
    const first = await suggestion(hearthApi, editor.document, CURSOR);
    assert.ok(first !== undefined);
    const { modelCalls, cacheServed } = { ...hearthApi.completions.service.stats };
    const again = await provide(hearthApi, editor.document, CURSOR);
    assert.equal(again, first);
    assert.equal(hearthApi.completions.service.stats.modelCalls, modelCalls);
    assert.equal(hearthApi.completions.service.stats.cacheServed, cacheServed + 1);
  });

  it('puts an accepted suggestion into the document (typing, then the inline suggest commit)', async () => {
    const hearthApi = await api();
    const editor = await openFile('src/typed.js', SOURCE);
    editor.selection = new vscode.Selection(CURSOR, CURSOR);
    await type(editor, 'c');
    const before = editor.document.getText();
    // VS Code asks the provider after the keystroke; commit inserts what it showed.
    const deadline = Date.now() + 30_000;
    while (editor.document.getText() === before && Date.now() < deadline) {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await sleep(500);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    }
    const after = editor.document.getText();
    assert.notEqual(after, before, 'no suggestion was shown and accepted within 30 s');
    assert.ok(after.startsWith(before.slice(0, editor.document.offsetAt(CURSOR) + 1)), 'the text before the cursor is untouched');
    assert.ok(hearthApi.completions.service.stats.requests > 0);
  });

  it('gives an excluded file no completions, asks no model, and keeps it out of the extra context', async () => {
    const hearthApi = await api();
    const stats = hearthApi.completions.service.stats;
    for (const relative of ['.env', 'config/.env.local', 'secrets/token.js']) {
      const editor = await openFile(relative, 'API_TOKEN=sk-live-1234567890\nDATABASE_URL=postgres://\n');
      await type(editor, 'X');
      const calls = stats.modelCalls;
      assert.equal(await provide(hearthApi, editor.document, new vscode.Position(1, 5)), undefined, relative);
      assert.equal(stats.modelCalls, calls, `${relative}: the model was asked`);
      assert.ok(!hearthApi.completions.service.extraContextSources().includes(relative), `${relative} is in the extra context`);
    }
    // An ordinary file, edited, does become context for other files.
    const editor = await openFile('src/notes.js', SOURCE);
    await type(editor, ' ');
    assert.ok(hearthApi.completions.service.extraContextSources().includes('src/notes.js'));
  });

  it('applies a new exclude glob (the old hearth.privacy.exclude setting still counts) without a reload', async () => {
    const hearthApi = await api();
    const policy = hearthApi.services.privacy.policy;
    const editor = await openFile('src/stats.js', SOURCE);
    const hasGlob = () => policy.current.excludeFromAI.some((glob) => glob.glob === 'src/**');
    await setting('privacy.exclude', ['src/**']);
    try {
      assert.ok(await poll(20_000, async () => hasGlob()), 'the policy did not pick up the new glob');
      assert.equal(await provide(hearthApi, editor.document, CURSOR), undefined);
    } finally {
      await setting('privacy.exclude', undefined);
    }
    assert.ok(await poll(20_000, async () => !hasGlob()), 'the policy did not drop the glob');
    assert.ok((await suggestion(hearthApi, editor.document, CURSOR)) !== undefined);
  });

  it('turns off and on with the toggle command, and the status bar says so', async () => {
    const hearthApi = await api();
    const editor = await openFile('src/stats.js', SOURCE);
    assert.match(hearthApi.completions.statusBarText(), /sparkle/);
    await vscode.commands.executeCommand('hearth.completions.toggle');
    try {
      assert.equal(vscode.workspace.getConfiguration('hearth').get('completions.enabled'), false);
      assert.match(hearthApi.completions.statusBarText(), /circle-slash/);
      assert.equal(await provide(hearthApi, editor.document, CURSOR), undefined);
    } finally {
      await vscode.commands.executeCommand('hearth.completions.toggle');
    }
    assert.equal(vscode.workspace.getConfiguration('hearth').get('completions.enabled'), true);
    assert.match(hearthApi.completions.statusBarText(), /sparkle/);
    assert.ok((await suggestion(hearthApi, editor.document, CURSOR)) !== undefined);
  });

  it('turns off per language', async () => {
    const hearthApi = await api();
    const editor = await openFile('src/stats.js', SOURCE);
    assert.equal(editor.document.languageId, 'javascript');
    await setting('completions.languages', { '*': true, javascript: false });
    try {
      assert.equal(await provide(hearthApi, editor.document, CURSOR), undefined);
      const markdown = await openFile('notes.md', '# Notes\n\nSums and averages are ');
      assert.ok((await suggestion(hearthApi, markdown.document, new vscode.Position(2, 27))) !== undefined, 'markdown still gets completions');
    } finally {
      await setting('completions.languages', undefined);
    }
  });

  it('warms the model with new extra context once the user is idle, generating nothing', async () => {
    const hearthApi = await api();
    const stats = hearthApi.completions.service.stats;
    await openFile('src/stats.js', SOURCE);
    assert.ok(hearthApi.engine.pid !== undefined, 'the model is loaded by the tests before');
    const warms = stats.warms;
    // New text in another file changes the extra context; the editor then sits idle.
    const other = await openFile('src/other.js', 'function median(values) {\n  return values[values.length >> 1];\n}\n');
    await type(other, ' ');
    const deadline = Date.now() + 20_000;
    while (stats.warms === warms && Date.now() < deadline) await sleep(200);
    assert.ok(stats.warms > warms, 'the prompt head was not warmed within 20 s of idling');
  });

  it('starts no model work for a keystroke cancelled within the debounce', async () => {
    const hearthApi = await api();
    const editor = await openFile('src/stats.js', SOURCE);
    const stats = hearthApi.completions.service.stats;
    const { modelCalls, debounced } = { ...stats };
    const source = new vscode.CancellationTokenSource();
    const pending = hearthApi.completions.service.provide(
      { path: 'src/stats.js', languageId: 'javascript', lines: [...editor.document.getText().split('\n').slice(0, 8), '  let n', '}'] },
      8,
      7,
      source.token,
    );
    source.cancel(); // the next keystroke
    assert.equal(await pending, undefined);
    assert.equal(stats.modelCalls, modelCalls);
    assert.equal(stats.debounced, debounced + 1);
    source.dispose();
  });

  describe('with a fill-in-the-middle model', () => {
    let plainModel: string | undefined;

    before(async function () {
      const fimModel = process.env.HEARTH_FIM_TEST_MODEL;
      assert.ok(fimModel, 'HEARTH_FIM_TEST_MODEL is not set by the runner');
      plainModel = vscode.workspace.getConfiguration('hearth').get<string>('model.path');
      await setting('model.path', fimModel);
    });

    after(async () => {
      await setting('model.path', plainModel);
    });

    it('fills the middle, and the next keystroke evaluates only what it added', async () => {
      const hearthApi = await api();
      const service = hearthApi.completions.service;
      const lines = SOURCE.split('\n');
      const document = (text: readonly string[]) => ({ path: 'src/fim.js', languageId: 'javascript', lines: text });
      const first = await service.provide(document(lines), CURSOR.line, CURSOR.character, new vscode.CancellationTokenSource().token);
      const state = hearthApi.engine.state;
      assert.ok(state.kind === 'ready' && state.model.hasInfill, 'the loaded model has FIM tokens');
      const firstResult = service.lastModelResult;
      assert.ok(firstResult !== undefined && firstResult.generatedTokens > 0, 'the FIM model generated nothing');
      if (first !== undefined) assert.equal(first.source, 'model');
      // One more character, not the suggestion's first, so the cache cannot answer it.
      const typed = first?.text.startsWith('q') === true ? 'z' : 'q';
      const extended = [...lines];
      extended[CURSOR.line] = `${extended[CURSOR.line]}${typed}`;
      await service.provide(document(extended), CURSOR.line, CURSOR.character + 1, new vscode.CancellationTokenSource().token);
      const result = service.lastModelResult;
      assert.ok(result !== undefined && result !== firstResult, 'the second keystroke did not reach the model');
      assert.ok(result.promptTokens > 50, `the prompt carries the file (${result.promptTokens} tokens)`);
      assert.ok(
        result.evaluatedPromptTokens <= Math.ceil(result.promptTokens * 0.05),
        `evaluated ${result.evaluatedPromptTokens} of ${result.promptTokens} prompt tokens for one character`,
      );

      // Enter and the next line's indentation: the prefix stays anchored, so the suffix is not evaluated again.
      const nextLine = [...extended.slice(0, CURSOR.line + 1), '  ', ...extended.slice(CURSOR.line + 1)];
      await service.provide(document(nextLine), CURSOR.line + 1, 2, new vscode.CancellationTokenSource().token);
      const afterEnter = service.lastModelResult;
      assert.ok(afterEnter !== undefined && afterEnter !== result, 'the keystroke after Enter did not reach the model');
      assert.ok(
        afterEnter.evaluatedPromptTokens <= Math.ceil(afterEnter.promptTokens * 0.05),
        `evaluated ${afterEnter.evaluatedPromptTokens} of ${afterEnter.promptTokens} prompt tokens after Enter`,
      );
    });
  });

  it("reads a file into the model on the user's first cursor move in it, not when an editor is merely opened", async () => {
    const hearthApi = await api();
    const service = hearthApi.completions.service;
    // Nothing running: the first touch must start the model process itself.
    hearthApi.services.engine.stop('test: a cold start');
    const before = service.stats.touchWarms;
    const editor = await openFile('src/touched.js', SOURCE);
    // Opened and shown by a command, as a restored editor is: no user touch, nothing read, nothing started.
    editor.selection = new vscode.Selection(CURSOR, CURSOR);
    await sleep(2_000);
    assert.equal(service.stats.touchWarms, before, 'an untouched editor was read');
    assert.equal(hearthApi.engine.pid, undefined, 'an untouched editor started the model process');
    // A file excluded from AI (.env files are, by default) is never read, touched or not.
    await openFile('.env.local', 'API_TOKEN=not-a-real-token\n');
    await vscode.commands.executeCommand('cursorRight', { source: 'keyboard' });
    await sleep(2_000);
    assert.equal(service.stats.touchWarms, before, 'an excluded file was read');
    assert.equal(hearthApi.engine.pid, undefined, 'touching an excluded file started the model process');
    await vscode.window.showTextDocument(editor.document);
    // A cursor move through the keyboard's code path (what pressing → runs).
    // While the model loads, the completions item says so (its listener runs before this one).
    const whileLoading: string[] = [];
    const subscription = hearthApi.engine.onDidChangeState((state) => {
      if (state.kind === 'loading') whileLoading.push(hearthApi.completions.statusBarText());
    });
    try {
      await vscode.commands.executeCommand('cursorRight', { source: 'keyboard' });
      assert.ok(await poll(60_000, async () => service.stats.touchWarms > before), 'the first touch did not read the file in');
    } finally {
      subscription.dispose();
    }
    assert.ok(hearthApi.engine.pid !== undefined, 'the model process was not started');
    assert.ok(whileLoading.length > 0 && whileLoading.every((text) => /loading the model/.test(text)), `the completions item said: ${whileLoading.join(' | ')}`);
    assert.match(hearthApi.completions.statusBarText(), /Completions$/, 'the item is back to normal once the file is read');
    // A second move in the same file reads nothing again.
    await vscode.commands.executeCommand('cursorLeft', { source: 'keyboard' });
    await sleep(2_000);
    assert.equal(service.stats.touchWarms, before + 1);
  });

  describe('with the story model (plain completion, a real model that ends its lines)', () => {
    let plainModel: string | undefined;

    before(async () => {
      const storyModel = process.env.HEARTH_STORY_TEST_MODEL;
      assert.ok(storyModel, 'HEARTH_STORY_TEST_MODEL is not set by the runner');
      plainModel = vscode.workspace.getConfiguration('hearth').get<string>('model.path');
      await setting('model.path', storyModel);
      await setting('completions.maxLines', 2);
      await setting('completions.maxTokens', 256);
      // A loaded, shared machine must not cut the answer short: this test is about the stop, not the budget.
      await setting('completions.promptBudgetMs', 30_000);
      await setting('completions.generationBudgetMs', 30_000);
    });

    after(async () => {
      for (const id of ['completions.maxLines', 'completions.maxTokens', 'completions.promptBudgetMs', 'completions.generationBudgetMs']) await setting(id, undefined);
      await setting('model.path', plainModel);
    });

    it('stops generating a multi-line suggestion at maxLines instead of running to maxTokens or the budget', async () => {
      const hearthApi = await api();
      const service = hearthApi.completions.service;
      const lines = ['Once upon a time, there was a little dog named Max.', ''];
      const source = new vscode.CancellationTokenSource();
      const outcome = await service.provide({ path: 'story.md', languageId: 'markdown', lines }, 1, 0, source.token);
      source.dispose();
      const result = service.lastModelResult;
      assert.ok(result !== undefined && result.generatedTokens > 0, 'the story model generated nothing');
      assert.equal(result.stopReason, 'stop', `stopped by ${result.stopReason} after ${result.generatedTokens} tokens: ${JSON.stringify(result.text)}`);
      assert.ok(result.generatedTokens < 256, `${result.generatedTokens} tokens generated`);
      assert.ok(outcome !== undefined && outcome.text.split('\n').length <= 2, `shown: ${JSON.stringify(outcome?.text)}`);
    });
  });
});
