// Zero egress in mode "local": every feature runs in this real VS Code (chat, summarize, explain,
// rewrite, completions, Try the Local Model, and the complex commands, which the policy keeps
// local), with a cloud endpoint configured and its key set, so a wrong route would reach it. The
// egress guard (test/support/egressGuard.cjs, preloaded into every Node process of this run:
// code-server, this extension host, the model process) records every outbound attempt; none may
// leave loopback, and the loopback "cloud" must count zero requests. Runs last (file order).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GeneratedTests } from '../../../src/host/writing/generateTests';
import type { PendingRewrite } from '../../../src/host/writing/rewriteSelection';
import type { SelectionTaskResult } from '../../../src/host/writing/selectionTask';
import { startFakeCloudServer, type FakeCloudServer } from '../../fixtures/fakeCloudServer';
import { describeAttempts, nonLoopback, readEgressLog, readGuardedProcesses } from '../../support/egressLog';
import { poll } from '../../support/polling';
import { hearthHooks, type HearthTestHooks } from './hearthHooks';
import { openWith, setting } from './testWorkspace';

const CODE = ['function add(a, b) {', '  return a + b;', '}', ''].join('\n');

const openSelected = (relative: string, text: string) => openWith(relative, text, { selectAll: true });

describe('zero egress in mode local: every feature, nothing leaves loopback', function () {
  this.timeout(240_000);
  let cloud: FakeCloudServer;
  let hooks: HearthTestHooks;
  const egressLog = process.env.HEARTH_EGRESS_LOG;

  before(async () => {
    assert.ok(egressLog, 'HEARTH_EGRESS_LOG is not set: the runner did not start code-server with the egress guard');
    hooks = await hearthHooks();
    cloud = await startFakeCloudServer();
    const storyModel = process.env.HEARTH_STORY_TEST_MODEL;
    assert.ok(storyModel, 'HEARTH_STORY_TEST_MODEL is not set by the runner');
    await setting('model.path', storyModel);
    await setting('chat.maxTokens', 16);
    // Everything a misroute would need: an endpoint (internal, allowed to serve simple commands), its key.
    await setting('privacy.allowedEndpoints', [{ id: 'loopback', provider: 'openai', baseUrl: `${cloud.url}/v1`, model: 'gpt-loopback', trust: 'internal' }]);
    await setting('privacy.internalServesSimple', true);
    await vscode.commands.executeCommand('hearth.cloud.setApiKey', 'loopback', 'sk-zero-egress-0123456789');
    const policy = hooks.services.privacy.policy;
    assert.ok(await poll(20_000, async () => policy.current.endpoints.length === 1), 'the policy did not read the endpoint');
    assert.equal(policy.current.mode, 'local');
  });

  after(async () => {
    for (const id of ['privacy.allowedEndpoints', 'privacy.internalServesSimple', 'chat.maxTokens']) await setting(id, undefined);
    await vscode.commands.executeCommand('hearth.cloud.clearApiKey', 'loopback');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await cloud.close();
  });

  it('runs chat, writing help, the complex commands, completions and Try the Local Model locally', async () => {
    const ran: string[] = [];
    const local = (what: string, model: string | undefined) => {
      assert.ok(model !== undefined && !model.includes('loopback'), `${what} was answered by ${model}`);
      ran.push(what);
    };
    local('chat', (await hooks.chat.session.send('Tell me a story.')).model);
    local('Ask the Cloud Model', (await hooks.chat.session.send('Tell me another story.', { task: 'askCloud' })).model);
    for (const command of ['hearth.summarizeSelection', 'hearth.explainSelection', 'hearth.explainInDepth']) {
      await openSelected('calc.js', CODE);
      const outcome = await vscode.commands.executeCommand<SelectionTaskResult | undefined>(command);
      assert.ok(outcome, `${command} returned nothing`);
      local(command, outcome.answer.model);
    }
    await openSelected('calc.js', CODE);
    const tests = await vscode.commands.executeCommand<GeneratedTests | undefined>('hearth.generateTests');
    assert.ok(tests, 'Generate Tests returned nothing');
    local('hearth.generateTests', tests.result.backend === 'local' ? tests.result.model : 'cloud');
    for (const [command, argument] of [
      ['hearth.rewriteSelection', { preset: 'shorter' }],
      ['hearth.refactorSelection', { instruction: 'Use an arrow function.' }],
    ] as const) {
      await openSelected('calc.js', CODE);
      const pending = await vscode.commands.executeCommand<PendingRewrite | undefined>(command, argument);
      assert.ok(pending, `${command} returned nothing`);
      ran.push(command);
      await vscode.commands.executeCommand('hearth.rewrite.discard');
    }
    const editor = await openSelected('calc.js', CODE);
    const calls = hooks.completions.service.stats.modelCalls;
    const source = new vscode.CancellationTokenSource();
    await hooks.completions.provider.provideInlineCompletionItems(
      editor.document,
      new vscode.Position(1, 10),
      { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined },
      source.token,
    );
    source.dispose();
    assert.ok(hooks.completions.service.stats.modelCalls > calls, 'the completion never asked the local model');
    ran.push('inline completion');
    const tried = await vscode.commands.executeCommand<{ result: { backend: string } } | undefined>('hearth.generate.tryModel', 'Once upon a time');
    assert.equal(tried?.result.backend, 'local');
    ran.push('Try the Local Model');
    assert.equal(ran.length, 10);
    assert.equal(cloud.requests.length, 0, 'the loopback cloud was asked although the mode is local');
    assert.ok(hooks.keptLocalNotices.length >= 4, 'the complex commands did not say the policy kept them local');
  });

  it('recorded no outbound attempt beyond loopback in any process of this run, the model process included', async () => {
    assert.ok(egressLog);
    const processes = await readGuardedProcesses(egressLog);
    assert.ok(processes.some((entry) => /extensionHost/.test(entry.process)), `the guard did not load in the extension host: ${processes.map((entry) => entry.process).join(' | ')}`);
    assert.ok(processes.some((entry) => entry.process.includes('engine.mjs')), 'the guard did not load in the model process');
    const attempts = await readEgressLog(egressLog);
    assert.deepEqual(describeAttempts(nonLoopback(attempts)), []);
    // The guard saw this run's own loopback traffic (this suite's fake cloud servers), so it was recording.
    assert.ok(attempts.length > 0, 'the guard recorded nothing at all, not even loopback');
  });
});
