// The fast first window, through the real model process on the fill-in-the-middle test model: a
// completion whose full prompt is not in the completion sequence yet answers from a short window
// on its own sequence, while the full prompt is read into the completion sequence in the
// background; a request that arrives meanwhile is served first, and the read resumes after it.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { FIRST_WINDOW_MAX_TOKENS } from '../../src/engine/contextLayout';
import { ENGINE_TEST_HOOKS_ENV } from '../../src/engine/testHooks';
import { newStreamId, type EngineConnection } from '../../src/host/engine/engineConnection';
import { fimTestModelPath } from '../fixtures/testModels';
import { poll } from '../support/polling';
import { startEngineWithEnv } from '../support/startEngineWithEnv';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');
// About 1,500 tokens of code before the cursor: far more than fits a 1 ms prompt budget.
const PREFIX = Array.from({ length: 120 }, (_, index) => `function f${index}(a, b) {\n  return a * ${index} + b;\n}\n`).join('');
const SUFFIX = '\nmodule.exports = {};\n';

describe('the fast first window (FIM test model)', function () {
  this.timeout(180_000);
  let engine: EngineConnection;

  before(async () => {
    // The background read pauses between its chunks, so a request can arrive in the middle of it.
    engine = startEngineWithEnv(ENGINE, { [ENGINE_TEST_HOOKS_ENV]: '1', HEARTH_ENGINE_TEST_BACKGROUND_DELAY_MS: '40' });
    await engine.request(engineMethods.modelLoad, { path: await fimTestModelPath(), contextSize: 2048, threads: 1 });
  });

  after(() => engine?.dispose());

  const infill = (promptBudgetMs: number, prefix = PREFIX) =>
    engine.request(engineMethods.generateInfill, {
      streamId: newStreamId(),
      stream: false,
      slot: 'completion',
      firstWindow: true,
      prefix,
      suffix: SUFFIX,
      maxTokens: 8,
      promptBudgetMs,
    });
  const status = () => engine.request(engineMethods.modelStatus, {});

  it('answers a cold prompt from a short window and reads the full prompt in the background; a request meanwhile goes first', async () => {
    // The first prompt after a load is read whole, which times the prompt speed.
    const first = await infill(60_000, 'function first(x) {\n  return x + 1;\n}\nfunction second(y) {\n  return ');
    assert.notEqual(first.firstWindow, true, 'no speed was measured yet, so no window');
    const cold = await infill(1);
    assert.equal(cold.firstWindow, true, 'the cold prompt was not answered from the window');
    assert.ok(cold.promptTokens <= FIRST_WINDOW_MAX_TOKENS + 1, `the window held ${cold.promptTokens} tokens`);
    assert.ok(cold.generatedTokens > 0, 'the window generated nothing');

    const reading = (await status()).backgroundWarm;
    assert.ok(reading !== null && reading !== undefined && reading.promptTokens > 1_000, `no background read: ${JSON.stringify(reading)}`);
    assert.ok(reading.evaluatedTokens < reading.promptTokens, 'the background read finished before the test could look');

    // A user-visible request in the middle of the read: answered at once, with the read still unfinished.
    const other = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), stream: false, slot: 'shared', prompt: 'Once upon a time', maxTokens: 4 });
    assert.ok(other.generatedTokens > 0);
    const after = (await status()).backgroundWarm;
    assert.ok(after !== null && after !== undefined && after.evaluatedTokens < after.promptTokens, `the read finished before the request was served: ${JSON.stringify(after)}`);

    // The read resumes and finishes; the same completion then runs on the completion sequence,
    // which holds the full prompt: only the last token is evaluated again.
    assert.ok(await poll(120_000, async () => (await status()).backgroundWarm === null), 'the background read never finished');
    const warm = await infill(60_000);
    assert.notEqual(warm.firstWindow, true, 'the warm prompt was answered from the window');
    assert.ok(warm.promptTokens > 1_000, `the full prompt has ${warm.promptTokens} tokens`);
    assert.ok(warm.evaluatedPromptTokens <= 2, `evaluated ${warm.evaluatedPromptTokens} of ${warm.promptTokens} prompt tokens`);
  });

  it('reads a new prompt whole when it fits the budget at the measured speed (no window, no background read)', async () => {
    const result = await infill(60_000, 'function other(x) {\n  return ');
    assert.notEqual(result.firstWindow, true);
    assert.equal((await status()).backgroundWarm, null);
    assert.ok(result.evaluatedPromptTokens > 5, 'the new prompt was read in the request itself');
  });
});
