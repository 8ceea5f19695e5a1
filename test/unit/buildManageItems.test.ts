import assert from 'node:assert/strict';
import {
  MANAGE_SECTIONS,
  buildManageItems,
  deleteConfirmation,
  downloadConfirmation,
  fitWords,
  primaryAction,
  type ManageFileItem,
  type ManageItem,
} from '../../src/common/models/buildManageItems';
import { DEFAULT_MEMORY_ESTIMATE, type CatalogModel, type ModelCatalog } from '../../src/common/models/modelCatalogSchema';
import { recommendModels, type HardwareProfile } from '../../src/common/models/recommendModels';
import { bundledModelCatalog } from '../../src/host/models/modelCatalog';

const GIB = 1024 ** 3;
const laptop: HardwareProfile = { totalRamBytes: 8 * GIB, freeRamBytes: 4.8 * GIB, cpuCores: 4 };

const files = (items: ManageItem[]) => items.filter((item): item is ManageFileItem => item.kind === 'file');
const section = (items: ManageItem[], name: ManageFileItem['section']) => files(items).filter((item) => item.section === name);
const byFile = (items: ManageItem[], fileName: string) => {
  const found = files(items).find((item) => item.fileName === fileName);
  assert.ok(found !== undefined, `${fileName} is not listed`);
  return found;
};

describe('buildManageItems', () => {
  const catalog = bundledModelCatalog();
  const installed = [
    { path: '/models/mine.gguf', sizeBytes: 2e9 },
    { path: '/models/Qwen_Qwen3-1.7B-Q8_0.gguf', sizeBytes: 2165039520 },
    { path: '/models/Qwen2.5-Coder-0.5B-Q8_0.gguf', sizeBytes: 531000000 },
  ];
  const items = buildManageItems({ catalog, hardware: laptop, installed, inUse: { completion: '/models/Qwen2.5-Coder-0.5B-Q8_0.gguf' } });

  it('orders the sections Installed, Recommended for this machine, Available, with the two commands under Installed', () => {
    const outline = items.filter((item) => item.kind === 'separator' || item.kind === 'command').map((item) => item.label);
    assert.deepEqual(outline, [
      MANAGE_SECTIONS.installed,
      '$(add) Import a GGUF File…',
      '$(folder-opened) Reveal the Models Folder',
      MANAGE_SECTIONS.recommended,
      MANAGE_SECTIONS.available,
    ]);
    const kinds = items.map((item) => (item.kind === 'file' ? item.section : item.kind));
    assert.equal(kinds.indexOf('command'), 1 + installed.length, 'commands follow the installed files');
    assert.ok(kinds.lastIndexOf('installed') < kinds.indexOf('recommended'));
    assert.ok(kinds.lastIndexOf('recommended') < kinds.indexOf('available'));
  });

  it('lists every installed file once, and every catalog file that is not installed once', () => {
    assert.equal(section(items, 'installed').length, installed.length);
    const catalogFiles = catalog.models.flatMap((model) => model.files.map((file) => file.fileName));
    const listed = files(items).filter((item) => item.section !== 'installed').map((item) => item.fileName);
    assert.deepEqual([...listed].sort(), catalogFiles.filter((name) => !installed.some((entry) => entry.path.endsWith(`/${name}`))).sort());
  });

  it('recommends what recommendModels picks, completion first, with its why as the detail', () => {
    const picks = recommendModels(laptop, catalog);
    const recommended = section(items, 'recommended');
    assert.deepEqual(
      recommended.map((item) => item.fileName),
      [picks.completion!.fileName, picks.chat!.fileName],
    );
    assert.equal(recommended[0].label, '$(star-full) Qwen2.5-Coder 1.5B (base) Q8_0');
    assert.match(recommended[0].description, /^recommended for completion · 1\.65 GB · fits: 2\.3 GB of 5\.15 GB free$/);
    assert.ok(recommended[0].detail.startsWith(picks.completion!.why));
    assert.equal(recommended[0].detail.match(/no published checksum/g)?.length, 1, 'said once');
    assert.deepEqual(recommended[0].actions, ['download']);
    // The recommender's notes follow the picks, as advice.
    const notes = items.filter((item) => item.kind === 'note').map((item) => item.label);
    assert.deepEqual(notes, picks.notes.map((note) => `$(info) ${note}`));
  });

  it('describes a catalog file by size, fit in plain words, role, licence and checksum', () => {
    const base = byFile(items, 'Qwen2.5-Coder-3B-Q4_K_M.gguf');
    assert.equal(base.label, '$(cloud-download) Qwen2.5-Coder 3B (base) Q4_K_M');
    assert.equal(base.description, '1.93 GB · fits: 2.62 GB of 5.15 GB free');
    assert.equal(base.detail, 'for code completion (fill-in-the-middle) · Qwen Research License (read its terms before commercial use) · no published checksum');
    const tooLarge = byFile(items, 'Qwen_Qwen3-4B-Q8_0.gguf');
    assert.equal(tooLarge.description, '4.28 GB · too large for this machine');
    const pinned = byFile(items, 'Llama-3.2-1B-Instruct-Q4_K_M.gguf');
    assert.equal(pinned.detail, 'for chat, writing · Llama 3.2 Community License');
    const starter = byFile(items, 'stories260K.gguf');
    assert.match(starter.detail, /^starter model: shows how Hearth works, no real help/);
  });

  it('sorts Available: what fits first, starter models after real ones, then catalog order, best quantization first', () => {
    const available = section(items, 'available');
    const firstTooLarge = available.findIndex((item) => item.fit?.fits !== true);
    assert.ok(firstTooLarge > 0);
    assert.ok(available.slice(firstTooLarge).every((item) => item.fit?.fits === false));
    const fitting = available.slice(0, firstTooLarge).map((item) => item.fileName);
    assert.deepEqual(fitting.slice(0, 3), [
      'qwen2.5-coder-0.5b-instruct-q8_0.gguf',
      'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf',
      'qwen2.5-coder-0.5b-instruct-q3_k_m.gguf',
    ]);
    assert.deepEqual(fitting.slice(-2), ['llama-2-tiny-random.gguf', 'stories260K.gguf']);
  });

  it('offers download on catalog files, and use/reveal/delete on installed ones, by role', () => {
    for (const item of files(items).filter((candidate) => candidate.section !== 'installed')) assert.deepEqual(item.actions, ['download']);
    // Chat model: no completion button.
    assert.deepEqual(byFile(items, 'Qwen_Qwen3-1.7B-Q8_0.gguf').actions, ['useForChat', 'reveal', 'delete']);
    // An unknown file could be either.
    assert.deepEqual(byFile(items, 'mine.gguf').actions, ['useForCompletion', 'useForChat', 'reveal', 'delete']);
    // Already used for completion, and the base model has no chat role.
    assert.deepEqual(byFile(items, 'Qwen2.5-Coder-0.5B-Q8_0.gguf').actions, ['reveal', 'delete']);
  });

  it('describes installed files: catalog name, size, use, fit; the path as detail; unknown files by name', () => {
    const inUse = byFile(items, 'Qwen2.5-Coder-0.5B-Q8_0.gguf');
    assert.equal(inUse.label, '$(check) Qwen2.5-Coder 0.5B (base) Q8_0');
    assert.equal(inUse.description, '531 MB · in use for completion · fits: 1.12 GB of 5.15 GB free');
    assert.equal(inUse.detail, '/models/Qwen2.5-Coder-0.5B-Q8_0.gguf');
    assert.deepEqual(inUse.inUseFor, ['completion']);
    const unknown = byFile(items, 'mine.gguf');
    assert.equal(unknown.label, '$(check) mine.gguf');
    assert.equal(unknown.description, '2 GB · not in the catalog');
    assert.equal(unknown.fit, undefined);
  });

  it('sorts Installed: recommended first, then in use, then by name; a recommended file installed leaves the Recommended section', () => {
    const picks = recommendModels(laptop, catalog);
    const withPick = buildManageItems({
      catalog,
      hardware: laptop,
      installed: [...installed, { path: `C:\\models\\${picks.chat!.fileName}`, sizeBytes: 1 }],
      inUse: { completion: '/models/Qwen2.5-Coder-0.5B-Q8_0.gguf' },
    });
    assert.deepEqual(
      section(withPick, 'installed').map((item) => item.fileName),
      [picks.chat!.fileName, 'Qwen2.5-Coder-0.5B-Q8_0.gguf', 'mine.gguf', 'Qwen_Qwen3-1.7B-Q8_0.gguf'],
    );
    assert.match(section(withPick, 'installed')[0].description, /recommended for chat/);
    assert.deepEqual(section(withPick, 'recommended').map((item) => item.fileName), [picks.completion!.fileName]);
  });

  it('uses the recorded catalog id of an installed file', () => {
    const result = buildManageItems({ catalog, hardware: laptop, installed: [{ path: '/m/stories260K.gguf', sizeBytes: 1185376, catalogModelId: 'stories260k' }] });
    const item = byFile(result, 'stories260K.gguf');
    assert.equal(item.modelId, 'stories260k');
    assert.deepEqual(item.actions, ['useForChat', 'reveal', 'delete']);
  });

  it('says so when a GPU holds the model, and when the recommender finds nothing', () => {
    const gpu: HardwareProfile = { ...laptop, gpu: { name: 'Test GPU', vramBytes: 12 * GIB, freeVramBytes: 10 * GIB } };
    const onGpu = buildManageItems({ catalog, hardware: gpu, installed: [] });
    assert.match(section(onGpu, 'recommended')[0].description, /fits on the GPU: 3\.98 GB of 10\.7 GB free$/);

    const tiny: HardwareProfile = { totalRamBytes: GIB, freeRamBytes: 0.3 * GIB, cpuCores: 2 };
    const nothing = buildManageItems({ catalog, hardware: tiny, installed: [] });
    assert.equal(section(nothing, 'recommended').length, 0);
    assert.ok(nothing.some((item) => item.kind === 'separator' && item.label === MANAGE_SECTIONS.recommended), 'the section stays, for its notes');
    assert.ok(nothing.some((item) => item.kind === 'note' && /Nothing fits for completion/.test(item.label)));
  });

  it('marks a single file recommended for both uses once', () => {
    const only = catalogOf([
      {
        ...model('coder-1b'),
        roles: ['completion', 'chat'],
        fim: { prefix: '<p>', suffix: '<s>', middle: '<m>', order: 'psm', trainedOrders: ['psm'] },
      },
    ]);
    const result = buildManageItems({ catalog: only, hardware: laptop, installed: [] });
    const recommended = section(result, 'recommended');
    assert.equal(recommended.length, 1);
    assert.deepEqual(recommended[0].recommendedFor, ['completion', 'chat']);
    assert.match(recommended[0].description, /^recommended for completion and chat · /);
  });

  it('names a gated repository', () => {
    const gated = catalogOf([{ ...model('gated-1b'), gated: true, gatedNote: 'Accept the licence on Hugging Face and set a token.' }, model('other-2b', '2B')]);
    const item = byFile(buildManageItems({ catalog: gated, hardware: laptop, installed: [] }), 'gated-1b.gguf');
    assert.match(item.detail, /needs a Hugging Face login: Accept the licence on Hugging Face and set a token\./);
  });
});

describe('primaryAction, fitWords and the confirmations', () => {
  const catalog = bundledModelCatalog();
  const items = buildManageItems({
    catalog,
    hardware: laptop,
    installed: [
      { path: '/models/mine.gguf', sizeBytes: 2e9 },
      { path: '/models/Qwen_Qwen3-1.7B-Q8_0.gguf', sizeBytes: 2165039520 },
    ],
    inUse: { chat: '/models/mine.gguf' },
  });

  it('Enter downloads a catalog file, uses an installed file with one use, and asks otherwise', () => {
    assert.equal(primaryAction(byFile(items, 'Qwen_Qwen3-4B-Q8_0.gguf')), 'download');
    assert.equal(primaryAction(byFile(items, 'Qwen_Qwen3-1.7B-Q8_0.gguf')), 'useForChat');
    // mine.gguf is in use for chat, so only completion is left.
    assert.equal(primaryAction(byFile(items, 'mine.gguf')), 'useForCompletion');
    const unused = buildManageItems({ catalog, hardware: laptop, installed: [{ path: '/m/x.gguf', sizeBytes: 1 }] });
    assert.equal(primaryAction(byFile(unused, 'x.gguf')), undefined);
  });

  it('delete asks, naming the file, its size and its use', () => {
    const question = deleteConfirmation(byFile(items, 'mine.gguf'));
    assert.equal(question.message, 'Delete mine.gguf (2 GB)?');
    assert.equal(question.detail, 'The file is deleted from /models/mine.gguf. Hearth uses it for chat; choose another model afterwards.');
    assert.equal(question.confirm, 'Delete');
  });

  it('downloading a file that does not fit asks first; one that fits does not', () => {
    const question = downloadConfirmation(byFile(items, 'Qwen_Qwen3-4B-Q8_0.gguf'));
    assert.equal(question?.message, 'Qwen_Qwen3-4B-Q8_0.gguf is too large for this machine. Download it anyway?');
    assert.match(question?.detail ?? '', /^Needs 5\.42 GB, more than the 3\.54 GB Hearth can use/);
    assert.equal(downloadConfirmation(byFile(items, 'Qwen_Qwen3-0.6B-Q8_0.gguf')), undefined);
  });

  it('fitWords', () => {
    const fit = { fits: true, budgetBytes: 5e9, needBytes: 1.4e9, where: 'ram' as const, reason: '' };
    assert.equal(fitWords(fit, { ...laptop, freeRamBytes: 6.1e9 }), 'fits: 1.4 GB of 6.1 GB free');
    assert.equal(fitWords({ ...fit, fits: false }, laptop), 'too large for this machine');
  });
});

function model(id: string, parameters = '1B'): CatalogModel {
  return {
    id,
    name: id,
    family: id,
    parameters,
    variant: 'instruct',
    description: 'test model',
    source: { repository: null, quantizedBy: 'someone' },
    license: { id: 'MIT', name: 'MIT License', url: null },
    gated: false,
    chatTemplate: 'chatml',
    contextLength: 8192,
    roles: ['chat'],
    fim: null,
    architecture: { layers: 16, kvHeads: 2, headDim: 64 },
    files: [
      {
        quantization: 'Q4_K_M',
        fileName: `${id}.gguf`,
        url: `https://example.com/${id}.gguf`,
        sizeBytes: 8e8,
        sha256: 'b'.repeat(64),
        ramBytes: null,
        quality: 'test',
        unverified: ['ramBytes'],
        provenance: 'made up for a test',
      },
    ],
    unverified: [],
    provenance: 'made up for a test',
  };
}

function catalogOf(models: CatalogModel[]): ModelCatalog {
  return { version: 2, memoryEstimate: { ...DEFAULT_MEMORY_ESTIMATE }, models };
}
