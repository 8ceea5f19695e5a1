// The privacy policy in a real VS Code: policies from user settings and the committed policy file
// merge (a workspace only tightens) and apply without a reload; complex commands escalate only
// under "cloud" (here) or "ask" (the e2e test clicks the consent dialog) to an allowed endpoint,
// a loopback server speaking the providers' real wire formats; never-send files are withheld,
// secrets redacted, every escalation is in the ledger, and excluded files are refused by every path.
import * as assert from 'node:assert/strict';
import { promises as fs, symlinkSync } from 'node:fs';
import * as vscode from 'vscode';
import type { StoredMessage } from '../../../src/common/chat/conversation';
import { isEscalationEntry } from '../../../src/common/policy/ledgerEntry';
import type { EffectivePolicy } from '../../../src/common/policy/privacyPolicy';
import type { GeneratedTests } from '../../../src/host/writing/generateTests';
import type { PendingRewrite } from '../../../src/host/writing/rewriteSelection';
import type { SelectionTaskResult } from '../../../src/host/writing/selectionTask';
import { ok, startFakeCloudServer, status, hang, type FakeCloudServer, type RecordedRequest } from '../../fixtures/fakeCloudServer';
import { poll } from '../../support/polling';
import { hearthHooks, type HearthTestHooks } from './hearthHooks';
import { openWith, setting, workspaceFile, writeWorkspaceFile } from './testWorkspace';

const OPENAI_KEY = 'sk-loopback-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-loopback-0123456789abcdef';
const CODE = ['function add(a, b) {', '  return a + b;', '}', ''].join('\n');
// Built at run time so that secret scanners do not flag this file.
const GITHUB_TOKEN = ['ghp', '_', 'R7xK2mQ9vL4nP8sT1wY6zB3cF5hJ0dG2aE4u'].join('');
const AWS_KEY_ID = ['AKIA', 'Q3ZR7XK2MLP4NW8T'].join('');

/** The file, shown with every line selected (what the selection commands work on). */
const openSelected = (relative: string, text: string) => openWith(relative, text, { selectAll: true });

/** Waits until the policy service has read what the test just changed. */
async function policyWhere(hooks: HearthTestHooks, condition: (policy: EffectivePolicy) => boolean, what: string): Promise<EffectivePolicy> {
  const policy = hooks.services.privacy.policy;
  assert.ok(await poll(20_000, async () => condition(policy.current)), `the policy never became: ${what} (it is ${JSON.stringify({ mode: policy.current.mode, modeSource: policy.current.modeSource })})`);
  return policy.current;
}

function bodyText(request: RecordedRequest | undefined): string {
  assert.ok(request, 'the loopback cloud received no request');
  return JSON.stringify(request.body);
}

async function explainInDepth(): Promise<StoredMessage> {
  const outcome = await vscode.commands.executeCommand<SelectionTaskResult | undefined>('hearth.explainInDepth');
  assert.ok(outcome, 'Explain in Depth returned nothing (see the Hearth log)');
  return outcome.answer;
}

describe('privacy policy, escalation and the ledger in VS Code', function () {
  this.timeout(120_000);
  let cloud: FakeCloudServer;
  let hooks: HearthTestHooks;
  let previousModel: unknown;
  /** The ledger's escalation lines (it also records model downloads). */
  const readEscalations = async () => (await hooks.services.privacy.ledger.read()).entries.filter(isEscalationEntry);

  before(async () => {
    hooks = await hearthHooks();
    cloud = await startFakeCloudServer();
    const storyModel = process.env.HEARTH_STORY_TEST_MODEL;
    assert.ok(storyModel, 'HEARTH_STORY_TEST_MODEL is not set by the runner');
    previousModel = vscode.workspace.getConfiguration('hearth').get('model.path');
    await setting('model.path', storyModel);
    await setting('chat.temperature', 0);
    await setting('chat.maxTokens', 32);
    await setting('cloud.maxRetries', 1);
    await setting('cloud.timeoutSeconds', 3);
    await setting('privacy.allowedEndpoints', [
      { id: 'loopback-openai', provider: 'openai', baseUrl: `${cloud.url}/v1`, model: 'gpt-loopback', trust: 'external' },
      { id: 'loopback-anthropic', provider: 'anthropic', baseUrl: cloud.url, model: 'claude-loopback', trust: 'external' },
    ]);
    assert.equal(await vscode.commands.executeCommand('hearth.cloud.setApiKey', 'loopback-openai', OPENAI_KEY), true);
    assert.equal(await vscode.commands.executeCommand('hearth.cloud.setApiKey', 'loopback-anthropic', ANTHROPIC_KEY), true);
    await policyWhere(hooks, (policy) => policy.endpoints.length === 2, 'two endpoints');
    await hooks.services.privacy.ledger.clear();
  });

  beforeEach(() => cloud.reset());

  afterEach(async () => {
    await setting('privacy.mode', undefined);
    await setting('privacy.cloudEndpoint', undefined);
    await setting('privacy.offline', undefined);
    await vscode.workspace.fs.delete(workspaceFile('.hearth'), { recursive: true, useTrash: false }).then(undefined, () => undefined);
    await policyWhere(hooks, (policy) => policy.mode === 'local' && policy.modeSource === 'default' && !policy.offline, 'back to the default');
  });

  after(async () => {
    await setting('privacy.allowedEndpoints', undefined);
    await vscode.commands.executeCommand('hearth.cloud.clearApiKey', 'loopback-openai');
    await vscode.commands.executeCommand('hearth.cloud.clearApiKey', 'loopback-anthropic');
    for (const id of ['model.path', 'chat.temperature', 'chat.maxTokens', 'cloud.maxRetries', 'cloud.timeoutSeconds']) await setting(id, id === 'model.path' ? previousModel : undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await cloud.close();
  });

  it('by default (local), Explain in Depth runs on the local model, says the policy kept it local, and sends nothing', async () => {
    await openSelected('calc.js', CODE);
    const notices = hooks.keptLocalNotices.length;
    const answer = await explainInDepth();
    assert.ok(answer.ended === 'complete' || answer.ended === 'maxTokens', `ended ${answer.ended}: ${answer.error ?? ''}`);
    assert.ok(answer.model !== undefined && !answer.model.includes('loopback'), `answered by ${answer.model}`);
    assert.equal(hooks.keptLocalNotices.length, notices + 1, 'no notice said the policy kept it local');
    assert.match(hooks.keptLocalNotices.at(-1) ?? '', /mode "local", set by default/);
    assert.equal(cloud.requests.length, 0);
    assert.match(hooks.services.privacy.statusBar.text, /Local/);
  });

  it('under mode cloud, Explain in Depth streams from the allowed endpoint, and the ledger records it without the key', async () => {
    await setting('privacy.mode', 'cloud');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    assert.match(hooks.services.privacy.statusBar.text, /Cloud/);
    await openSelected('calc.js', CODE);
    cloud.script(ok(['The function ', 'adds two numbers.']));
    const answer = await explainInDepth();
    assert.equal(answer.error, undefined);
    assert.equal(answer.content, 'The function adds two numbers.');
    assert.equal(answer.model, 'gpt-loopback (loopback-openai)');
    assert.equal(cloud.requests.length, 1);
    const [request] = cloud.requests;
    assert.equal(request?.path, '/v1/chat/completions');
    assert.equal(request?.headers.authorization, `Bearer ${OPENAI_KEY}`);
    assert.ok(bodyText(request).includes('return a + b;'), 'the selection was not sent');
    assert.ok(bodyText(request).includes('gpt-loopback'));

    const entries = await readEscalations();
    const entry = entries.at(-1);
    assert.ok(entry, 'the ledger has no entry');
    assert.equal(entry.command, 'explainInDepth');
    assert.equal(entry.endpointHost, new URL(cloud.url).host);
    assert.equal(entry.consent, 'policy');
    assert.equal(entry.outcome, 'sent');
    // The conversation's earlier turns go with it; calc.js lines 1–3 is listed once.
    assert.deepEqual(entry.files.filter((file) => file.path === 'calc.js'), [{ path: 'calc.js', startLine: 1, endLine: 3 }]);
    assert.ok(entry.bytes > CODE.length, `bytes ${entry.bytes}`);
    const ledgerText = await fs.readFile(hooks.services.privacy.ledger.file, 'utf8');
    assert.ok(!ledgerText.includes(OPENAI_KEY), 'the API key is in the ledger');
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('hearth').inspect('privacy.allowedEndpoints')).includes(OPENAI_KEY), 'the API key is in settings');
  });

  it('redacts secrets before anything is sent, and counts them in the ledger', async () => {
    await setting('privacy.mode', 'cloud');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    await openSelected('config.js', `const github = "${GITHUB_TOKEN}";\nconst awsKeyId = "${AWS_KEY_ID}";\nmodule.exports = { github };\n`);
    const answer = await explainInDepth();
    assert.equal(answer.error, undefined);
    const sent = bodyText(cloud.requests[0]);
    assert.ok(!sent.includes(GITHUB_TOKEN), 'the GitHub token was sent');
    assert.ok(!sent.includes(AWS_KEY_ID), 'the AWS key id was sent');
    assert.match(sent, /\[REDACTED: GitHub token\]/);
    assert.match(sent, /module\.exports/);
    const entry = (await readEscalations()).at(-1);
    assert.ok(entry?.redactions.some((finding) => /GitHub/.test(finding.kind) && finding.count === 1), JSON.stringify(entry?.redactions));
  });

  it('withholds a never-send file from Ask the Cloud Model, and says so in the ledger', async () => {
    await setting('privacy.mode', 'cloud');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const secretText = 'db_password = hunter2-the-real-one';
    const credentials = await writeWorkspaceFile('deploy/credentials.ini', `${secretText}\n`);
    const notes = await writeWorkspaceFile('deploy/notes.md', 'Deployment notes: run the migration first.\n');
    assert.equal(hooks.chat.context.attach(credentials), undefined, 'a never-send file may still be read locally');
    assert.equal(hooks.chat.context.attach(notes), undefined);
    const answer = await hooks.chat.session.send('What do these files configure?', { task: 'askCloud' });
    assert.equal(answer.error, undefined);
    assert.equal(answer.model, 'gpt-loopback (loopback-openai)');
    const sent = bodyText(cloud.requests[0]);
    assert.ok(!sent.includes(secretText), 'the never-send file reached the cloud');
    assert.match(sent, /\[withheld: deploy\/credentials\.ini is never sent to a cloud\]/);
    assert.match(sent, /run the migration first/);
    const entry = (await readEscalations()).at(-1);
    assert.equal(entry?.command, 'askCloud');
    assert.deepEqual(entry?.withheld.map((file) => file.path), ['deploy/credentials.ini']);
    assert.ok(entry?.files.some((file) => file.path === 'deploy/notes.md'), JSON.stringify(entry?.files));
    assert.ok(!entry?.files.some((file) => file.path === 'deploy/credentials.ini'));
  });

  it('uses the Anthropic endpoint through its own wire format when chosen', async () => {
    await setting('privacy.mode', 'cloud');
    await setting('privacy.cloudEndpoint', 'loopback-anthropic');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    await openSelected('calc.js', CODE);
    cloud.script(ok(['Claude ', 'says hi.']));
    const answer = await explainInDepth();
    assert.equal(answer.error, undefined);
    assert.equal(answer.content, 'Claude says hi.');
    assert.equal(cloud.requests[0]?.path, '/v1/messages');
    const headers = cloud.requests[0]?.headers ?? {};
    // @anthropic-ai/sdk 1.x sends the key as a bearer token; 0.x sent x-api-key.
    assert.ok(headers['x-api-key'] === ANTHROPIC_KEY || headers.authorization === `Bearer ${ANTHROPIC_KEY}`, JSON.stringify(headers));
  });

  it('refuses an endpoint that is not allowed, naming it, and sends nothing', async () => {
    await setting('privacy.mode', 'cloud');
    await setting('privacy.cloudEndpoint', 'not-listed');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    await openSelected('calc.js', CODE);
    const answer = await explainInDepth();
    assert.equal(answer.ended, 'error');
    assert.match(answer.error ?? '', /"not-listed" is not in the allowed endpoints/);
    assert.equal(cloud.requests.length, 0);
  });

  it('says what to do on 401, times out a hung endpoint, and logs both as failed', async () => {
    await setting('privacy.mode', 'cloud');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    await openSelected('calc.js', CODE);
    cloud.script(status(401));
    const rejected = await explainInDepth();
    assert.equal(rejected.ended, 'error');
    assert.match(rejected.error ?? '', /401/);
    assert.match(rejected.error ?? '', /Set Cloud API Key/);
    assert.ok(!(rejected.error ?? '').includes(OPENAI_KEY), 'the error shows the key');
    assert.equal(cloud.requests.length, 1, '401 is not retried');

    cloud.script(hang(), hang());
    const hung = await explainInDepth();
    assert.equal(hung.ended, 'error');
    assert.match(hung.error ?? '', /did not answer|timed out/i);
    const outcomes = (await readEscalations()).slice(-2).map((entry) => entry.outcome);
    assert.deepEqual(outcomes, ['failed', 'failed']);
  });

  it('sends Generate Tests and Refactor Selection through the same gate', async () => {
    await setting('privacy.mode', 'cloud');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    await openSelected('calc.js', CODE);
    cloud.script(ok(['```js\n', "test('adds', () => expect(add(1, 2)).toBe(3));\n", '```']));
    const tests = await vscode.commands.executeCommand<GeneratedTests | undefined>('hearth.generateTests');
    assert.ok(tests, 'Generate Tests returned nothing');
    assert.equal(tests.result.backend, 'cloud');
    assert.equal(tests.document.getText(), "test('adds', () => expect(add(1, 2)).toBe(3));\n");
    assert.equal(tests.document.languageId, 'javascript');

    await openSelected('calc.js', CODE);
    cloud.script(ok(['const add = (a, b) => a + b;\n']));
    const pending = await vscode.commands.executeCommand<PendingRewrite | undefined>('hearth.refactorSelection', { instruction: 'Use an arrow function.' });
    assert.ok(pending, 'Refactor Selection returned nothing');
    assert.match(pending.proposed, /const add = \(a, b\) => a \+ b;/);
    await vscode.commands.executeCommand('hearth.rewrite.discard');
    const commands = (await readEscalations()).slice(-2).map((entry) => entry.command);
    assert.deepEqual(commands, ['generateTests', 'refactor']);
  });

  it('lets the committed policy file tighten the mode but never loosen it, live; an invalid file fails closed, naming the line', async () => {
    await setting('privacy.mode', 'cloud');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    await writeWorkspaceFile('.hearth/policy.json', JSON.stringify({ version: 1, mode: 'local', allowedEndpoints: ['loopback-anthropic', 'attacker'] }, null, 2));
    let policy = await policyWhere(hooks, (current) => current.mode === 'local', 'local from the file');
    assert.equal(policy.modeSource, '.hearth/policy.json');
    assert.deepEqual(policy.endpoints.map((endpoint) => endpoint.id), ['loopback-anthropic'], 'the file narrows the endpoints');
    assert.ok(policy.warnings.some((warning) => warning.includes('"attacker"')), 'no warning about the endpoint the workspace tried to add');
    assert.match(hooks.services.privacy.statusBar.tooltipText, /\.hearth\/policy\.json/);
    await openSelected('calc.js', CODE);
    await explainInDepth();
    assert.equal(cloud.requests.length, 0, 'the file said local');

    // A workspace asking for more than the user allows does not get it.
    await setting('privacy.mode', 'ask');
    await writeWorkspaceFile('.hearth/policy.json', JSON.stringify({ version: 1, mode: 'cloud' }));
    policy = await policyWhere(hooks, (current) => current.mode === 'ask' && current.modeSource === 'User settings', 'ask from the user');

    await writeWorkspaceFile('.hearth/policy.json', '{\n  "version": 1,\n  "mode": "everything"\n}\n');
    // The file may be read half-written first (a syntax error); wait for the whole file's verdict.
    const problems = hooks.services.privacy.policy;
    assert.ok(
      await poll(20_000, async () => problems.problems.some((problem) => /\.hearth\/policy\.json line 3: mode/.test(problem))),
      `no problem names line 3 and the mode: ${problems.problems.join(' | ')}`,
    );
    policy = problems.current;
    assert.equal(policy.mode, 'local');
    assert.match(policy.modeSource, /\.hearth\/policy\.json \(invalid\)/);
  });

  it('obeys the machine policy file over the user: it can force local and limit the endpoints, and applies without a reload', async () => {
    const machineFile = process.env.HEARTH_MACHINE_POLICY;
    assert.ok(machineFile, 'HEARTH_MACHINE_POLICY is not set by the runner');
    await setting('privacy.mode', 'cloud');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    await fs.writeFile(
      machineFile,
      JSON.stringify({ version: 1, mode: 'local', allowedEndpoints: [{ id: 'corp', provider: 'openai', baseUrl: `${cloud.url}/v1`, model: 'corp-model', trust: 'internal' }] }),
    );
    try {
      const policy = await policyWhere(hooks, (current) => current.modeSource === machineFile, 'local from the machine file');
      assert.equal(policy.mode, 'local');
      // The machine defines the endpoints; the user's own list cannot add to it (and here names none of it).
      assert.deepEqual(policy.endpoints.map((endpoint) => endpoint.id), []);
      await openSelected('calc.js', CODE);
      await explainInDepth();
      assert.equal(cloud.requests.length, 0);
    } finally {
      await fs.rm(machineFile, { force: true });
    }
    await policyWhere(hooks, (current) => current.mode === 'cloud', 'cloud again after the machine file went');
  });

  it('lets an internal endpoint serve simple commands where the policy allows it, and records it', async () => {
    await setting('privacy.allowedEndpoints', [{ id: 'corp-internal', provider: 'openai', baseUrl: `${cloud.url}/v1`, model: 'corp-model', trust: 'internal' }]);
    await setting('privacy.internalServesSimple', true);
    await setting('privacy.mode', 'cloud');
    try {
      await policyWhere(hooks, (policy) => policy.mode === 'cloud' && policy.internalServesSimple && policy.endpoints[0]?.id === 'corp-internal', 'internal serving simple');
      cloud.script(ok(['Answered ', 'inside the firewall.']));
      const answer = await hooks.chat.session.send('Hello there.');
      assert.equal(answer.error, undefined);
      assert.equal(answer.content, 'Answered inside the firewall.');
      assert.equal(answer.model, 'corp-model (corp-internal)');
      const entry = (await readEscalations()).at(-1);
      assert.equal(entry?.command, 'chat');
      assert.equal(entry?.endpointId, 'corp-internal');
    } finally {
      await setting('privacy.internalServesSimple', undefined);
      await setting('privacy.allowedEndpoints', [
        { id: 'loopback-openai', provider: 'openai', baseUrl: `${cloud.url}/v1`, model: 'gpt-loopback', trust: 'external' },
        { id: 'loopback-anthropic', provider: 'anthropic', baseUrl: cloud.url, model: 'claude-loopback', trust: 'external' },
      ]);
      await policyWhere(hooks, (policy) => policy.endpoints.length === 2 && !policy.internalServesSimple, 'the two loopback endpoints again');
    }
  });

  it('writes the workspace policy file with hearth.privacy.setWorkspacePolicy', async () => {
    await setting('privacy.mode', 'cloud');
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('hearth.privacy.setWorkspacePolicy', {
      mode: 'ask',
      excludeFromAI: ['private/**'],
      neverSend: ['**/*.sql'],
      endpoints: ['loopback-openai'],
    });
    assert.ok(uri, 'nothing was written');
    const written = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as Record<string, unknown>;
    assert.deepEqual(written, { version: 1, mode: 'ask', excludeFromAI: ['private/**'], neverSend: ['**/*.sql'], allowedEndpoints: ['loopback-openai'] });
    const policy = await policyWhere(hooks, (current) => current.mode === 'ask', 'ask from the written file');
    assert.ok(policy.excludeFromAI.some((glob) => glob.glob === 'private/**' && glob.source === '.hearth/policy.json'));
    assert.match(hooks.services.privacy.statusBar.text, /Ask/);
  });

  it('offline: complex commands stay local and say why', async () => {
    await setting('privacy.mode', 'cloud');
    await setting('privacy.offline', true);
    await policyWhere(hooks, (policy) => policy.offline, 'offline');
    await openSelected('calc.js', CODE);
    const answer = await explainInDepth();
    assert.ok(answer.model !== undefined && !answer.model.includes('loopback'));
    assert.match(hooks.keptLocalNotices.at(-1) ?? '', /offline/);
    assert.equal(cloud.requests.length, 0);
  });

  it('refuses an excluded file by every path: commands, chat, the text service itself, and a link to it', async () => {
    await setting('privacy.mode', 'cloud');
    await policyWhere(hooks, (policy) => policy.mode === 'cloud', 'cloud');
    const secret = 'API_KEY=sk-live-do-not-read';
    const editor = await openSelected('.env', `${secret}\nOTHER=1\n`);
    for (const command of ['hearth.summarizeSelection', 'hearth.explainSelection', 'hearth.explainInDepth', 'hearth.generateTests']) {
      editor.selection = new vscode.Selection(0, 0, 1, 0);
      assert.equal(await vscode.commands.executeCommand(command), undefined, `${command} ran on .env`);
    }
    assert.equal(await vscode.commands.executeCommand('hearth.rewriteSelection', { preset: 'shorter' }), undefined);
    assert.equal(await vscode.commands.executeCommand('hearth.refactorSelection', { instruction: 'x' }), undefined);
    // The chat's current-file chip is blocked, so nothing of it goes with a message.
    assert.ok(hooks.chat.context.chips().every((chip) => chip.label !== '.env' || chip.blocked !== undefined));
    assert.ok(!(await hooks.chat.context.attachments()).some((attachment) => attachment.text.includes(secret)));
    // Past the features: the text service's own gate.
    const source = hooks.services.privacy.gate.sourceOf(editor.document, undefined, secret);
    await assert.rejects(
      hooks.services.text.chat('askCloud', { messages: [{ role: 'user', content: secret }], sampling: { maxTokens: 8 } }, { sources: [source] }).result,
      /excluded from AI/,
    );
    await assert.rejects(hooks.services.text.complete('completion', secret, { maxTokens: 4 }, { sources: [source] }), /excluded from AI/);
    // A link to the secret is the secret.
    const link = workspaceFile('innocent-notes.txt');
    await vscode.workspace.fs.delete(link).then(undefined, () => undefined);
    symlinkSync(workspaceFile('.env').fsPath, link.fsPath);
    assert.match(hooks.chat.context.attach(link) ?? '', /excluded from AI/);
    hooks.chat.context.consumed();
    assert.equal(cloud.requests.length, 0);
  });

  it('keeps recently edited and copied .env files out of the completion context', async () => {
    const service = hooks.completions.service;
    for (const relative of ['.env.backup', 'config/.env', 'copy of/.env.local']) {
      const editor = await openSelected(relative, 'TOKEN=abc123\n');
      await editor.edit((edit) => edit.insert(new vscode.Position(1, 0), 'MORE=1\n'));
      assert.ok(!service.extraContextSources().includes(relative), `${relative} entered the extra context`);
    }
  });
});
