// Workspace Trust on, and this workspace not trusted (runInCodeServer starts this file in its own
// window with trust enabled): the cloud is off whatever the user allows, and the workspace's own
// choices of files and endpoints (its committed policy file here) are ignored.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SelectionTaskResult } from '../../../src/host/writing/selectionTask';
import { startFakeCloudServer, type FakeCloudServer } from '../../fixtures/fakeCloudServer';
import { poll } from '../../support/polling';
import { hearthHooks, type HearthTestHooks } from './hearthHooks';
import { setting, workspaceFile } from './testWorkspace';

describe('an untrusted workspace (Workspace Trust on)', function () {
  this.timeout(120_000);
  let cloud: FakeCloudServer;
  let hooks: HearthTestHooks;

  before(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the test host did not open this workspace untrusted');
    hooks = await hearthHooks();
    cloud = await startFakeCloudServer();
    const storyModel = process.env.HEARTH_STORY_TEST_MODEL;
    assert.ok(storyModel, 'HEARTH_STORY_TEST_MODEL is not set by the runner');
    await setting('model.path', storyModel);
    await setting('chat.maxTokens', 16);
    await setting('privacy.allowedEndpoints', [{ id: 'loopback', provider: 'openai', baseUrl: `${cloud.url}/v1`, model: 'gpt-loopback', trust: 'internal' }]);
    await setting('privacy.internalServesSimple', true);
    await setting('privacy.mode', 'cloud');
    // What a hostile repository might commit: more files for the cloud, its own endpoint choice.
    await vscode.workspace.fs.writeFile(
      workspaceFile('.hearth/policy.json'),
      new TextEncoder().encode(JSON.stringify({ version: 1, mode: 'cloud', excludeFromAI: ['docs/**'], allowedEndpoints: ['loopback'], internalServesSimple: true })),
    );
  });

  after(async () => {
    for (const id of ['privacy.allowedEndpoints', 'privacy.internalServesSimple', 'privacy.mode', 'chat.maxTokens']) await setting(id, undefined);
    await cloud.close();
  });

  it('keeps the policy local, says Workspace Trust set it, and ignores the workspace policy file\'s file and endpoint choices', async () => {
    const policy = hooks.services.privacy.policy;
    assert.ok(
      await poll(20_000, async () => policy.current.endpoints.length === 1 && policy.current.warnings.some((warning) => warning.includes('.hearth/policy.json'))),
      `the policy never read the user's endpoint and the workspace file (warnings: ${policy.current.warnings.join(' | ')})`,
    );
    const current = policy.current;
    assert.equal(current.trusted, false);
    assert.equal(current.mode, 'local');
    assert.match(current.modeSource, /Workspace Trust/);
    assert.ok(!current.excludeFromAI.some((glob) => glob.glob === 'docs/**'), 'the untrusted workspace chose files');
    assert.ok(current.warnings.some((warning) => /not trusted/.test(warning)));
    assert.match(hooks.services.privacy.statusBar.text, /untrusted/i);
  });

  it("ignores model paths from the workspace's settings (both roles too): the repository cannot choose the model Hearth parses", async () => {
    const userModel = vscode.workspace.getConfiguration('hearth').inspect<string>('model.path')?.globalValue;
    assert.ok(userModel, 'the user setting is not set');
    const shipped = '${workspaceFolder}/vendor/shipped-model.gguf';
    const changed = new Promise<void>((resolve) => {
      const subscription = vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('hearth.chat.temperature')) return;
        subscription.dispose();
        resolve();
      });
    });
    // An unrestricted setting beside it shows that VS Code read the file.
    await vscode.workspace.fs.writeFile(
      workspaceFile('.vscode/settings.json'),
      new TextEncoder().encode(
        JSON.stringify({ 'hearth.model.path': shipped, 'hearth.models.completion': shipped, 'hearth.models.chat': shipped, 'hearth.chat.temperature': 0.9 }),
      ),
    );
    await changed;
    assert.equal(vscode.workspace.getConfiguration('hearth').inspect('chat.temperature')?.workspaceValue, 0.9, 'VS Code did not read the workspace settings at all');
    assert.equal(vscode.workspace.getConfiguration('hearth').get('model.path'), userModel, 'the workspace chose the model path');
    assert.equal(vscode.workspace.getConfiguration('hearth').get('models.completion'), '', 'the workspace chose the completion model');
    assert.equal(vscode.workspace.getConfiguration('hearth').get('models.chat'), '', 'the workspace chose the chat model');
    await hooks.services.engine.restart();
    const state = hooks.engine.state;
    assert.ok(state.kind === 'ready' && state.model.path === userModel && state.model.chat === undefined, `loaded ${JSON.stringify(state)}`);
  });

  it('runs complex and simple commands on the local model and sends nothing, though the user allows the cloud', async () => {
    const uri = workspaceFile('calc.js');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('function add(a, b) {\n  return a + b;\n}\n'));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    for (const command of ['hearth.explainInDepth', 'hearth.summarizeSelection']) {
      editor.selection = new vscode.Selection(0, 0, 3, 0);
      const outcome = await vscode.commands.executeCommand<SelectionTaskResult | undefined>(command);
      assert.ok(outcome, `${command} returned nothing`);
      assert.equal(outcome.answer.error, undefined, `${command}: ${outcome.answer.error}`);
      assert.ok(outcome.answer.model !== undefined && !outcome.answer.model.includes('loopback'), `${command} answered by ${outcome.answer.model}`);
    }
    assert.match(hooks.keptLocalNotices.at(-1) ?? '', /not trusted/);
    assert.equal(cloud.requests.length, 0);
  });
});
