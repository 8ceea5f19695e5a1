// The model process stops a suggestion once it is complete (sampling.suggestion), instead of
// running to maxTokens: measured on stories260K, a real model that ends its lines by itself.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { postProcessCompletion } from '../../src/common/completion/postProcessCompletion';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');
const PROMPT = 'Once upon a time, there was a little dog named Max.';
const MAX_TOKENS = 200;

describe('early stop of a suggestion (stories260K)', function () {
  this.timeout(120_000);
  let engine: EngineConnection;

  before(async () => {
    engine = EngineConnection.start(ENGINE);
    await engine.request(engineMethods.modelLoad, { path: await findTestModel(STORY_TEST_MODEL), contextSize: 1024, threads: 1 });
  });

  after(() => engine?.dispose());

  const complete = (suggestion?: { maxLines: number }) =>
    engine.request(engineMethods.generateComplete, {
      streamId: newStreamId(),
      stream: false,
      slot: 'completion',
      prompt: PROMPT,
      maxTokens: MAX_TOKENS,
      ...(suggestion === undefined ? {} : { suggestion: { linePrefix: '', lineSuffix: '', suffixLines: [], ...suggestion } }),
    });

  it('stops at maxLines with the same suggestion, generating fewer tokens than without the stop', async () => {
    const full = await complete();
    const lines = full.text.split('\n');
    assert.ok(lines.length >= 3, `the story model wrote fewer than 3 lines: ${JSON.stringify(full.text)}`);
    const stopped = await complete({ maxLines: 2 });
    assert.equal(stopped.stopReason, 'stop');
    assert.ok(full.text.startsWith(stopped.text), 'the stopped text is the start of the full one (greedy)');
    assert.ok(stopped.generatedTokens < full.generatedTokens, `${stopped.generatedTokens} tokens with the stop, ${full.generatedTokens} without`);
    const shown = (text: string) => postProcessCompletion({ completion: text, linePrefix: '', lineSuffix: '', suffixLines: [], maxLines: 2 });
    assert.equal(shown(stopped.text), shown(full.text), 'the ghost text is the same');
  });
});
