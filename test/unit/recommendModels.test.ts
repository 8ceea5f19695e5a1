import assert from 'node:assert/strict';
import {
  DEFAULT_MEMORY_ESTIMATE,
  kvCacheBytes,
  type CatalogFile,
  type CatalogModel,
  type ModelCatalog,
} from '../../src/common/models/modelCatalogSchema';
import {
  assessFit,
  memoryBudget,
  parseParameterCount,
  quantizationRank,
  recommendModels,
  type HardwareProfile,
  type Recommendation,
} from '../../src/common/models/recommendModels';
import { bundledModelCatalog } from '../../src/host/models/modelCatalog';

const GIB = 1024 ** 3;
const SHA = 'a'.repeat(64);

/** A machine with `gb` GiB of RAM, 60% of it free (a typical desktop with a browser and the editor open). */
function machine(gb: number, cpuCores: number, gpu?: { vramGb: number; freeVramGb?: number }): HardwareProfile {
  return {
    totalRamBytes: gb * GIB,
    freeRamBytes: 0.6 * gb * GIB,
    cpuCores,
    ...(gpu === undefined
      ? {}
      : {
          gpu: {
            name: `GPU ${gpu.vramGb} GB`,
            vramBytes: gpu.vramGb * GIB,
            ...(gpu.freeVramGb === undefined ? {} : { freeVramBytes: gpu.freeVramGb * GIB }),
          },
        }),
  };
}

function find(catalog: ModelCatalog, pick: Recommendation): { model: CatalogModel; file: CatalogFile } {
  const model = catalog.models.find((candidate) => candidate.id === pick.modelId);
  const file = model?.files.find((candidate) => candidate.fileName === pick.fileName);
  assert.ok(model !== undefined && file !== undefined, `${pick.modelId}/${pick.fileName} is not in the catalog`);
  return { model, file };
}

const params = (model: CatalogModel) => parseParameterCount(model.parameters) ?? 0;
const tooSlowOnCpu = (model: CatalogModel, hardware: HardwareProfile) => hardware.cpuCores < 8 && params(model) > 2e9;

/**
 * The pick fits, and it is the best of its kind: no larger model of its family and variant had a
 * usable file, and no better quantization of the picked model fitted (where it runs).
 */
function assertFitsAndBest(catalog: ModelCatalog, pick: Recommendation, role: 'completion' | 'chat', hardware: HardwareProfile, contextSize = 4096): void {
  const { model, file } = find(catalog, pick);
  const fit = assessFit(file, model, hardware, contextSize, { memoryEstimate: catalog.memoryEstimate });
  assert.equal(fit.fits, true, `${pick.fileName} does not fit: ${fit.reason}`);
  assert.deepEqual(pick.fits, fit);
  assert.ok(model.roles.includes(role) || model.roles.includes('starter'), `${model.id} has no ${role} role`);
  assert.doesNotMatch(pick.why, /\n/);

  const family = catalog.models.filter(
    (candidate) => candidate.family === model.family && candidate.variant === model.variant && candidate.roles.includes(role),
  );
  for (const larger of family.filter((candidate) => params(candidate) > params(model))) {
    for (const other of larger.files) {
      const otherFit = assessFit(other, larger, hardware, contextSize, { memoryEstimate: catalog.memoryEstimate });
      const allowed = otherFit.fits && !(role === 'completion' && otherFit.where === 'ram' && tooSlowOnCpu(larger, hardware));
      assert.equal(allowed, false, `${other.fileName} (larger) would have fitted, yet ${pick.fileName} was picked`);
    }
  }
  for (const other of model.files.filter((candidate) => quantizationRank(candidate.quantization) > quantizationRank(file.quantization))) {
    const otherFit = assessFit(other, model, hardware, contextSize, { memoryEstimate: catalog.memoryEstimate });
    // A better quantization may fit only in RAM when the pick runs on the GPU: the GPU wins.
    const betterUsable = otherFit.fits && !(fit.where === 'vram' && otherFit.where === 'ram');
    assert.equal(betterUsable, false, `${other.fileName} (better quantization) would have fitted, yet ${pick.fileName} was picked`);
  }
}

describe('recommendModels', () => {
  const catalog = bundledModelCatalog();

  describe('on the bundled catalog', () => {
    const cases: Array<{ gb: number; cores: number; gpu?: { vramGb: number }; completion: [string, string]; chat: [string, string]; where?: 'vram' }> = [
      { gb: 4, cores: 2, completion: ['qwen2.5-coder-0.5b', 'Q8_0'], chat: ['llama-3.2-1b-instruct', 'Q4_K_M'] },
      { gb: 4, cores: 4, completion: ['qwen2.5-coder-0.5b', 'Q8_0'], chat: ['llama-3.2-1b-instruct', 'Q4_K_M'] },
      { gb: 4, cores: 8, completion: ['qwen2.5-coder-0.5b', 'Q8_0'], chat: ['llama-3.2-1b-instruct', 'Q4_K_M'] },
      { gb: 8, cores: 2, completion: ['qwen2.5-coder-1.5b', 'Q8_0'], chat: ['phi-4-mini-instruct', 'Q4_0'] },
      { gb: 8, cores: 4, completion: ['qwen2.5-coder-1.5b', 'Q8_0'], chat: ['phi-4-mini-instruct', 'Q4_0'] },
      { gb: 8, cores: 8, completion: ['qwen2.5-coder-3b', 'Q5_K_M'], chat: ['phi-4-mini-instruct', 'Q4_0'] },
      { gb: 16, cores: 4, completion: ['qwen2.5-coder-1.5b', 'Q8_0'], chat: ['qwen3-4b', 'Q8_0'] },
      { gb: 16, cores: 8, completion: ['qwen2.5-coder-3b', 'Q8_0'], chat: ['qwen3-4b', 'Q8_0'] },
      { gb: 16, cores: 16, completion: ['qwen2.5-coder-3b', 'Q8_0'], chat: ['qwen3-4b', 'Q8_0'] },
      { gb: 32, cores: 2, completion: ['qwen2.5-coder-1.5b', 'Q8_0'], chat: ['qwen3-4b', 'Q8_0'] },
      { gb: 32, cores: 16, completion: ['qwen2.5-coder-3b', 'Q8_0'], chat: ['qwen3-4b', 'Q8_0'] },
      // A GPU lifts the CPU speed cap: the model runs on the GPU.
      { gb: 8, cores: 4, gpu: { vramGb: 6 }, completion: ['qwen2.5-coder-3b', 'Q8_0'], chat: ['qwen3-4b', 'Q8_0'], where: 'vram' },
      { gb: 8, cores: 2, gpu: { vramGb: 12 }, completion: ['qwen2.5-coder-3b', 'Q8_0'], chat: ['qwen3-4b', 'Q8_0'], where: 'vram' },
      { gb: 16, cores: 4, gpu: { vramGb: 12 }, completion: ['qwen2.5-coder-3b', 'Q8_0'], chat: ['qwen3-4b', 'Q8_0'], where: 'vram' },
    ];
    for (const test of cases) {
      const label = `${test.gb} GB, ${test.cores} cores, ${test.gpu === undefined ? 'no GPU' : `${test.gpu.vramGb} GB GPU`}`;
      it(`${label}: ${test.completion.join(' ')} for completion, ${test.chat.join(' ')} for chat`, () => {
        const hardware = machine(test.gb, test.cores, test.gpu);
        const result = recommendModels(hardware, catalog);
        assert.ok(result.completion !== undefined && result.chat !== undefined, result.notes.join('\n'));
        assert.deepEqual([result.completion.modelId, result.completion.quantization], test.completion);
        assert.deepEqual([result.chat.modelId, result.chat.quantization], test.chat);
        assertFitsAndBest(catalog, result.completion, 'completion', hardware);
        assertFitsAndBest(catalog, result.chat, 'chat', hardware);
        assert.equal(result.completion.fits.where, test.where ?? 'ram');
        assert.equal(result.chat.fits.where, test.where ?? 'ram');
        assert.doesNotMatch(result.notes.join('\n'), /starter/i);
      });
    }

    it('picks the fill-in-the-middle base model for completion, and says so', () => {
      const result = recommendModels(machine(16, 4), catalog);
      const { model } = find(catalog, result.completion!);
      assert.equal(model.variant, model.fim?.preferredVariant);
      assert.match(result.completion!.why, /^Qwen2\.5-Coder 1\.5B \(base\) Q8_0: fill-in-the-middle trained, 2\.3 GB of your 10\.3 GB free; /);
    });

    it('says why the 3B is not the completion pick on a slow CPU', () => {
      const result = recommendModels(machine(16, 4), catalog);
      assert.match(result.completion!.why, /the 3B would be too slow for completions as you type on 4 CPU cores without a GPU/);
    });

    it('says when a larger model would leave too little for the editor', () => {
      const result = recommendModels(machine(4, 4), catalog);
      assert.match(result.completion!.why, /the 1\.5B would leave too little for the editor/);
      const mid = recommendModels(machine(8, 8), catalog);
      assert.match(mid.completion!.why, /Q8_0 would leave too little for the editor/);
    });

    it('says "no published checksum" for a file without a sha256, and not for one with', () => {
      const result = recommendModels(machine(16, 4), catalog);
      assert.equal(find(catalog, result.completion!).file.sha256, null);
      assert.match(result.completion!.why, /verified by size and header, no published checksum/);
      const small = recommendModels(machine(4, 4), catalog);
      assert.notEqual(find(catalog, small.chat!).file.sha256, null);
      assert.doesNotMatch(small.chat!.why, /checksum/);
    });

    it('names the GPU when the pick runs there, and RAM then needs only the overhead', () => {
      const result = recommendModels(machine(8, 4, { vramGb: 12 }), catalog);
      assert.match(result.completion!.why, /runs on your GPU \(GPU 12 GB\)/);
      assert.equal(result.completion!.ramBytes, catalog.memoryEstimate.overheadBytes);
    });

    it('a GPU too small for the model changes nothing: the CPU rules apply', () => {
      const withSmallGpu = recommendModels(machine(8, 4, { vramGb: 1 }), catalog);
      const without = recommendModels(machine(8, 4), catalog);
      assert.equal(withSmallGpu.completion?.fileName, without.completion?.fileName);
      assert.equal(withSmallGpu.completion?.fits.where, 'ram');
    });

    it('a 2 GB machine gets the starter model, with a clear note', () => {
      const hardware = machine(2, 2);
      const result = recommendModels(hardware, catalog);
      for (const role of ['completion', 'chat'] as const) {
        const pick = result[role];
        assert.ok(pick !== undefined);
        const { model } = find(catalog, pick);
        assert.ok(model.roles.includes('starter'));
        assert.equal(pick.modelId, 'stories260k', 'the tiny real model, not the random-weights one');
        assert.equal(pick.fits.fits, true);
        assert.match(pick.why, /starter model only/);
        assert.ok(result.notes.some((note) => note.startsWith(`No real ${role} model fits, only a starter model: Hearth can use`)), result.notes.join('\n'));
      }
    });

    it('a 1 GB machine gets nothing, and is told why', () => {
      const result = recommendModels({ totalRamBytes: GIB, freeRamBytes: 0.3 * GIB, cpuCores: 2 }, catalog);
      assert.equal(result.completion, undefined);
      assert.equal(result.chat, undefined);
      assert.match(result.notes.join('\n'), /Nothing fits for completion: Hearth can use .* the smallest completion model \(Qwen2\.5-Coder 0\.5B \(base\)\) needs/);
      assert.match(result.notes.join('\n'), /Nothing fits for chat:/);
    });

    it('fits at a larger context too, choosing smaller files', () => {
      const hardware = machine(8, 8);
      const result = recommendModels(hardware, catalog, { contextSize: 32768 });
      assertFitsAndBest(catalog, result.completion!, 'completion', hardware, 32768);
      assertFitsAndBest(catalog, result.chat!, 'chat', hardware, 32768);
      const atDefault = recommendModels(hardware, catalog);
      assert.ok(result.chat!.fits.needBytes <= atDefault.chat!.fits.budgetBytes);
    });

    it('names licences that are not open source and warns when both picks will not fit together', () => {
      const result = recommendModels(machine(16, 8), catalog);
      assert.ok(result.notes.some((note) => /Qwen Research License/.test(note)));
      assert.ok(result.notes.some((note) => /keep only one loaded at a time/.test(note)));
    });
  });

  describe('on synthetic catalogs', () => {
    it('without a base model, uses the instruct model for completion and says the base would be better', () => {
      const synthetic = catalogOf([model({ id: 'coder-1b', parameters: '1B', roles: ['completion', 'chat'], fim: fim('base') })]);
      const result = recommendModels(machine(8, 4), synthetic);
      assert.equal(result.completion?.modelId, 'coder-1b');
      assert.match(result.completion!.why, /fills in the middle, though the base model does it better/);
    });

    it('prefers a fill-in-the-middle model over a larger one without', () => {
      const synthetic = catalogOf([
        model({ id: 'plain-1b', parameters: '1B', variant: 'base', roles: ['completion'], fim: null }),
        model({ id: 'fim-0.5b', parameters: '0.5B', variant: 'base', roles: ['completion'], fim: fim('base') }),
      ]);
      assert.equal(recommendModels(machine(8, 4), synthetic).completion?.modelId, 'fim-0.5b');
      const noFim = catalogOf([model({ id: 'plain-1b', parameters: '1B', variant: 'base', roles: ['completion'], fim: null })]);
      assert.match(recommendModels(machine(8, 4), noFim).completion!.why, /no fill-in-the-middle, so it only continues the code before the cursor/);
    });

    it('says when the catalog has no model for a role', () => {
      const synthetic = catalogOf([model({ id: 'chat-1b', parameters: '1B', roles: ['chat'] })]);
      const result = recommendModels(machine(8, 4), synthetic);
      assert.equal(result.completion, undefined);
      assert.ok(result.notes.includes('The catalog has no completion model.'));
      assert.equal(result.chat?.modelId, 'chat-1b');
    });

    it('never recommends a starter while a real model fits', () => {
      const synthetic = catalogOf([
        model({ id: 'starter', parameters: '10B', roles: ['starter', 'test'], variant: 'test', files: [testFile('starter.gguf', 1e6)] }),
        model({ id: 'chat-1b', parameters: '1B', roles: ['chat'] }),
      ]);
      assert.equal(recommendModels(machine(8, 4), synthetic).chat?.modelId, 'chat-1b');
    });

    it('prefers a quantization that runs on the GPU over a better one that only fits in RAM', () => {
      const synthetic = catalogOf([
        model({
          id: 'chat-7b',
          parameters: '7B',
          roles: ['chat'],
          files: [testFile('big-q8_0.gguf', 7e9, 'Q8_0'), testFile('big-q4_k_m.gguf', 4e9, 'Q4_K_M')],
        }),
      ]);
      const result = recommendModels(machine(32, 8, { vramGb: 6 }), synthetic);
      assert.equal(result.chat?.quantization, 'Q4_K_M');
      assert.equal(result.chat?.fits.where, 'vram');
      const cpuOnly = recommendModels(machine(32, 8), synthetic);
      assert.equal(cpuOnly.chat?.quantization, 'Q8_0');
    });

    it('keeps the catalog order between models of the same size, and prefers instruct models for chat', () => {
      const synthetic = catalogOf([
        model({ id: 'unknown-3b', parameters: '3B', variant: 'unknown', roles: ['chat'] }),
        model({ id: 'first-1b', parameters: '1B', roles: ['chat'], files: [testFile('first.gguf', 5e8)] }),
        model({ id: 'second-1b', parameters: '1B', roles: ['chat'], files: [testFile('second.gguf', 5e8)] }),
      ]);
      assert.equal(recommendModels(machine(16, 8), synthetic).chat?.modelId, 'first-1b');
    });

    it('names the gated note of a picked model', () => {
      const synthetic = catalogOf([model({ id: 'gated-1b', parameters: '1B', roles: ['chat'], gated: true, gatedNote: 'Accept the terms on Hugging Face and set a token.' })]);
      assert.ok(recommendModels(machine(8, 4), synthetic).notes.includes('Gated-1b: Accept the terms on Hugging Face and set a token.'));
    });
  });
});

describe('memoryBudget', () => {
  it('keeps 1.5 GiB (or a quarter of free RAM) for the editor, within 60% of all RAM', () => {
    assert.equal(memoryBudget(machine(8, 4)).ramBytes, 4.8 * GIB - 1.5 * GIB);
    assert.equal(memoryBudget(machine(16, 4)).ramBytes, 9.6 * GIB - 2.4 * GIB);
    // Much free RAM, but never more than 60% of it all.
    assert.equal(memoryBudget({ totalRamBytes: 16 * GIB, freeRamBytes: 15 * GIB, cpuCores: 4 }).ramBytes, 0.6 * 16 * GIB - 3.75 * GIB);
  });

  it('shrinks the editor reserve on small machines, and is never negative', () => {
    assert.equal(memoryBudget(machine(4, 4)).ramBytes, 2.4 * GIB - 1 * GIB);
    assert.equal(memoryBudget({ totalRamBytes: 4 * GIB, freeRamBytes: 0.1 * GIB, cpuCores: 4 }).ramBytes, 0);
  });

  it('uses free VRAM when the driver reports it, less a reserve for the display', () => {
    assert.equal(memoryBudget(machine(8, 4, { vramGb: 12 })).vramBytes, 12 * GIB - 1.2 * GIB);
    assert.equal(memoryBudget(machine(8, 4, { vramGb: 12, freeVramGb: 4 })).vramBytes, 4 * GIB - 1.2 * GIB);
    assert.equal(memoryBudget(machine(8, 4, { vramGb: 2 })).vramBytes, 1.5 * GIB);
    assert.equal(memoryBudget(machine(8, 4)).vramBytes, undefined);
  });
});

describe('assessFit', () => {
  const arch = { layers: 10, kvHeads: 2, headDim: 64 };
  const overhead = DEFAULT_MEMORY_ESTIMATE.overheadBytes;

  it('scales the KV cache with the context, from the architecture', () => {
    const subject = model({ architecture: arch, contextLength: 32768 });
    const file = subject.files[0];
    const at4k = assessFit(file, subject, machine(16, 4), 4096);
    const at8k = assessFit(file, subject, machine(16, 4), 8192);
    assert.equal(at4k.needBytes, file.sizeBytes + kvCacheBytes(arch, 4096) + overhead);
    assert.equal(at8k.needBytes - at4k.needBytes, kvCacheBytes(arch, 4096));
  });

  it('caps the context at what the model was trained for', () => {
    const subject = model({ architecture: arch, contextLength: 2048 });
    assert.equal(assessFit(subject.files[0], subject, machine(16, 4), 8192).needBytes, subject.files[0].sizeBytes + kvCacheBytes(arch, 2048) + overhead);
  });

  it('without an architecture, scales the KV part of the catalog RAM figure', () => {
    const kvAt4k = 100e6;
    const file = { ...testFile('x.gguf', 1e9), ramBytes: 1e9 + kvAt4k + overhead };
    const subject = model({ architecture: null, files: [file] });
    assert.equal(assessFit(file, subject, machine(16, 4), 4096).needBytes, file.ramBytes);
    assert.equal(assessFit(file, subject, machine(16, 4), 16384).needBytes, 1e9 + 4 * kvAt4k + overhead);
  });

  it('without either, assumes a large KV cache rather than none', () => {
    const file = { ...testFile('x.gguf', 1e9), ramBytes: null, unverified: ['ramBytes' as const] };
    const subject = model({ architecture: null, files: [file] });
    assert.ok(assessFit(file, subject, machine(16, 4), 4096).needBytes > 1e9 + overhead);
  });

  it('says in plain words whether and where the file fits', () => {
    const subject = model({ files: [testFile('mid.gguf', 3e9)] });
    const small = assessFit(subject.files[0], subject, machine(4, 4), 4096);
    assert.equal(small.fits, false);
    assert.equal(small.where, 'ram');
    assert.match(small.reason, /^Needs 3\.\d+ GB, more than the 1\.5 GB Hearth can use \(2\.58 GB free, 1\.07 GB kept for the editor and other programs\)\.$/);
    const big = assessFit(subject.files[0], subject, machine(16, 4), 4096);
    assert.equal(big.fits, true);
    assert.match(big.reason, /^Needs 3\.\d+ GB of the 7\.73 GB Hearth can use/);
    const gpu = assessFit(subject.files[0], subject, machine(4, 4, { vramGb: 6 }), 4096);
    assert.equal(gpu.where, 'vram');
    assert.match(gpu.reason, /^Runs on the GPU \(GPU 6 GB\): needs 3\.\d+ GB of the 5\.8 GB of GPU memory Hearth can use\.$/);
    const tooBigForGpu = assessFit(subject.files[0], subject, machine(16, 4, { vramGb: 2 }), 4096);
    assert.equal(tooBigForGpu.where, 'ram');
    assert.match(tooBigForGpu.reason, /It is too large for the GPU \(1\.61 GB usable\)\.$/);
  });
});

describe('quantizationRank and parseParameterCount', () => {
  it('orders quantizations Q8_0 > Q6_K > Q5_K_M > Q4_K_M > Q4_0 > Q3_K_M > unknown', () => {
    const order = ['Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q4_0', 'Q3_K_M', 'WEIRD'];
    const ranks = order.map(quantizationRank);
    assert.deepEqual([...ranks].sort((a, b) => b - a), ranks);
    assert.equal(quantizationRank('WEIRD'), 0);
  });

  it('reads parameter counts as published', () => {
    assert.equal(parseParameterCount('1.5B'), 1.5e9);
    assert.equal(parseParameterCount('260K'), 260e3);
    assert.equal(parseParameterCount('tiny'), undefined);
  });
});

// --- synthetic catalog builders ---------------------------------------------------------------

function fim(preferredVariant: 'base' | 'instruct'): NonNullable<CatalogModel['fim']> {
  return { prefix: '<p>', suffix: '<s>', middle: '<m>', order: 'psm', trainedOrders: ['psm'], preferredVariant };
}

function testFile(fileName: string, sizeBytes: number, quantization = 'Q4_K_M'): CatalogFile {
  return {
    quantization,
    fileName,
    url: `https://example.com/${fileName}`,
    sizeBytes,
    sha256: SHA,
    ramBytes: null,
    quality: 'test',
    unverified: ['ramBytes'],
    provenance: 'made up for a test',
  };
}

function model(overrides: Partial<CatalogModel> = {}): CatalogModel {
  const id = overrides.id ?? 'model';
  return {
    id,
    name: id.charAt(0).toUpperCase() + id.slice(1),
    family: id,
    parameters: '1B',
    variant: 'instruct',
    description: 'test model',
    source: { repository: 'someone/model-GGUF', quantizedBy: 'someone' },
    license: { id: 'MIT', name: 'MIT License', url: null },
    gated: false,
    chatTemplate: 'chatml',
    contextLength: 32768,
    roles: ['chat'],
    fim: null,
    architecture: { layers: 16, kvHeads: 2, headDim: 64 },
    files: [testFile(`${id}.gguf`, 8e8)],
    unverified: [],
    provenance: 'made up for a test',
    ...overrides,
  };
}

function catalogOf(models: CatalogModel[]): ModelCatalog {
  return { version: 2, memoryEstimate: { ...DEFAULT_MEMORY_ESTIMATE }, models };
}
