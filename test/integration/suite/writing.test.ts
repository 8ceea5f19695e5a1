// Chat, summaries and rewrites in a real VS Code with the real model process on the real
// pretrained story model (stories260K): a summary streams into the chat panel's session, a long
// selection is summarized in parts, a rewrite is accepted and undone with one Undo, history is
// written to disk and read back, and malformed panel messages or excluded files change nothing.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { StoredMessage } from '../../../src/common/chat/conversation';
import type { HostToWebview } from '../../../src/common/protocol/webviewProtocol';
import { ChatSession } from '../../../src/host/chat/chatSession';
import { ConversationStore } from '../../../src/host/chat/conversationStore';
import type { SelectionTaskResult } from '../../../src/host/writing/selectionTask';
import type { PendingRewrite } from '../../../src/host/writing/rewriteSelection';
import { hearthHooks } from './hearthHooks';
import { openWith, setting, workspaceFile } from './testWorkspace';

const STORY = [
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park.',
  'One day, she saw a big, red ball. She wanted to play with it, but it was too high.',
  'Lily asked her mom for help. Her mom smiled and got the ball down for her.',
].join('\n');

/** The deltas the panel was sent for one answer, joined. */
function streamed(posted: readonly HostToWebview[], messageId: string): string {
  return posted
    .filter((message): message is Extract<HostToWebview, { type: 'delta' }> => message.type === 'delta' && message.messageId === messageId)
    .map((message) => message.text)
    .join('');
}

describe('chat, summaries and rewrites in VS Code with the real story model', function () {
  this.timeout(120_000);
  let previousModel: unknown;

  before(async () => {
    const storyModel = process.env.HEARTH_STORY_TEST_MODEL;
    assert.ok(storyModel, 'HEARTH_STORY_TEST_MODEL is not set by the runner');
    previousModel = vscode.workspace.getConfiguration('hearth').get('model.path');
    await setting('model.path', storyModel);
    await setting('chat.temperature', 0);
    await setting('chat.maxTokens', 48);
  });

  after(async () => {
    await setting('model.path', previousModel);
    await setting('chat.temperature', undefined);
    await setting('chat.maxTokens', undefined);
    await setting('engine.contextSize', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('summarizes a selection into the chat, streamed from the real model under a header naming the file and lines', async () => {
    const hooks = await hearthHooks();
    const editor = await openWith('story.md', `${STORY}\n`);
    editor.selection = new vscode.Selection(0, 0, 2, 0);
    const outcome = await vscode.commands.executeCommand<SelectionTaskResult | undefined>('hearth.summarizeSelection');
    assert.ok(outcome, 'the command returned nothing (see the Hearth log)');
    const answer = outcome.answer;
    assert.equal(outcome.parts, 1);
    assert.ok(answer.content.trim().length > 0, 'the summary is empty');
    assert.ok(answer.ended === 'complete' || answer.ended === 'maxTokens', `ended ${answer.ended}: ${answer.error ?? ''}`);
    assert.equal(streamed(hooks.chat.view.posted, answer.id), answer.content, 'the panel was sent the answer as deltas that add up to it');
    assert.ok(answer.model !== undefined && answer.model.length > 0, 'the answer names its model');
    // The status bar says plainly what the starter model can and cannot do.
    assert.match(hooks.statusBarTooltip(), /Starter model: .* cannot chat, summarize, explain or write code/);
    const question = hooks.chat.session.current.messages.at(-2);
    assert.equal(question?.header, 'Summary of story.md, lines 1\u20132');
    assert.match(question?.content ?? '', /Once upon a time, there was a little girl named Lily/);
    assert.doesNotMatch(question?.content ?? '', /Lily asked her mom/, 'only the selection goes to the model');
  });

  it('summarizes a selection longer than the context in parts, then combines them', async () => {
    // Small enough that the selection needs several parts, large enough to combine them.
    await setting('engine.contextSize', 512);
    try {
      const editor = await openWith('long-story.md', `${Array.from({ length: 12 }, () => STORY).join('\n\n')}\n`);
      editor.selection = new vscode.Selection(0, 0, editor.document.lineCount - 1, 0);
      const outcome = await vscode.commands.executeCommand<SelectionTaskResult | undefined>('hearth.summarizeSelection');
      assert.ok(outcome, 'the command returned nothing (see the Hearth log)');
      assert.ok(outcome.parts > 1, `expected several parts, got ${outcome.parts}`);
      assert.ok(outcome.answer.content.length > 0);
      assert.notEqual(outcome.answer.ended, 'error', outcome.answer.error);
    } finally {
      await setting('engine.contextSize', undefined);
    }
  });

  it('rewrites a selection, shows a diff, and Accept is undone by one Undo', async () => {
    const hooks = await hearthHooks();
    const original = `${STORY}\n`;
    const editor = await openWith('rewrite.md', original);
    editor.selection = new vscode.Selection(1, 0, 1, editor.document.lineAt(1).text.length);
    const pending = await vscode.commands.executeCommand<PendingRewrite | undefined>('hearth.rewriteSelection', { preset: 'shorter' });
    assert.ok(pending, 'no rewrite was proposed (see the Hearth log)');
    assert.ok(pending.proposed.trim().length > 0);
    // The diff editor shows the original against the proposal.
    const diffShown = vscode.window.tabGroups.all.some((group) =>
      group.tabs.some((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === pending.proposedUri.toString()),
    );
    assert.ok(diffShown, 'no diff editor shows the proposal');
    const proposedDocument = await vscode.workspace.openTextDocument(pending.proposedUri);
    assert.ok(proposedDocument.getText().includes(pending.proposed));

    const accepted = await vscode.commands.executeCommand<boolean>('hearth.rewrite.accept');
    assert.equal(accepted, true);
    const document = editor.document;
    assert.equal(document.lineAt(0).text, STORY.split('\n')[0]);
    assert.equal(document.getText(), original.replace(STORY.split('\n')[1] as string, pending.proposed));
    assert.equal(hooks.writing.rewrites.pending, undefined);

    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original, 'one Undo restores the original');
  });

  it('writes each conversation to disk as versioned JSON and reads it back as a reloaded window would', async () => {
    const hooks = await hearthHooks();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await hooks.chat.session.newChat();
    const answer = await hooks.chat.session.send('Tell me a story about a cat.');
    assert.ok(answer.content.length > 0, `no answer: ${answer.error ?? ''}`);
    const conversation = hooks.chat.session.current;
    const dir = path.join(hooks.chat.storageDir, 'conversations');
    const file = path.join(dir, `${conversation.id}.json`);
    assert.ok(existsSync(file), `${file} was not written`);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { version: number; messages: StoredMessage[] };
    assert.equal(stored.version, 1);
    assert.deepEqual(
      stored.messages.map((message) => message.content),
      conversation.messages.map((message) => message.content),
    );
    // A new session over the same storage (what the next window gets) opens the same conversation.
    const reopened = new ChatSession({
      text: hooks.services.text,
      store: new ConversationStore(dir),
      settings: () => ({ maxTokens: 48, temperature: 0, summaryStyle: 'paragraph' }),
      context: { chips: () => [], attachments: async () => [], consumed: () => undefined },
      engineView: () => ({ kind: 'ready' }),
      log: () => undefined,
      onError: () => undefined,
      lastConversation: { get: () => conversation.id, set: () => undefined },
    });
    const init = await reopened.initMessage();
    assert.equal(init.type, 'init');
    assert.ok(init.type === 'init' && init.conversationId === conversation.id);
    assert.ok(init.type === 'init' && init.messages.some((message) => message.id === answer.id && message.text === answer.content));
    const history = await reopened.history();
    assert.ok(history.some((item) => item.id === conversation.id && item.title === 'Tell me a story about a cat.'));
  });

  it('explains a selection of code into the chat under its own header', async () => {
    const hooks = await hearthHooks();
    const editor = await openWith('add.js', 'function add(a, b) {\n  return a + b;\n}\n');
    editor.selection = new vscode.Selection(0, 0, 3, 0);
    const outcome = await vscode.commands.executeCommand<SelectionTaskResult | undefined>('hearth.explainSelection');
    assert.ok(outcome, 'the command returned nothing (see the Hearth log)');
    assert.ok(outcome.answer.content.length > 0);
    assert.notEqual(outcome.answer.ended, 'error', outcome.answer.error);
    const question = hooks.chat.session.current.messages.at(-2);
    assert.equal(question?.header, 'Explanation of add.js, lines 1\u20133');
    assert.match(question?.content ?? '', /^Explain what the following code does[\s\S]*```javascript\nfunction add\(a, b\)/);
  });

  it('leaves the oldest turns out when the conversation outgrows the context, and tells the panel', async () => {
    const hooks = await hearthHooks();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setting('engine.contextSize', 256);
    try {
      await hooks.chat.session.newChat();
      const postedBefore = hooks.chat.view.posted.length;
      let trimmed: Extract<HostToWebview, { type: 'trimmed' }> | undefined;
      for (let turn = 0; turn < 6 && trimmed === undefined; turn += 1) {
        const answer = await hooks.chat.session.send(`Tell me story number ${turn + 1} about a little bird.`);
        assert.notEqual(answer.ended, 'error', answer.error);
        trimmed = hooks.chat.view.posted.slice(postedBefore).find((message): message is Extract<HostToWebview, { type: 'trimmed' }> => message.type === 'trimmed');
      }
      assert.ok(trimmed, 'six turns in a 256-token context never needed trimming');
      assert.ok(trimmed.droppedMessages >= 2);
      // What was left out is still in the conversation (and on disk); only the model does not see it.
      assert.ok(hooks.chat.session.current.messages.length >= trimmed.droppedMessages + 2);
    } finally {
      await setting('engine.contextSize', undefined);
    }
  });

  it('copies, inserts and replaces code from an answer as the panel asks', async () => {
    const hooks = await hearthHooks();
    const editor = await openWith('target.js', 'const a = 1;\nconst b = 2;\n');
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    await hooks.chat.view.receive({ type: 'copyCode', code: 'const copied = true;' });
    assert.equal(await vscode.env.clipboard.readText(), 'const copied = true;');
    await hooks.chat.view.receive({ type: 'insertCode', code: 'const c = 3;\n' });
    assert.equal(editor.document.getText(), 'const a = 1;\nconst b = 2;\nconst c = 3;\n');
    editor.selection = new vscode.Selection(1, 0, 1, 12);
    await hooks.chat.view.receive({ type: 'replaceSelection', code: 'const b = 20;' });
    assert.equal(editor.document.getText(), 'const a = 1;\nconst b = 20;\nconst c = 3;\n');
  });

  it('answers with a clear error when the model file is missing, and the panel offers to choose one', async () => {
    const hooks = await hearthHooks();
    const storyModel = vscode.workspace.getConfiguration('hearth').get<string>('model.path');
    await setting('model.path', path.join(path.dirname(storyModel ?? '/'), 'no-such-model.gguf'));
    try {
      await hooks.chat.session.newChat();
      const answer = await hooks.chat.session.send('Hello?');
      assert.equal(answer.ended, 'error');
      assert.match(answer.error ?? '', /no-such-model\.gguf/);
      assert.equal(hooks.chat.session.busy, false);
      const engine = [...hooks.chat.view.posted].reverse().find((message): message is Extract<HostToWebview, { type: 'engine' }> => message.type === 'engine');
      assert.ok(engine !== undefined && engine.engine.kind === 'error', `the panel was last told ${JSON.stringify(engine)}`);
      assert.match(engine.engine.message ?? '', /no-such-model\.gguf/);
    } finally {
      await setting('model.path', storyModel);
    }
    // Fixed: the next message is answered.
    const answer = await hooks.chat.session.send('Tell me a story.');
    assert.notEqual(answer.ended, 'error', answer.error);
  });

  it('shows the current file or the selection as a chip; a removed chip stays off until another file', async () => {
    const hooks = await hearthHooks();
    const editor = await openWith('chips.md', `${STORY}\n`);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.deepEqual(hooks.chat.context.chips().map((chip) => chip.label), ['chips.md']);
    hooks.chat.context.remove('file');
    assert.deepEqual(hooks.chat.context.chips(), []);
    // Each selection change reaches the chat context as an event; wait for it, then look.
    const changed = () =>
      new Promise<void>((resolve) => {
        const subscription = hooks.chat.context.onDidChange(() => {
          subscription.dispose();
          resolve();
        });
      });
    let next = changed();
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await next;
    assert.deepEqual(hooks.chat.context.chips(), [], 'moving the cursor brought the removed chip back');
    next = changed();
    editor.selection = new vscode.Selection(0, 0, 1, 5);
    await next;
    assert.deepEqual(hooks.chat.context.chips().map((chip) => chip.label), ['chips.md, lines 1\u20132']);
    const attachments = await hooks.chat.context.attachments();
    assert.equal(attachments[0]?.text, `${STORY.split('\n')[0]}\nOne d`);
    await openWith('other.md', 'Another file.\n');
    assert.deepEqual(hooks.chat.context.chips().map((chip) => chip.label), ['other.md']);
  });

  it('still answers inline completions while a chat answer streams', async () => {
    const hooks = await hearthHooks();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await setting('chat.maxTokens', 4000);
    try {
      await hooks.chat.session.newChat();
      const firstDelta = new Promise<void>((resolve) => {
        const subscription = hooks.chat.session.onMessage((message) => {
          if (message.type !== 'delta') return;
          subscription.dispose();
          resolve();
        });
      });
      const answering = hooks.chat.session.send('Tell me a very long story about a dragon.');
      // (An answer that ends before streaming would leave nothing to measure: fail rather than wait.)
      await Promise.race([
        firstDelta,
        answering.then((answer) => assert.fail(`the chat answer ended before it streamed: ${answer.ended} ${answer.error ?? ''}`)),
      ]);
      const editor = await openWith('typing.md', 'Once upon a time, there was a little girl named Lily.\n');
      const position = new vscode.Position(1, 0);
      const callsBefore = hooks.completions.service.stats.modelCalls;
      const resultBefore = hooks.completions.service.lastModelResult;
      const source = new vscode.CancellationTokenSource();
      await hooks.completions.provider.provideInlineCompletionItems(
        editor.document,
        position,
        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined },
        source.token,
      );
      source.dispose();
      const streamingMeanwhile = hooks.chat.session.busy;
      hooks.chat.session.stop();
      const answer = await answering;
      assert.ok(hooks.completions.service.stats.modelCalls > callsBefore, 'the completion did not reach the model');
      // The model evaluated the completion's prompt and answered it (whether it then wrote text
      // depends on the extra context gathered from earlier tests' files).
      const result = hooks.completions.service.lastModelResult;
      assert.ok(result !== undefined && result !== resultBefore, 'the completion got no answer from the model');
      assert.ok(result.promptTokens > 0 && result.stopReason !== 'cancelled', `the completion answered ${JSON.stringify(result)}`);
      assert.ok(streamingMeanwhile, 'the chat answer had already ended: nothing was measured');
      assert.equal(answer.ended, 'stopped');
    } finally {
      await setting('chat.maxTokens', 48);
    }
  });

  it('drops and logs malformed messages from the panel without harm', async () => {
    const hooks = await hearthHooks();
    const before = hooks.chat.view.droppedMessages;
    for (const junk of [null, 42, 'send', { type: 'send' }, { type: 'send', text: '' }, { type: 'nope' }, { type: 'openConversation', id: 7 }, [1, 2]]) {
      await hooks.chat.view.receive(junk);
    }
    assert.equal(hooks.chat.view.droppedMessages, before + 8);
    assert.equal(hooks.chat.session.busy, false);
  });

  it('refuses to attach a file excluded from AI, and its chip says why', async () => {
    const hooks = await hearthHooks();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const secret = workspaceFile('.env');
    await vscode.workspace.fs.writeFile(secret, new TextEncoder().encode('API_KEY=not-a-real-key\n'));
    const reason = hooks.chat.context.attach(secret);
    assert.match(reason ?? '', /\.env is excluded from AI by "\*\*\/\.env" \(default\)/);
    const chip = hooks.chat.context.chips().find((candidate) => candidate.label === '.env');
    assert.ok(chip?.blocked !== undefined, 'the chip does not say it is blocked');
    const attachments = await hooks.chat.context.attachments();
    assert.ok(!attachments.some((attachment) => attachment.text.includes('API_KEY')), 'the excluded file would be sent');
    hooks.chat.context.consumed();
  });
});
