// Two roles in real VS Code: `hearth.models.completion` names the fill-in-the-middle test model and
// `hearth.models.chat` the story model; one model process loads both and serves an inline
// completion and a chat answer at the same time, each on its own model; Manage Models' "Use for
// Completion / Chat" switches the roles without a window reload.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { EngineState } from '../../../src/host/engine/engineSupervisor';
import { hearthHooks, type HearthTestHooks } from './hearthHooks';

const api = hearthHooks;
const SOURCE = ['function add(a, b) {', '  return ', '}', ''];
const STORY_PROMPT = 'Tell me a story about a cat.';

async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('hearth').update(key, value, vscode.ConfigurationTarget.Global);
}

function loadedPaths(state: EngineState): { completion: string; chat: string } | undefined {
  if (state.kind !== 'ready' && state.kind !== 'generating') return undefined;
  return { completion: state.model.path, chat: state.model.chat?.path ?? state.model.path };
}

async function completeOnce(hooks: HearthTestHooks): Promise<void> {
  const source = new vscode.CancellationTokenSource();
  try {
    await hooks.completions.service.provide({ path: 'src/roles.js', languageId: 'javascript', lines: SOURCE }, 1, 9, source.token);
  } finally {
    source.dispose();
  }
}

describe('completion and chat models (two roles, one process)', function () {
  this.timeout(120_000);
  let fimModel: string;
  let storyModel: string;

  before(async () => {
    const fim = process.env.HEARTH_FIM_TEST_MODEL;
    const story = process.env.HEARTH_STORY_TEST_MODEL;
    assert.ok(fim && story, 'the runner sets HEARTH_FIM_TEST_MODEL and HEARTH_STORY_TEST_MODEL');
    fimModel = fim;
    storyModel = story;
    await setting('chat.temperature', 0);
    await setting('chat.maxTokens', 32);
  });

  after(async () => {
    for (const key of ['models.completion', 'models.chat', 'chat.temperature', 'chat.maxTokens']) await setting(key, undefined);
  });

  it('loads both into one model process and serves a completion and a chat answer at once, each on its own model', async () => {
    const hooks = await api();
    await setting('models.completion', fimModel);
    await setting('models.chat', storyModel);
    await hooks.chat.session.newChat();

    const answering = hooks.chat.session.send(STORY_PROMPT);
    const completing = completeOnce(hooks);
    const [answer] = await Promise.all([answering, completing]);

    const state = hooks.engine.state;
    assert.deepEqual(loadedPaths(state), { completion: fimModel, chat: storyModel }, JSON.stringify(state));
    const pid = hooks.engine.pid;
    assert.ok(pid !== undefined, 'one model process runs');
    // The completion ran on the FIM model: infill with a file-sized prompt.
    const completion = hooks.completions.service.lastModelResult;
    assert.ok(completion !== undefined && completion.generatedTokens > 0, 'the completion model answered');
    assert.equal(hooks.services.text.loadedModel('completion')?.hasInfill, true);
    // The chat answer came from the story model, named beside the answer and in the panel.
    const storyName = hooks.services.text.loadedModel('chat')?.name;
    assert.ok(storyName !== undefined && storyName !== hooks.services.text.loadedModel('completion')?.name, 'two different models are loaded');
    assert.ok(answer !== undefined && answer.content.trim().length > 0, 'the chat model answered');
    assert.equal(answer.model, storyName);
    const engineViews = hooks.chat.view.posted.flatMap((message) => (message.type === 'engine' ? [message.engine] : []));
    assert.ok(
      engineViews.some((view) => view.kind === 'ready' && view.model === storyName),
      `the panel names the chat model: ${JSON.stringify(engineViews.slice(-3))}`,
    );
    assert.match(hooks.statusBarText(), / \+ /, 'the status bar names both models');
    assert.match(hooks.statusBarTooltip(), /for completion and .* for chat/);
  });

  it('switches roles (Use for Completion / Use for Chat) and reloads without a window reload', async () => {
    const hooks = await api();
    await hooks.models.useFor('completion', storyModel);
    await hooks.models.useFor('chat', fimModel);
    const config = vscode.workspace.getConfiguration('hearth');
    assert.equal(config.get('models.completion'), storyModel);
    assert.equal(config.get('models.chat'), fimModel);
    await hooks.chat.session.newChat();
    const answer = await hooks.chat.session.send(STORY_PROMPT);
    assert.ok(answer !== undefined, 'the chat gave no answer');
    assert.deepEqual(loadedPaths(hooks.engine.state), { completion: storyModel, chat: fimModel });
    assert.equal(hooks.services.text.loadedModel('completion')?.hasInfill, false, 'the story model now serves completions');
    await completeOnce(hooks);
    assert.ok((hooks.completions.service.lastModelResult?.generatedTokens ?? 0) > 0, 'the story model answered the completion');
  });

  it('loads one file once when both roles name it, and hearth.model.path alone still serves both', async () => {
    const hooks = await api();
    await setting('models.chat', storyModel);
    await hooks.services.engine.start();
    const both = hooks.engine.state;
    assert.ok(both.kind === 'ready' && both.model.chat === undefined && both.model.path === storyModel, JSON.stringify(both));

    await setting('models.completion', undefined);
    await setting('models.chat', undefined);
    const modelPath = vscode.workspace.getConfiguration('hearth').get<string>('model.path');
    await hooks.services.engine.start();
    const single = hooks.engine.state;
    assert.ok(single.kind === 'ready' && single.model.chat === undefined && single.model.path === modelPath, JSON.stringify(single));
  });

  it('Import and use replaces the role settings with one model; deleting a file clears every setting that names it', async () => {
    const hooks = await api();
    const config = () => vscode.workspace.getConfiguration('hearth');
    const modelPath = config().get<string>('model.path');
    await setting('models.completion', fimModel);
    await setting('models.chat', storyModel);
    const imported = await vscode.commands.executeCommand<string | undefined>('hearth.models.import', storyModel, true);
    assert.ok(imported, 'the import returned nothing');
    try {
      assert.equal(config().get('model.path'), imported);
      assert.equal(config().get('models.completion'), '', 'Import and use left the completion role on another file');
      assert.equal(config().get('models.chat'), '');
      await hooks.models.useFor('chat', imported);
      await hooks.models.useFor('completion', imported);
      assert.equal(await vscode.commands.executeCommand('hearth.models.delete', imported, true), true);
      for (const key of ['model.path', 'models.completion', 'models.chat']) assert.notEqual(config().get(key), imported, `${key} still names the deleted file`);
    } finally {
      await setting('model.path', modelPath);
    }
  });
});
