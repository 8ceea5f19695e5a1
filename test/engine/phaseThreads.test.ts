// The model process switches thread counts between reading a prompt and decoding through
// node-llama-cpp's public thread budget (Llama.maxThreads). This checks, on a real model, that
// the library honours the budget per batch: a context created with {ideal, min: 1} decodes each
// batch with the count held at that moment.
import assert from 'node:assert/strict';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import { PhaseThreads } from '../../src/engine/phaseThreads';
import { findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';

describe('threads switched per phase (stories260K, in-process node-llama-cpp)', function () {
  this.timeout(120_000);
  let llama: Llama;
  let model: LlamaModel;

  before(async () => {
    // node-llama-cpp is ESM-only and the tests run as CJS: imported dynamically.
    const { getLlama } = await import('node-llama-cpp');
    llama = await getLlama({ build: 'never', maxThreads: 2 });
    model = await llama.loadModel({ modelPath: await findTestModel(STORY_TEST_MODEL) });
  });

  after(async () => {
    await model?.dispose();
    await llama?.dispose();
  });

  it('reads the prompt with the prompt count and decodes with the decode count, in one generation', async () => {
    const phases = new PhaseThreads(llama, 2);
    const context = await model.createContext({ contextSize: 512, sequences: 1, threads: { ideal: 2, min: 1 } });
    try {
      const sequence = context.getSequence();
      const hold = phases.hold(context, 2);
      const used: number[] = [];
      const tokens = sequence.evaluate(model.tokenize('Once upon a time, there was a little girl named Lily.'), { temperature: 0 });
      try {
        // The first token comes after the prompt's batch; later ones each after a one-token batch.
        for (let step = 0; step < 6; step += 1) {
          const next = await tokens.next();
          assert.equal(next.done, false);
          used.push(context.currentThreads);
          if (step === 0) hold.set(1);
        }
      } finally {
        await tokens.return();
        hold.release();
      }
      assert.equal(used[0], 2, `the prompt batch: ${used.join(', ')}`);
      assert.deepEqual(used.slice(2), [1, 1, 1, 1], `decoding batches after the switch: ${used.join(', ')}`);
      assert.equal(llama.maxThreads, 2, 'idle again: the whole budget');
    } finally {
      await context.dispose();
    }
  });

  it('lets two contexts decode at once, each on its own thread', async () => {
    const phases = new PhaseThreads(llama, 2);
    const contexts = await Promise.all([0, 1].map(() => model.createContext({ contextSize: 256, sequences: 1, threads: { ideal: 2, min: 1 } })));
    try {
      const holds = contexts.map((context) => phases.hold(context, 1));
      assert.equal(llama.maxThreads, 2);
      const generated = await Promise.all(
        contexts.map(async (context) => {
          const tokens = context.getSequence().evaluate(model.tokenize('The cat sat'), { temperature: 0 });
          let count = 0;
          try {
            while (count < 8 && (await tokens.next()).done !== true) count += 1;
          } finally {
            await tokens.return();
          }
          return { count, threads: context.currentThreads };
        }),
      );
      for (const hold of holds) hold.release();
      assert.deepEqual(
        generated.map((entry) => entry.count),
        [8, 8],
        'neither waits for the other to finish',
      );
      for (const entry of generated) assert.equal(entry.threads, 1);
    } finally {
      await Promise.all(contexts.map((context) => context.dispose()));
    }
  });
});
