// The real model process (dist/engine.mjs) on a real GGUF model, driven over JSON-RPC exactly as
// the extension host drives it.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { physicalCores } from '../../src/engine/physicalCores';
import { fimTestModelPath, findTestModel } from '../fixtures/testModels';
import { expectEngineError } from '../support/expectEngineError';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');


describe('model process (real GGUF through node-llama-cpp)', function () {
  this.timeout(60_000);
  let modelPath: string;
  let engine: EngineConnection;
  let scratch: string;

  before(async () => {
    modelPath = await findTestModel();
    scratch = await mkdtemp(join(tmpdir(), 'hearth-engine-'));
    engine = EngineConnection.start(ENGINE);
  });

  after(async () => {
    engine.dispose();
    await rm(scratch, { recursive: true, force: true });
  });

  it('runs with one libuv pool thread, so decode steps stay on one thread (2 threads decode faster)', async function () {
    if (process.platform !== 'linux') this.skip(); // read from /proc
    const environ = await readFile(`/proc/${engine.pid}/environ`, 'utf8');
    assert.ok(environ.split('\0').includes('UV_THREADPOOL_SIZE=1'), 'the model process environment sets UV_THREADPOOL_SIZE=1');
  });

  it('loads the model and chooses threads by measuring', async () => {
    const info = await engine.request(engineMethods.modelLoad, { path: modelPath, contextSize: 1024 });
    assert.equal(info.path, modelPath);
    assert.ok(info.sizeBytes > 1_000_000);
    assert.ok(info.loadMs > 0);
    assert.equal(info.hasInfill, false);
    // Each phase measured apart, and the choice explained by the user cases it serves.
    assert.match(info.threadsReason, /^auto: \d+ for prompts, \d+ for decoding; measured .*decode \d+ tok\/s/);
    assert.match(info.threadsReason, /warm keystroke ~\d+ ms .*chat answer ~\d+ ms .*cold first window ~\d+ ms/);
    const cores = physicalCores();
    assert.ok(info.threads >= 1 && info.threads <= cores, `decode threads ${info.threads}`);
    assert.ok(info.promptThreads >= 1 && info.promptThreads <= cores, `prompt threads ${info.promptThreads}`);
    const status = await engine.request(engineMethods.modelStatus, {});
    assert.equal(status.state, 'ready');
    assert.equal(status.model?.name, info.name);
    assert.ok(status.rssBytes > 10_000_000);
  });

  it('streams a completion as notifications that add up to the result', async () => {
    const chunks: string[] = [];
    const streamId = newStreamId();
    const result = await engine.request(
      engineMethods.generateComplete,
      { streamId, prompt: 'The capital of France is', maxTokens: 24 },
      { onText: (text) => chunks.push(text) },
    );
    assert.ok(chunks.length > 1, 'several chunks were streamed');
    assert.equal(chunks.join(''), result.text);
    assert.equal(result.stopReason, 'maxTokens');
    assert.equal(result.generatedTokens, 24);
    assert.ok(result.ttftMs !== null && result.ttftMs > 0);
    assert.ok(result.tokensPerSec > 0);
  });

  it('sends no notifications for a request with stream: false, and the result has the same text', async () => {
    const params = { prompt: 'The capital of France is', maxTokens: 24 };
    const streamed = await engine.request(engineMethods.generateComplete, { ...params, streamId: newStreamId() });
    const chunks: string[] = [];
    const quiet = await engine.request(engineMethods.generateComplete, { ...params, streamId: newStreamId(), stream: false }, { onText: (text) => chunks.push(text) });
    assert.deepEqual(chunks, []);
    assert.equal(quiet.text, streamed.text);
    assert.equal(quiet.generatedTokens, 24);
  });

  it('honours stop strings and the seed', async () => {
    const params = { prompt: 'Once upon a time', maxTokens: 40, temperature: 0.9, topP: 0.95, seed: 7 };
    const first = await engine.request(engineMethods.generateComplete, { ...params, streamId: newStreamId() });
    const second = await engine.request(engineMethods.generateComplete, { ...params, streamId: newStreamId() });
    assert.equal(first.text, second.text, 'same seed, same text');
    // Stop on a piece of what the model is known to produce: generation ends there, without it.
    const stop = first.text.slice(10, 14);
    const stopped = await engine.request(engineMethods.generateComplete, { ...params, stop: [stop], streamId: newStreamId() });
    assert.equal(stopped.stopReason, 'stop');
    assert.ok(!stopped.text.includes(stop), `${JSON.stringify(stopped.text)} contains ${JSON.stringify(stop)}`);
    assert.ok(stopped.generatedTokens < first.generatedTokens);
  });

  it('reuses the tokens of a prompt that extends the previous one', async () => {
    const prompt = 'function fibonacci(n) {\n  if (n < 2) return n;\n  return fibonacci(n - 1) + fibonacci(n - 2);\n}\n\n'.repeat(4);
    const cold = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt, maxTokens: 4 });
    const warm = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: `${prompt}const x`, maxTokens: 4 });
    assert.ok(cold.evaluatedPromptTokens > 100, `cold evaluated ${cold.evaluatedPromptTokens}`);
    assert.ok(warm.promptTokens > cold.promptTokens);
    assert.ok(warm.evaluatedPromptTokens <= 5, `warm evaluated ${warm.evaluatedPromptTokens} of ${warm.promptTokens}`);
  });

  it('answers a chat with the chat template node-llama-cpp resolved for the model', async () => {
    const chunks: string[] = [];
    const result = await engine.request(
      engineMethods.generateChat,
      {
        streamId: newStreamId(),
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hello.' },
        ],
        maxTokens: 16,
      },
      { onText: (text) => chunks.push(text) },
    );
    assert.ok(result.generatedTokens > 0);
    assert.equal(chunks.join(''), result.text);
    assert.ok(result.promptTokens > 5, 'the template wrapped the messages');
  });

  it('runs concurrent requests without mixing their streams', async () => {
    const requests = ['alpha', 'beta', 'gamma'].map(async (prompt) => {
      const chunks: string[] = [];
      const result = await engine.request(
        engineMethods.generateComplete,
        { streamId: newStreamId(), prompt, maxTokens: 12 },
        { onText: (text) => chunks.push(text) },
      );
      return { chunks: chunks.join(''), text: result.text, generated: result.generatedTokens };
    });
    const results = await Promise.all(requests);
    for (const result of results) {
      assert.equal(result.chunks, result.text);
      assert.equal(result.generated, 12);
    }
  });

  it('rejects invalid params with a clear error and keeps working', async () => {
    const bad = engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'x', maxTokens: -3 } as never);
    const error = await bad.then(
      () => assert.fail('expected an error'),
      (caught: unknown) => caught as Error,
    );
    assert.match(error.message, /maxTokens/);
    const ok = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'ok', maxTokens: 2 });
    assert.equal(ok.generatedTokens, 2);
  });

  it('says infill is unsupported on a model without fill-in-the-middle tokens', async () => {
    await expectEngineError(engine.request(engineMethods.generateInfill, { streamId: newStreamId(), prefix: 'a', suffix: 'b' }), 'infillUnsupported');
  });

  describe('bad model files', () => {
    it('names a missing file', async () => {
      const missing = join(scratch, 'nope.gguf');
      const error = await expectEngineError(engine.request(engineMethods.modelLoad, { path: missing }), 'modelNotFound');
      assert.equal(error.path, missing);
      assert.ok(error.message.includes(missing));
    });

    it('names a file that is not GGUF', async () => {
      const text = join(scratch, 'notes.gguf');
      await writeFile(text, 'these are my notes, not a model\n');
      const error = await expectEngineError(engine.request(engineMethods.modelLoad, { path: text }), 'notGguf');
      assert.ok(error.message.includes(text));
    });

    it('names a truncated GGUF', async () => {
      const truncated = join(scratch, 'truncated.gguf');
      await copyFile(modelPath, truncated);
      await truncate(truncated, Math.floor((await readFile(modelPath)).length / 2));
      const error = await expectEngineError(engine.request(engineMethods.modelLoad, { path: truncated }), 'corruptModel');
      assert.match(error.message, /truncated/);
      assert.ok(error.message.includes(truncated));
    });

    it('names a GGUF whose header is garbage', async () => {
      const garbage = join(scratch, 'garbage.gguf');
      const bytes = Buffer.alloc(4096, 0xff);
      bytes.write('GGUF', 0, 'latin1');
      await writeFile(garbage, bytes);
      await expectEngineError(engine.request(engineMethods.modelLoad, { path: garbage }), 'corruptModel');
    });

    it('still serves the model it had after refusing bad files', async () => {
      const result = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'still here', maxTokens: 3 });
      assert.equal(result.generatedTokens, 3);
    });
  });

  describe('on two threads (slow enough here to watch tokens)', () => {
    before(async () => {
      const info = await engine.request(engineMethods.modelLoad, { path: modelPath, contextSize: 1024, threads: 2 });
      assert.equal(info.threads, 2);
      assert.equal(info.promptThreads, 2, 'the setting serves both phases');
      assert.equal(info.threadsReason, 'set by hearth.engine.threads');
    });

    it('stops generating within a token of a cancellation', async () => {
      const source = new CancellationTokenSource();
      let streamed = 0;
      let streamedAtCancel = -1;
      const request = engine.request(
        engineMethods.generateComplete,
        { streamId: newStreamId(), prompt: 'A long story:', maxTokens: 2000 },
        {
          token: source.token,
          onText: () => {
            streamed += 1;
            if (streamed === 5) {
              streamedAtCancel = streamed;
              source.cancel();
            }
          },
        },
      );
      const result = await request;
      assert.equal(result.stopReason, 'cancelled');
      assert.ok(streamedAtCancel === 5);
      assert.ok(result.generatedTokens <= streamedAtCancel + 2, `generated ${result.generatedTokens} after cancelling at ${streamedAtCancel}`);
      const status = await engine.request(engineMethods.modelStatus, {});
      assert.equal(status.activeRequests, 0);
    });

    it('stops a request cancelled in the tick it was sent, when the cancel reaches the process before the request is dispatched', async () => {
      // Sent back to back, the two messages often arrive together; vscode-jsonrpc then hands the
      // handler an already-cancelled token whose event never fires. Ten tries catch that case.
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const source = new CancellationTokenSource();
        const request = engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'A long story:', maxTokens: 1000, stream: false }, { token: source.token });
        source.cancel();
        const result = await request;
        assert.equal(result.stopReason, 'cancelled', `attempt ${attempt}`);
        assert.ok(result.generatedTokens <= 2, `attempt ${attempt}: generated ${result.generatedTokens}`);
      }
    });

    it('returns the partial text when the time budget runs out', async () => {
      const result = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Budget:', maxTokens: 2000, timeBudgetMs: 300 });
      assert.equal(result.stopReason, 'timeBudget');
      assert.ok(result.generatedTokens > 0 && result.generatedTokens < 2000);
      assert.ok(result.totalMs < 1500, `took ${result.totalMs} ms`);
    });

    it('counts the generation budget from the first token, and returns the partial text', async () => {
      const result = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Budget:', maxTokens: 2000, generationBudgetMs: 300 });
      assert.equal(result.stopReason, 'timeBudget');
      assert.ok(result.generatedTokens > 0 && result.generatedTokens < 2000);
      assert.ok(result.ttftMs !== null);
      const generatingMs = result.totalMs - result.ttftMs;
      assert.ok(generatingMs >= 250 && generatingMs < 1500, `generated for ${generatingMs} ms`);
    });
  });

  describe('a model with fill-in-the-middle tokens and a chat template', () => {
    before(async () => {
      const info = await engine.request(engineMethods.modelLoad, { path: await fimTestModelPath(), contextSize: 1024, threads: 1 });
      assert.equal(info.hasInfill, true);
    });

    it('fills in the middle through generate/infill', async () => {
      const chunks: string[] = [];
      const result = await engine.request(
        engineMethods.generateInfill,
        { streamId: newStreamId(), prefix: 'function add(a, b) {\n  return ', suffix: ';\n}\n', maxTokens: 8 },
        { onText: (text) => chunks.push(text) },
      );
      assert.equal(result.generatedTokens, 8);
      assert.equal(chunks.join(''), result.text);
      // prefix + suffix + the three FIM tokens + BOS were evaluated
      assert.ok(result.promptTokens >= 14, `prompt tokens ${result.promptTokens}`);
    });

    it('formats chat with the template from the model file', async () => {
      const status = await engine.request(engineMethods.modelStatus, {});
      assert.equal(status.model?.chatWrapper, 'ChatML');
      const result = await engine.request(engineMethods.generateChat, { streamId: newStreamId(), messages: [{ role: 'user', content: 'hi' }], maxTokens: 4 });
      assert.equal(result.generatedTokens, 4);
    });
  });

  it('fails in-flight requests at once when the process is killed, and a new process works', async () => {
    const pending = engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Killed mid-way:', maxTokens: 2000 });
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    const killedAt = Date.now();
    process.kill(engine.pid ?? -1, 'SIGKILL');
    const error = await expectEngineError(pending, 'crashed');
    assert.ok(Date.now() - killedAt < 2000, 'failed promptly');
    assert.match(error.message, /SIGKILL/);
    await expectEngineError(engine.request(engineMethods.modelStatus, {}), 'crashed');

    engine = EngineConnection.start(ENGINE);
    await engine.request(engineMethods.modelLoad, { path: modelPath, contextSize: 1024, threads: 1 });
    const result = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Back again', maxTokens: 4 });
    assert.equal(result.generatedTokens, 4);
  });
});
