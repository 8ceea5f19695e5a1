// Hearth in a real VS Code extension host with the real model process and a real GGUF model:
// contributions, the tryModel command end to end, the status bar, crash recovery and bad settings.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { hearthExtension, hearthHooks, type HearthTestHooks } from './hearthHooks';
import type { EngineState } from '../../../src/host/engine/engineSupervisor';
import type { TryModelResult } from '../../../src/host/engine/tryModel';

interface Manifest {
  contributes: { commands: Array<{ command: string }>; configuration: { properties: Record<string, { default: unknown }> } };
}

const hearth = hearthExtension;
const api = hearthHooks;

function waitForState(hearthApi: HearthTestHooks, kind: EngineState['kind'], timeoutMs = 30_000): Promise<EngineState> {
  if (hearthApi.engine.state.kind === kind) return Promise.resolve(hearthApi.engine.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`engine did not reach ${kind} within ${timeoutMs} ms (now ${hearthApi.engine.state.kind})`));
    }, timeoutMs);
    const subscription = hearthApi.engine.onDidChangeState((state) => {
      if (state.kind !== kind) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(state);
    });
  });
}

async function tryModel(prompt: string): Promise<TryModelResult | undefined> {
  return vscode.commands.executeCommand<TryModelResult | undefined>('hearth.generate.tryModel', prompt);
}

describe('Hearth in VS Code with the real model', function () {
  this.timeout(60_000);
  const manifest = JSON.parse(readFileSync(join(hearth().extensionPath, 'package.json'), 'utf8')) as Manifest;

  it('activates without starting the model process', async () => {
    const hearthApi = await api();
    assert.equal(hearth().isActive, true);
    assert.ok(hearthApi.activationMs < 1_000, `activation took ${hearthApi.activationMs} ms`);
    // Start on first use: nothing has asked for text yet in this suite.
    assert.equal(hearthApi.engine.pid, undefined);
    assert.equal(hearthApi.engine.state.kind, 'notLoaded');
    assert.match(hearthApi.statusBarText(), /Hearth/);
  });

  it('registers every command it contributes, all named hearth.*', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(manifest.contributes.commands.length >= 5);
    for (const { command } of manifest.contributes.commands) {
      assert.match(command, /^hearth\./);
      assert.ok(registered.has(command), `${command} is contributed but not registered`);
    }
  });

  it('contributes its settings with their defaults, all grouped under hearth.*', () => {
    // The full list against the code is checked by test/unit/settingsManifest.test.ts; here VS Code itself must know them.
    const config = vscode.workspace.getConfiguration('hearth');
    for (const [id, property] of Object.entries(manifest.contributes.configuration.properties)) {
      assert.match(id, /^hearth\./);
      assert.deepEqual(config.inspect(id.slice('hearth.'.length))?.defaultValue, property.default, id);
    }
    assert.equal(config.get('engine.threads'), 'auto');
  });

  it('streams text from the real model into a document (hearth.generate.tryModel)', async () => {
    const hearthApi = await api();
    const states: string[] = [];
    const subscription = hearthApi.engine.onDidChangeState((state) => states.push(state.kind));
    const prompt = 'Once upon a time';
    const outcome = await tryModel(prompt);
    subscription.dispose();
    assert.ok(outcome, 'the command returned nothing (see the Hearth log)');
    assert.ok(outcome.result.generatedTokens > 0);
    assert.ok(outcome.result.text.length > 0);
    // The document keeps one line-ending style; the random model may emit a bare \r.
    assert.equal(outcome.document.getText(), (prompt + outcome.result.text).replace(/\r\n?/g, '\n'));
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), outcome.document.uri.toString());
    assert.deepEqual(states.slice(0, 3), ['loading', 'ready', 'generating']);
    assert.ok(hearthApi.engine.pid !== undefined, 'the model process runs');
  });

  it('shows the ready model in the status bar', async () => {
    const hearthApi = await api();
    const state = await waitForState(hearthApi, 'ready');
    assert.equal(state.kind, 'ready');
    if (state.kind !== 'ready') return;
    assert.equal(state.model.path, vscode.workspace.getConfiguration('hearth').get('model.path'));
    assert.ok(hearthApi.statusBarText().includes(state.model.name), hearthApi.statusBarText());
    assert.match(state.model.threadsReason, /^auto: \d+ for prompts, \d+ for decoding; measured /);
  });

  it('recovers after the model process is killed: the next request succeeds', async () => {
    const hearthApi = await api();
    const pid = hearthApi.engine.pid;
    assert.ok(pid !== undefined);
    const restarting = waitForState(hearthApi, 'restarting');
    process.kill(pid, 'SIGKILL');
    await restarting;
    const outcome = await tryModel('After the crash');
    assert.ok(outcome, 'the request after the crash failed');
    assert.ok(outcome.result.generatedTokens > 0);
    assert.ok(hearthApi.engine.pid !== undefined && hearthApi.engine.pid !== pid, 'a new process serves it');
  });

  it('reports a missing model file as an error state without harming the host, and recovers when fixed', async () => {
    const hearthApi = await api();
    const config = vscode.workspace.getConfiguration('hearth');
    const good = config.get<string>('model.path');
    const missing = join(hearth().extensionPath, '.test-output', 'no-such-model.gguf');
    await config.update('model.path', missing, vscode.ConfigurationTarget.Global);
    try {
      await waitForState(hearthApi, 'notLoaded'); // the setting change stops the old process
      const outcome = await tryModel('This cannot load');
      assert.equal(outcome, undefined);
      const state = hearthApi.engine.state;
      assert.equal(state.kind, 'error');
      if (state.kind === 'error') assert.ok(state.error.message.includes(missing), state.error.message);
      assert.match(hearthApi.statusBarText(), /error/);
    } finally {
      await config.update('model.path', good, vscode.ConfigurationTarget.Global);
    }
    const outcome = await tryModel('Fixed again');
    assert.ok(outcome && outcome.result.generatedTokens > 0);
  });

  it('loads a model file inside the workspace only after the user confirms it once, naming the file', async () => {
    const hearthApi = await api();
    const config = vscode.workspace.getConfiguration('hearth');
    const good = config.get<string>('model.path');
    assert.ok(good, 'the runner sets hearth.model.path');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    // A repository that ships a model: the same real GGUF, inside the workspace.
    const shipped = vscode.Uri.joinPath(folder.uri, 'vendor', 'shipped-model.gguf');
    await vscode.workspace.fs.copy(vscode.Uri.file(good), shipped, { overwrite: true });
    await config.update('model.path', '${workspaceFolder}/vendor/shipped-model.gguf', vscode.ConfigurationTarget.Global);
    try {
      await waitForState(hearthApi, 'notLoaded');
      await assert.rejects(hearthApi.services.engine.restart(), (error: Error & { kind?: string }) => {
        assert.equal(error.kind, 'needsConfirmation');
        assert.match(error.message, /vendor\/shipped-model\.gguf is inside this workspace/);
        return true;
      });
      assert.equal(hearthApi.engine.pid, undefined, 'the model process must not keep running for an unconfirmed file');
      // What "Load This Model File" runs.
      assert.equal(await vscode.commands.executeCommand('hearth.model.confirmWorkspaceFile', shipped.fsPath), true);
      const state = await waitForState(hearthApi, 'ready');
      assert.ok(state.kind === 'ready' && state.model.path.endsWith('shipped-model.gguf'), JSON.stringify(state));
      // Confirmed once: the next start loads it without asking.
      await hearthApi.services.engine.restart();
      assert.equal(hearthApi.engine.state.kind, 'ready');
    } finally {
      await config.update('model.path', good, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder.uri, 'vendor'), { recursive: true });
    }
  });

  it('imports a local GGUF file (air-gapped), loads it without a window reload, and deletes it again', async () => {
    const hearthApi = await api();
    const config = vscode.workspace.getConfiguration('hearth');
    const good = config.get<string>('model.path');
    const story = process.env.HEARTH_STORY_TEST_MODEL;
    assert.ok(good && story, 'the runner sets hearth.model.path and HEARTH_STORY_TEST_MODEL');
    // Not a GGUF file: refused before anything is copied.
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const page = vscode.Uri.joinPath(folder.uri, 'not-a-model.gguf');
    await vscode.workspace.fs.writeFile(page, new TextEncoder().encode('<!doctype html><title>Sign in</title>'));
    assert.equal(await vscode.commands.executeCommand('hearth.models.import', page.fsPath, true), undefined);
    try {
      const imported = await vscode.commands.executeCommand<string | undefined>('hearth.models.import', story, true);
      assert.ok(imported, 'the import returned nothing');
      assert.match(imported, /[\\/]models[\\/]stories260K\.gguf$/);
      assert.equal(vscode.workspace.getConfiguration('hearth').get('model.path'), imported);
      const outcome = await tryModel('Once upon a time');
      assert.ok(outcome && outcome.result.generatedTokens > 0, 'the imported model did not answer');
      const state = hearthApi.engine.state;
      assert.ok((state.kind === 'ready' || state.kind === 'generating') && state.model.path === imported, JSON.stringify(state));
      assert.equal(await vscode.commands.executeCommand('hearth.models.delete', imported, true), true);
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.file(imported))), 'the file is still there');
      assert.notEqual(vscode.workspace.getConfiguration('hearth').get('model.path'), imported, 'the setting still names the deleted file');
    } finally {
      await config.update('model.path', good, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(page);
    }
  });

  it('measures threads on the first load of a file and reuses the measurement on the next load (remembered tuning)', async () => {
    const hearthApi = await api();
    const config = vscode.workspace.getConfiguration('hearth');
    const good = config.get<string>('model.path');
    assert.ok(good, 'the runner sets hearth.model.path');
    // A copy never loaded before on this machine: nothing is remembered for it yet.
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const storage = vscode.Uri.joinPath(folder.uri, '..', `tuning-${Date.now()}.gguf`);
    await vscode.workspace.fs.copy(vscode.Uri.file(good), storage);
    try {
      await config.update('model.path', storage.fsPath, vscode.ConfigurationTarget.Global);
      const first = await hearthApi.services.engine.restart();
      assert.equal(first.threadsSource, 'measured', first.threadsReason);
      assert.match(first.threadsReason, /^auto: \d+ for prompts, \d+ for decoding; measured /);
      // The host keeps the measurement once the load is ready (asynchronously): wait for it.
      const second = await waitFor(async () => {
        const info = await hearthApi.services.engine.restart();
        return info.threadsSource === 'remembered' ? info : undefined;
      });
      assert.equal(second.threads, first.threads);
      assert.equal(second.promptThreads, first.promptThreads, 'both phases are remembered');
      assert.match(second.threadsReason, /^remembered: auto: \d+ for prompts, \d+ for decoding; measured .*, on \d{4}-\d{2}-\d{2}$/);
    } finally {
      await config.update('model.path', good, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(storage);
    }
  });
});

/** The first value `probe` gives within the time, polling. */
async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`nothing within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
