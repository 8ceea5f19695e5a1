// system/hardware and model/estimate in the real model process: the machine as node-llama-cpp sees
// it, and node-llama-cpp's own memory estimates from real GGUF headers (nothing loaded), checked
// against the headers, the file sizes and each other; bad files get the load's error kinds, and a
// loaded model keeps serving while estimates run.
import assert from 'node:assert/strict';
import { sequenceCount } from '../../src/engine/contextLayout';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { engineMethods, type ModelEstimate } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { BENCH_MODEL_FILE_NAME } from '../fixtures/makeBenchModel';
import { FIM_MODEL_FILE_NAME } from '../fixtures/makeFimModel';
import { oversizedTestModel } from '../fixtures/makeOversizedModel';
import { DEFAULT_TEST_MODEL, findRepoRoot, findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';
import { expectEngineError } from '../support/expectEngineError';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');
/** Sequences model/load creates for a model that serves both roles (contextLayout.ts); the estimate must count them all. */
const SEQUENCES = sequenceCount('both');

interface Subject {
  readonly label: string;
  readonly path: string;
  readonly trainContextSize: number;
}

describe('system/hardware and model/estimate (real GGUF headers, nothing loaded)', function () {
  this.timeout(120_000);
  let engine: EngineConnection;
  let scratch: string;
  let subjects: Subject[];
  const estimate = (path: string, contextSize?: number) =>
    engine.request(engineMethods.modelEstimate, { path, ...(contextSize === undefined ? {} : { contextSize }) });

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'hearth-estimate-'));
    subjects = [
      { label: 'stories260K', path: await findTestModel(STORY_TEST_MODEL, { env: {} }), trainContextSize: 2048 },
      { label: 'llama-2-tiny-random', path: await findTestModel(DEFAULT_TEST_MODEL, { env: {} }), trainContextSize: 4096 },
    ];
    // The generated models only where a previous run made them (the bench model is ~410 MB to make).
    const generated = join(findRepoRoot(), 'test', 'fixtures', 'generated');
    if (existsSync(join(generated, FIM_MODEL_FILE_NAME))) subjects.push({ label: 'FIM (from tiny)', path: join(generated, FIM_MODEL_FILE_NAME), trainContextSize: 4096 });
    if (existsSync(join(generated, BENCH_MODEL_FILE_NAME))) subjects.push({ label: 'bench (Qwen 0.5B shape)', path: join(generated, BENCH_MODEL_FILE_NAME), trainContextSize: 32_768 });
    engine = EngineConnection.start(ENGINE);
  });

  after(async () => {
    engine?.dispose();
    await rm(scratch, { recursive: true, force: true });
  });

  it('system/hardware: sane RAM and cores, and a GPU exactly when node-llama-cpp has one', async () => {
    const hardware = await engine.request(engineMethods.systemHardware, {});
    console.log(`      system/hardware: ${JSON.stringify(hardware)}`);
    assert.ok(hardware.totalRamBytes > 0);
    assert.ok(hardware.freeRamBytes <= hardware.totalRamBytes);
    // node-llama-cpp's figure may count cgroup limits differently from Node, not by more than 2×.
    assert.ok(hardware.totalRamBytes <= totalmem() * 2 && hardware.totalRamBytes >= totalmem() / 2, `${hardware.totalRamBytes} vs ${totalmem()}`);
    assert.ok(hardware.cpuCores >= 1 && hardware.cpuCores <= availableParallelism());
    // The same question asked of node-llama-cpp here, with the engine's build choice.
    const { getLlama } = await import('node-llama-cpp');
    const llama = await getLlama({ build: 'never' });
    try {
      if (llama.gpu === false) {
        assert.equal(hardware.gpu, undefined, 'no GPU reported when node-llama-cpp runs on the CPU');
      } else {
        assert.ok(hardware.gpu !== undefined, `node-llama-cpp uses ${llama.gpu}, the result must say so`);
        assert.equal(hardware.gpu.type, llama.gpu);
        assert.ok(Array.isArray(hardware.gpu.names));
        assert.ok(hardware.gpu.vramBytes > 0 && hardware.gpu.freeVramBytes <= hardware.gpu.vramBytes);
      }
    } finally {
      await llama.dispose();
    }
  });

  it('model/estimate: positive figures, the header\'s train context, model memory near the file size', async () => {
    for (const subject of subjects) {
      const size = (await stat(subject.path)).size;
      for (const contextSize of [2048, 8192]) {
        const result = await estimate(subject.path, contextSize);
        const what = `${subject.label} at ${contextSize}: ${JSON.stringify(result)}`;
        console.log(`      ${what}`);
        assert.equal(result.trainContextSize, subject.trainContextSize, what);
        assert.equal(result.contextSize, Math.min(contextSize, subject.trainContextSize), what);
        assert.equal(result.sequences, SEQUENCES, what);
        assert.equal(result.architecture, 'llama', what);
        assert.ok(result.modelRamBytes + result.modelVramBytes > 0, what);
        assert.ok(result.contextRamBytes + result.contextVramBytes > 0, what);
        assert.equal(result.totalRamBytes, result.modelRamBytes + result.contextRamBytes, what);
        assert.equal(result.totalVramBytes, result.modelVramBytes + result.contextVramBytes, what);
        if (result.gpuLayers === 0) assert.equal(result.totalVramBytes, 0, what);
        // Weights are most of a GGUF file; the rest is its header (vocabulary and the like).
        const model = result.modelRamBytes + result.modelVramBytes;
        assert.ok(model >= size * 0.25 && model <= size * 2, `${what}; file ${size} bytes`);
        assert.ok(result.reason.length > 0, what);
      }
    }
  });

  it('model/estimate: context memory grows with the context size, up to the train context', async () => {
    const contextBytes = (result: ModelEstimate) => result.contextRamBytes + result.contextVramBytes;
    for (const subject of subjects) {
      const small = await estimate(subject.path, 512);
      const atTrain = await estimate(subject.path, subject.trainContextSize);
      assert.ok(contextBytes(atTrain) > contextBytes(small), `${subject.label}: ${contextBytes(atTrain)} at ${subject.trainContextSize} vs ${contextBytes(small)} at 512`);
      const a = await estimate(subject.path, 2048);
      const b = await estimate(subject.path, 8192);
      if (subject.trainContextSize > 2048) {
        assert.ok(contextBytes(b) > contextBytes(a), `${subject.label}: ${contextBytes(b)} at 8192 vs ${contextBytes(a)} at 2048`);
      } else {
        // model/load caps the context at the train context, so beyond it nothing more is allocated.
        assert.equal(contextBytes(b), contextBytes(a), `${subject.label}: capped at ${subject.trainContextSize}`);
        assert.match(b.reason, /capped at the 2048 it was trained on/);
      }
      // The model's own share does not depend on the context.
      assert.equal(a.modelRamBytes + a.modelVramBytes, b.modelRamBytes + b.modelVramBytes, subject.label);
    }
  });

  it('model/estimate: a truncated, a missing and a non-GGUF file get the load\'s error kinds', async () => {
    const source = subjects[0].path;
    const cut = join(scratch, 'cut.gguf');
    await copyFile(source, cut);
    await truncate(cut, Math.floor((await stat(source)).size / 2));
    const truncated = await expectEngineError(estimate(cut, 2048), 'corruptModel');
    assert.match(truncated.message, /^The model file is truncated: /);
    assert.equal(truncated.path, cut);
    const header = join(scratch, 'header-cut.gguf');
    await copyFile(source, header);
    await truncate(header, 64);
    assert.match((await expectEngineError(estimate(header, 2048), 'corruptModel')).message, /truncated.*inside its metadata/);
    await expectEngineError(estimate(join(scratch, 'missing.gguf'), 2048), 'modelNotFound');
    const text = join(scratch, 'text.gguf');
    await writeFile(text, 'not a model at all, just some text');
    await expectEngineError(estimate(text, 2048), 'notGguf');
  });

  it('model/estimate: a model too large for this machine is "does not fit", not a refusal', async () => {
    // A sparse file whose header describes far more weights than there is RAM (model/load refuses it).
    const oversized = await oversizedTestModel(join(scratch, 'oversized.gguf'), { log: () => undefined });
    try {
      const result = await estimate(oversized.output, 2048);
      assert.equal(result.fits, false, JSON.stringify(result));
      assert.ok(result.modelRamBytes + result.modelVramBytes >= oversized.modelSizeBytes * 0.9, JSON.stringify(result));
      assert.match(result.reason, /more than the .* Hearth can use/);
    } finally {
      await rm(oversized.output, { force: true });
    }
  });

  it('does not disturb a loaded model: completions before, during and after estimates', async () => {
    const story = subjects[0].path;
    const info = await engine.request(engineMethods.modelLoad, { path: story, contextSize: 512, threads: 1 });
    const complete = () => engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Once upon a time', maxTokens: 16, temperature: 0 });
    const before = await complete();
    assert.ok(before.generatedTokens > 0);
    // Estimates of every subject (the loaded file too) while a completion runs.
    const [during, ...estimates] = await Promise.all([complete(), ...subjects.map((subject) => estimate(subject.path, 4096)), engine.request(engineMethods.systemHardware, {})]);
    assert.equal(estimates.length, subjects.length + 1);
    assert.equal(during.text, before.text, 'same prompt, temperature 0: the same text');
    const after = await complete();
    assert.equal(after.text, before.text);
    const status = await engine.request(engineMethods.modelStatus, {});
    assert.equal(status.state, 'ready');
    assert.equal(status.model?.path, info.path);
    assert.equal(status.model?.contextSize, info.contextSize);
  });
});
