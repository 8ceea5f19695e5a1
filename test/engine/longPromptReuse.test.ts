// A prompt that fills the context (a long file) is laid out within what node-llama-cpp's
// LlamaCompletion keeps of its input (the context minus its context-shift reserve), so a
// keystroke still evaluates only what it added. A prompt longer than that was cut again by the
// library at another place, and every keystroke evaluated the whole prompt anew.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { fimTestModelPath } from '../fixtures/testModels';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');
const CONTEXT_SIZE = 1024;
// Far more than the context holds: the layout trims it.
const PREFIX = Array.from({ length: 120 }, (_, index) => `function f${index}(a, b) {\n  return a * ${index} + b;\n}\n`).join('');

describe('a prompt as long as the context (FIM test model)', function () {
  this.timeout(120_000);
  let engine: EngineConnection;

  before(async () => {
    engine = EngineConnection.start(ENGINE);
    await engine.request(engineMethods.modelLoad, { path: await fimTestModelPath(), contextSize: CONTEXT_SIZE, threads: 1 });
  });

  after(() => engine?.dispose());

  it('stays within what the library keeps of it, so each keystroke evaluates only what it added', async () => {
    const results = [];
    for (const typed of ['a', 'ab', 'abc', 'abcd']) {
      results.push(
        await engine.request(engineMethods.generateInfill, {
          streamId: newStreamId(),
          stream: false,
          slot: 'completion',
          prefix: PREFIX,
          suffix: '\n}\n',
          middlePrefix: typed,
          maxTokens: 32,
        }),
      );
    }
    const [first, ...extensions] = results;
    assert.ok(first !== undefined && first.promptTokens > CONTEXT_SIZE * 0.75, `the prompt fills the context: ${first?.promptTokens} tokens`);
    assert.ok(first.promptTokens <= CONTEXT_SIZE - Math.floor(CONTEXT_SIZE / 10), `${first.promptTokens} tokens exceed what LlamaCompletion keeps`);
    for (const result of extensions) {
      assert.ok(result.evaluatedPromptTokens <= 2, `a keystroke evaluated ${result.evaluatedPromptTokens} of ${result.promptTokens} prompt tokens`);
    }
  });
});
