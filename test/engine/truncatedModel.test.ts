// A real model file (stories260K) cut at many points, through the real model process: wherever
// the cut falls (in the magic, the header, the metadata, the tensor table, the padding before the
// data or the data itself) the load fails with the one "truncated, download it again" message
// rather than whatever a zero-filled parse happens to trip over, and the process keeps serving.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { engineMethods } from '../../src/common/protocol/engineProtocol';
import { EngineConnection, newStreamId } from '../../src/host/engine/engineConnection';
import { findTestModel, STORY_TEST_MODEL } from '../fixtures/testModels';
import { expectEngineError } from '../support/expectEngineError';

const ENGINE = resolve(__dirname, '../../dist/engine.mjs');

interface Cut {
  readonly bytes: number;
  /** Where the cut falls, as the message names it; undefined where it names the sizes instead. */
  readonly section: 'header' | 'metadata' | 'tensor table' | undefined;
  readonly label: string;
}

describe('truncated model files (stories260K cut at many offsets)', function () {
  this.timeout(60_000);
  let modelPath: string;
  let scratch: string;
  let engine: EngineConnection;
  let cuts: Cut[];

  before(async () => {
    modelPath = await findTestModel(STORY_TEST_MODEL);
    scratch = await mkdtemp(join(tmpdir(), 'hearth-truncated-'));
    engine = EngineConnection.start(ENGINE);
    // The section boundaries of this file, as node-llama-cpp reads the whole (untruncated) file.
    // (node-llama-cpp is ESM-only and tests run as CJS under tsx: imported dynamically.)
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const info = await readGgufFileInfo(modelPath, { sourceType: 'filesystem', logWarnings: false, spliceSplitFiles: false });
    const size = (await stat(modelPath)).size;
    const metadataEnd = info.metadataSize;
    const tensorTableEnd = metadataEnd + (info.tensorInfoSize ?? 0);
    const dataStart = info.infoEndOffset ?? 0;
    assert.ok(64 < metadataEnd && metadataEnd < tensorTableEnd && tensorTableEnd <= dataStart && dataStart < size, `layout ${metadataEnd}/${tensorTableEnd}/${dataStart}/${size}`);
    cuts = [
      { bytes: 0, section: 'header', label: 'empty' },
      { bytes: 2, section: 'header', label: 'inside the magic' },
      { bytes: 4, section: 'header', label: 'right after the magic' },
      { bytes: 10, section: 'header', label: 'inside the tensor count' },
      { bytes: 24, section: 'metadata', label: 'right after the header' },
      { bytes: 64, section: 'metadata', label: 'after 64 bytes' },
      { bytes: Math.floor(metadataEnd / 2), section: 'metadata', label: 'half-way through the metadata' },
      { bytes: metadataEnd - 1, section: 'metadata', label: 'one byte short of the metadata' },
      { bytes: metadataEnd, section: 'tensor table', label: 'right after the metadata' },
      { bytes: Math.floor((metadataEnd + tensorTableEnd) / 2), section: 'tensor table', label: 'half-way through the tensor table' },
      { bytes: tensorTableEnd - 1, section: 'tensor table', label: 'one byte short of the tensor table' },
      { bytes: dataStart, section: undefined, label: 'where the data starts' },
      { bytes: dataStart + 1, section: undefined, label: 'one byte into the data' },
      { bytes: Math.floor((dataStart + size) / 2), section: undefined, label: 'half-way through the data' },
      { bytes: size - 1, section: undefined, label: 'one byte short of the end' },
    ];
    if (tensorTableEnd < dataStart) cuts.push({ bytes: tensorTableEnd, section: undefined, label: 'in the padding before the data' });
  });

  after(async () => {
    engine?.dispose();
    await rm(scratch, { recursive: true, force: true });
  });

  it('says "truncated, download it again" at every cut, naming where it fell', async () => {
    await engine.request(engineMethods.modelLoad, { path: modelPath, contextSize: 512, threads: 1 });
    for (const cut of cuts) {
      const path = join(scratch, `cut-${cut.bytes}.gguf`);
      await copyFile(modelPath, path);
      await truncate(path, cut.bytes);
      const error = await expectEngineError(engine.request(engineMethods.modelLoad, { path, contextSize: 512, threads: 1 }), 'corruptModel');
      const what = `cut at ${cut.bytes} B (${cut.label}): ${error.message}`;
      assert.match(error.message, /^The model file is truncated: /, what);
      assert.match(error.message, /Download it again: /, what);
      assert.ok(error.message.endsWith(path), what);
      assert.equal(error.path, path, what);
      if (cut.section !== undefined) assert.ok(error.message.includes(`inside its ${cut.section}`), what);
      else assert.match(error.message, /the header describes/, what);
    }
  });

  it('still serves the model it had, and loads the whole file', async () => {
    const result = await engine.request(engineMethods.generateComplete, { streamId: newStreamId(), prompt: 'Once upon a time', maxTokens: 4, temperature: 0 });
    assert.ok(result.generatedTokens > 0);
    const whole = join(scratch, 'whole.gguf');
    await copyFile(modelPath, whole);
    const info = await engine.request(engineMethods.modelLoad, { path: whole, contextSize: 512, threads: 1 });
    assert.equal(info.path, whole);
  });
});
