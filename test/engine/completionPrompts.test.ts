// The completion-specific paths of the model process on the FIM test model: prompt layouts that
// keep what changes at the end, the warm completion sequence, and the prompt budget.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { fimTestModelPath } from '../fixtures/testModels';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');

describe('completion prompts in the model process (FIM test model)', function () {
  this.timeout(60_000);
  let engine: EngineConnection;
  let prefix: string;
  let suffix: string;

  before(async () => {
    engine = EngineConnection.start(ENGINE);
    await engine.request(engineMethods.modelLoad, { path: await fimTestModelPath(), contextSize: 2048, threads: 1 });
    // Real code: this repository's own engine source, split in the middle.
    const source = await readFile(resolve(__dirname, '../../src/engine/modelEngine.ts'), 'utf8');
    const lines = source.split('\n');
    const middle = Math.floor(lines.length / 2);
    prefix = `${lines.slice(middle - 40, middle).join('\n')}\n`;
    suffix = lines.slice(middle, middle + 20).join('\n');
  });

  after(() => engine.dispose());

  const infill = (middlePrefix: string, extra: Record<string, unknown> = {}) =>
    engine.request(engineMethods.generateInfill, { streamId: newStreamId(), slot: 'completion', prefix, suffix, middlePrefix, maxTokens: 4, ...extra });

  for (const order of ['psm', 'spm'] as const) {
    it(`${order}: a keystroke after the middle token evaluates only what it adds`, async () => {
      const cold = await infill('    const x', { order });
      assert.ok(cold.evaluatedPromptTokens > 300, `cold evaluated ${cold.evaluatedPromptTokens} of ${cold.promptTokens}`);
      const next = await infill('    const xy', { order });
      assert.ok(next.promptTokens >= cold.promptTokens);
      // ≤ 5% of the prompt: the changed word's tokens, nothing before them.
      assert.ok(next.evaluatedPromptTokens <= Math.ceil(next.promptTokens * 0.05), `extension evaluated ${next.evaluatedPromptTokens} of ${next.promptTokens}`);
    });
  }

  it('changing the layout order re-evaluates, and both layouts produce text', async () => {
    const psm = await infill('', { order: 'psm' });
    const spm = await infill('', { order: 'spm' });
    assert.equal(psm.generatedTokens, 4);
    assert.equal(spm.generatedTokens, 4);
    assert.ok(spm.evaluatedPromptTokens > 300, 'a different layout shares little with the last prompt');
  });

  it('warming evaluates the prompt head so the request that follows reuses it', async () => {
    const head = '// other.ts\nexport function helper(value: number): number {\n  return value * 2;\n}\n'.repeat(5);
    const warm = await engine.request(engineMethods.generateWarm, { slot: 'completion', input: { kind: 'infill', head, prefix, suffix, middlePrefix: '', order: 'psm' } });
    assert.equal(warm.cancelled, false);
    assert.ok(warm.evaluatedPromptTokens > 100, `warm evaluated ${warm.evaluatedPromptTokens}`);
    const again = await engine.request(engineMethods.generateWarm, { slot: 'completion', input: { kind: 'infill', head, prefix, suffix, middlePrefix: '', order: 'psm' } });
    assert.equal(again.evaluatedPromptTokens, 0, 'a warm prompt is not evaluated twice');
    const request = await infill('  if', { head });
    assert.ok(request.evaluatedPromptTokens <= 5, `after warming evaluated ${request.evaluatedPromptTokens} of ${request.promptTokens}`);
  });

  it('a warm request cancelled while waiting for the completion sequence answers cancelled, not an error', async () => {
    const busy = infill('  long', { maxTokens: 1500 });
    const source = new CancellationTokenSource();
    const warm = engine.request(
      engineMethods.generateWarm,
      { slot: 'completion', input: { kind: 'infill', prefix, suffix, middlePrefix: '', order: 'psm' } },
      { token: source.token },
    );
    setTimeout(() => source.cancel(), 20);
    const answer = await warm;
    assert.equal(answer.cancelled, true);
    assert.equal(answer.evaluatedPromptTokens, 0);
    assert.ok((await busy).generatedTokens > 0);
  });

  it('a long prompt is trimmed to fit the context, keeping the text nearest the cursor', async () => {
    const huge = `${'let filler = 1;\n'.repeat(3000)}${prefix}`;
    const result = await engine.request(engineMethods.generateInfill, { streamId: newStreamId(), slot: 'completion', prefix: huge, suffix, maxTokens: 4 });
    assert.equal(result.generatedTokens, 4);
    assert.ok(result.promptTokens <= 2048, `prompt ${result.promptTokens}`);
  });

  it('stops within a chunk of the prompt when the prompt budget runs out, generating nothing', async () => {
    const long = `${'const value = compute(input, options);\n'.repeat(150)}${prefix}`;
    const result = await engine.request(engineMethods.generateInfill, { streamId: newStreamId(), slot: 'completion', prefix: long, suffix, maxTokens: 8, promptBudgetMs: 1 });
    assert.equal(result.stopReason, 'timeBudget');
    assert.equal(result.generatedTokens, 0);
    assert.equal(result.text, '');
    const status = await engine.request(engineMethods.modelStatus, {});
    assert.ok(result.promptTokens > 1000, `prompt ${result.promptTokens}`);
    assert.ok(result.evaluatedPromptTokens < result.promptTokens, `evaluated ${result.evaluatedPromptTokens} of ${result.promptTokens}`);
    assert.ok(status.contextTokensUsed < result.promptTokens, 'the prompt was not evaluated to the end');
  });

  it('plain completion shares the same warm-sequence reuse', async () => {
    const first = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), slot: 'completion', prompt: prefix, maxTokens: 2 });
    const second = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), slot: 'completion', prompt: `${prefix}  re`, maxTokens: 2 });
    assert.ok(first.promptTokens > 300);
    assert.ok(second.evaluatedPromptTokens <= 5, `extension evaluated ${second.evaluatedPromptTokens}`);
  });
});
