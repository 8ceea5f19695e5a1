// A model whose weights cannot fit in memory, through the real model process (dist/engine.mjs): the
// sparse fixture (see makeOversizedModel.ts) has a header that describes ~1 TiB of weights and an
// apparent size to match, so it passes the truncation check and must be refused by the memory check
// before llama.cpp maps anything, leaving the process able to load and run a model that fits.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { oversizedTestModel, type MakeOversizedModelResult } from '../fixtures/makeOversizedModel';
import { findTestModel } from '../fixtures/testModels';
import { expectEngineError } from '../support/expectEngineError';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');


const UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** The amount in "needs about 1.0 TB of memory", in bytes, and the precision it was written with. */
function neededBytes(message: string): { bytes: number; precision: number } {
  const match = /needs about ([\d.]+) (B|KB|MB|GB|TB) of memory/.exec(message);
  assert.ok(match, `the message says how much memory the model needs: ${message}`);
  const unit = UNITS[match[2]!]!;
  return { bytes: Number(match[1]) * unit, precision: 0.05 * unit };
}

describe('a model too large for memory (real model process)', function () {
  this.timeout(60_000);
  let oversized: MakeOversizedModelResult;
  let modelPath: string;
  let engine: EngineConnection | undefined;

  before(async () => {
    oversized = await oversizedTestModel(undefined, { log: () => undefined });
    modelPath = await findTestModel();
    engine = EngineConnection.start(ENGINE);
  });

  after(async () => {
    engine?.dispose();
    // A 1 TB sparse file is a trap for anything that copies the tree without sparse support.
    await rm(oversized.output, { force: true });
  });

  it('is a sparse file whose header describes far more weights than this machine has memory', () => {
    assert.ok(oversized.modelSizeBytes > 4 * totalmem(), `weights ${oversized.modelSizeBytes} bytes, RAM ${totalmem()}`);
    assert.ok(oversized.apparentBytes >= oversized.infoEndOffset + oversized.modelSizeBytes, 'long enough to pass the truncation check');
    assert.ok(oversized.diskBytes < 16 * 1024 * 1024, `${oversized.diskBytes} bytes on disk`);
  });

  it('refuses to load it with modelTooLarge, naming the file and the memory it needs', async () => {
    const error = await expectEngineError(engine!.request(engineMethods.modelLoad, { path: oversized.output, threads: 1 }), 'modelTooLarge');
    assert.equal(error.path, oversized.output);
    assert.ok(error.message.includes(oversized.output), error.message);
    const needed = neededBytes(error.message);
    assert.ok(Math.abs(needed.bytes - oversized.modelSizeBytes) <= needed.precision, `${error.message} (weights ${oversized.modelSizeBytes} bytes)`);
    const status = await engine!.request(engineMethods.modelStatus, {});
    assert.notEqual(status.state, 'ready');
  });

  it('still loads a model that fits and generates with it afterwards', async () => {
    const info = await engine!.request(engineMethods.modelLoad, { path: modelPath, contextSize: 1024, threads: 1 });
    assert.equal(info.path, modelPath);
    const result = await engine!.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'After the refusal', maxTokens: 3 });
    assert.equal(result.generatedTokens, 3);
  });

  it('refuses it again while a model is loaded, and keeps serving that model', async () => {
    await expectEngineError(engine!.request(engineMethods.modelLoad, { path: oversized.output, threads: 1 }), 'modelTooLarge');
    const status = await engine!.request(engineMethods.modelStatus, {});
    assert.equal(status.state, 'ready');
    assert.equal(status.model?.path, modelPath);
    const result = await engine!.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Still here', maxTokens: 3 });
    assert.equal(result.generatedTokens, 3);
  });
});
