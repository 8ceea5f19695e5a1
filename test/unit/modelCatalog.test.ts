import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  bundledModelCatalog,
  catalogEntryForPath,
  catalogFileByName,
  estimateRamBytes,
  loadModelCatalog,
  ModelCatalogError,
  modelUrlProblem,
  parseModelCatalog,
  verifiedPins,
  type CatalogParseOptions,
  type ModelCatalog,
} from '../../src/host/models/modelCatalog';
import { DEFAULT_MEMORY_ESTIMATE } from '../../src/common/models/modelCatalogSchema';

const TINY_SHA = '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb';
const STORIES_SHA = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';
const CATALOG_PATH = resolve(__dirname, '../../models/catalog.json');

/** A valid version 2 file record; `overrides` replace fields (undefined removes one). */
function file(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return withOverrides(
    {
      quantization: 'Q4_K_M',
      fileName: 'tiny-q4_k_m.gguf',
      url: 'https://example.com/tiny-q4_k_m.gguf',
      sizeBytes: 10,
      sha256: TINY_SHA,
      ramBytes: 100,
      quality: 'good balance',
      unverified: [],
      provenance: 'made up for a test',
    },
    overrides,
  );
}

/** A valid version 2 model record with one file. */
function model(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return withOverrides(
    {
      id: 'tiny',
      name: 'Tiny',
      family: 'Tiny',
      parameters: '1M',
      variant: 'instruct',
      description: 'a tiny model',
      source: { repository: 'someone/tiny-GGUF', quantizedBy: 'someone' },
      license: { id: 'MIT', name: 'MIT License', url: 'https://example.com/LICENSE' },
      gated: false,
      chatTemplate: 'chatml',
      contextLength: 4096,
      roles: ['chat'],
      fim: null,
      architecture: { layers: 1, kvHeads: 1, headDim: 8 },
      files: [file()],
      unverified: [],
      provenance: 'made up for a test',
    },
    overrides,
  );
}

function catalog(models: unknown[]): Record<string, unknown> {
  return { version: 2, memoryEstimate: { ...DEFAULT_MEMORY_ESTIMATE }, models };
}

/** A valid version 1 entry (the old shape: one file per entry, no version field). */
function legacyEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return withOverrides(
    {
      id: 'tiny',
      fileName: 'tiny.gguf',
      url: 'https://example.com/tiny.gguf',
      sha256: TINY_SHA,
      sizeBytes: 10,
      description: 'a tiny model',
      fim: null,
    },
    overrides,
  );
}

function withOverrides(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete result[key];
  return result;
}

function expectInvalid(raw: unknown, pattern: RegExp, options: CatalogParseOptions = {}): void {
  assert.throws(
    () => parseModelCatalog(raw, 'test.json', options),
    (error: unknown) => {
      assert.ok(error instanceof ModelCatalogError, `not a ModelCatalogError: ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('modelCatalog', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'hearth-catalog-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  describe('the bundled catalog', () => {
    let bundled: ModelCatalog;
    before(() => {
      bundled = bundledModelCatalog();
    });
    const allFiles = () => bundled.models.flatMap((entry) => entry.files.map((candidate) => ({ model: entry, file: candidate })));

    it('parses, is version 2, and is the same as models/catalog.json read from disk', async () => {
      assert.equal(bundled.version, 2);
      assert.deepEqual(await loadModelCatalog(CATALOG_PATH), bundled);
      assert.deepEqual(await loadModelCatalog(), bundled);
    });

    it('is stored as version 2 on disk (the file was migrated, not only read)', async () => {
      const raw = JSON.parse(await readFile(CATALOG_PATH, 'utf8')) as { version?: unknown };
      assert.equal(raw.version, 2);
    });

    it('covers the models Hearth recommends', () => {
      const ids = new Set(bundled.models.map((entry) => entry.id));
      for (const id of [
        'qwen2.5-coder-0.5b-instruct',
        'qwen2.5-coder-1.5b-instruct',
        'qwen2.5-coder-3b-instruct',
        'qwen2.5-coder-0.5b',
        'qwen2.5-coder-1.5b',
        'qwen2.5-coder-3b',
        'qwen3-0.6b',
        'qwen3-1.7b',
        'qwen3-4b',
        'llama-3.2-1b-instruct',
        'llama-3.2-3b-instruct',
        'gemma-3-1b-it',
        'phi-4-mini-instruct',
        'smollm2-1.7b-instruct',
        'llama-2-tiny-random',
        'stories260k',
      ]) {
        assert.ok(ids.has(id), `missing ${id}`);
      }
    });

    it('offers several quantizations for every real model', () => {
      for (const entry of bundled.models) {
        if (entry.variant === 'test') continue;
        assert.ok(entry.files.length >= 2, `${entry.id} has ${entry.files.length} file(s)`);
        assert.equal(new Set(entry.files.map((candidate) => candidate.quantization)).size, entry.files.length, `${entry.id} repeats a quantization`);
      }
    });

    it('downloads only over https from huggingface.co, from the model repository, ending in the file name', () => {
      for (const { model: entry, file: candidate } of allFiles()) {
        const url = new URL(candidate.url);
        assert.equal(url.protocol, 'https:', candidate.url);
        assert.equal(url.hostname, 'huggingface.co', candidate.url);
        assert.ok(candidate.url.startsWith(`https://huggingface.co/${entry.source.repository}/resolve/main/`), candidate.url);
        assert.ok(url.pathname.endsWith(`/${candidate.fileName}`), `${candidate.url} does not end in ${candidate.fileName}`);
      }
    });

    it('has unique ids and unique file names', () => {
      const ids = bundled.models.map((entry) => entry.id);
      assert.equal(new Set(ids).size, ids.length);
      const names = allFiles().map(({ file: candidate }) => candidate.fileName);
      assert.equal(new Set(names).size, names.length);
    });

    it('invents no hashes: every sha256 is 64 hex digits or null, and null is marked unverified', () => {
      for (const { file: candidate } of allFiles()) {
        if (candidate.sha256 === null) {
          assert.ok(candidate.unverified.includes('sha256'), `${candidate.fileName}: null sha256 not marked unverified`);
        } else {
          assert.match(candidate.sha256, /^[0-9a-f]{64}$/, candidate.fileName);
        }
      }
      // A sha256 identifies one file: the same value on two files would mean one was copied by mistake.
      const hashes = allFiles()
        .map(({ file: candidate }) => candidate.sha256)
        .filter((sha): sha is string => sha !== null);
      assert.equal(new Set(hashes).size, hashes.length);
    });

    it('says where every value came from and names what is unverified', () => {
      for (const entry of bundled.models) {
        assert.ok(entry.provenance.length > 20, `${entry.id}: provenance too thin`);
        for (const candidate of entry.files) assert.ok(candidate.provenance.length > 20, `${candidate.fileName}: provenance too thin`);
        if (entry.license.url === null) assert.ok(entry.unverified.includes('license'), `${entry.id}: no license link, license not marked unverified`);
      }
    });

    it('computes RAM at the default context from the architecture, as memoryEstimate.method says', () => {
      assert.deepEqual(bundled.memoryEstimate, DEFAULT_MEMORY_ESTIMATE);
      assert.equal(bundled.memoryEstimate.contextTokens, 4096);
      for (const { model: entry, file: candidate } of allFiles()) {
        assert.ok(entry.architecture !== null, `${entry.id}: no architecture`);
        assert.equal(candidate.ramBytes, estimateRamBytes(candidate.sizeBytes, entry.architecture, bundled.memoryEstimate), candidate.fileName);
        assert.ok((candidate.ramBytes ?? 0) > candidate.sizeBytes, candidate.fileName);
      }
      // Spot check one by hand: Qwen2.5-Coder 1.5B has 28 layers × 2 KV heads × 128 dims, f16.
      const q4 = catalogFileByName(bundled, 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf');
      assert.ok(q4);
      assert.equal(q4.file.ramBytes, 1_117_320_768 + 2 * 28 * 2 * 128 * 2 * 4096 + 512 * 1024 * 1024);
    });

    it('fills in the middle only with models trained for it, and says which variant serves it best', () => {
      for (const entry of bundled.models) {
        if (entry.family === 'Qwen2.5-Coder') {
          assert.ok(entry.fim, `${entry.id} lacks FIM`);
          assert.deepEqual([entry.fim.prefix, entry.fim.suffix, entry.fim.middle], ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>']);
          assert.equal(entry.fim.order, 'psm');
          assert.equal(entry.fim.preferredVariant, 'base');
          assert.ok(entry.roles.includes('completion'));
        } else {
          assert.equal(entry.fim, null, `${entry.id} claims FIM`);
        }
      }
      for (const size of ['0.5b', '1.5b', '3b']) {
        assert.equal(bundled.models.find((entry) => entry.id === `qwen2.5-coder-${size}`)?.variant, 'base');
      }
    });

    it('says when a Hugging Face token is needed', () => {
      for (const entry of bundled.models) {
        if (entry.gated) assert.match(entry.gatedNote ?? '', /token/i, entry.id);
      }
      const llama = bundled.models.find((entry) => entry.id === 'llama-3.2-1b-instruct');
      assert.equal(llama?.gated, false, 'the chosen Llama repository is the ungated community one');
      assert.match(llama?.provenance ?? '', /gated/);
    });

    it('keeps the test fixtures findable by file name with their pinned hashes', () => {
      const tiny = catalogFileByName(bundled, 'llama-2-tiny-random.gguf');
      assert.ok(tiny);
      assert.equal(tiny.model.id, 'llama-2-tiny-random');
      assert.equal(tiny.file.sha256, TINY_SHA);
      assert.equal(tiny.file.sizeBytes, 1_750_560);
      assert.equal(tiny.file.url, 'https://huggingface.co/aladar/llama-2-tiny-random-GGUF/resolve/main/llama-2-tiny-random.gguf');
      assert.deepEqual(verifiedPins(tiny.file), { sha256: TINY_SHA, sizeBytes: 1_750_560 });
      assert.equal(tiny.model.fim, null);

      const stories = catalogFileByName(bundled, 'stories260K.gguf');
      assert.ok(stories);
      assert.equal(stories.model.id, 'stories260k');
      assert.equal(stories.file.sha256, STORIES_SHA);
      assert.equal(stories.file.sizeBytes, 1_185_376);
      assert.equal(stories.file.url, 'https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf');
      assert.equal(stories.model.license.id, 'MIT');
      assert.match(stories.model.description, /children's stories; cannot chat or code/);
      assert.deepEqual(stories.model.roles, ['starter', 'test']);
    });

    it('finds the model for a path in any folder', () => {
      assert.equal(catalogEntryForPath(bundled, '/x/y/qwen2.5-coder-1.5b-instruct-q8_0.gguf')?.id, 'qwen2.5-coder-1.5b-instruct');
      assert.equal(catalogEntryForPath(bundled, 'C:\\models\\Qwen2.5-Coder-1.5B.Q4_K_M.gguf')?.fim?.order, 'psm');
      assert.equal(catalogEntryForPath(bundled, '/x/unknown.gguf'), undefined);
    });
  });

  describe('verifiedPins', () => {
    it('leaves out an estimated size and a missing hash, so the downloader never enforces a guess', () => {
      const parsed = parseModelCatalog(
        catalog([model({ files: [file({ sha256: null, unverified: ['sha256', 'sizeBytes', 'ramBytes'] })] })]),
        'test.json',
      );
      const only = parsed.models[0]?.files[0];
      assert.ok(only);
      assert.deepEqual(verifiedPins(only), {});
    });
  });

  describe('version 2 validation', () => {
    it('accepts a minimal valid catalog', () => {
      const parsed = parseModelCatalog(catalog([model()]), 'test.json');
      assert.equal(parsed.models[0]?.files[0]?.fileName, 'tiny-q4_k_m.gguf');
    });

    it('accepts FIM tokens with an order it was trained with', () => {
      const fim = { prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', order: 'psm', trainedOrders: ['psm', 'spm'] };
      const parsed = parseModelCatalog(catalog([model({ fim })]), 'test.json');
      assert.deepEqual(parsed.models[0]?.fim, fim);
    });

    it('rejects a FIM order the model was not trained with, or no order at all', () => {
      const fim = { prefix: 'a', suffix: 'b', middle: 'c', order: 'spm', trainedOrders: ['psm'] };
      expectInvalid(catalog([model({ fim })]), /models\[0\]\.fim\.order: "spm" is not one of trainedOrders \(model "tiny"\)/);
      expectInvalid(catalog([model({ fim: { prefix: 'a', suffix: 'b', middle: 'c', trainedOrders: ['psm'] } })]), /models\[0\]\.fim\.order/);
    });

    it('names the model, the file and the field for a bad entry', () => {
      const bad = model({ id: 'broken-model', files: [file(), file({ fileName: 'second.gguf', sha256: 'abc' })] });
      expectInvalid(
        catalog([model({ id: 'fine' }), bad]),
        /test\.json is invalid:[\s\S]*models\[1\]\.files\[1\]\.sha256: must be 64 lower-case hex digits \(model "broken-model", file "second\.gguf"\)/,
      );
      expectInvalid(catalog([model({ contextLength: -1 })]), /models\[0\]\.contextLength: .*\(model "tiny"\)/);
      expectInvalid(catalog([model({ roles: ['poetry'] })]), /models\[0\]\.roles\[0\]: .*\(model "tiny"\)/);
    });

    it('rejects an upper-case or short sha256, and a null one that is not marked unverified', () => {
      expectInvalid(catalog([model({ files: [file({ sha256: TINY_SHA.toUpperCase() })] })]), /files\[0\]\.sha256/);
      expectInvalid(catalog([model({ files: [file({ sha256: null })] })]), /files\[0\]\.unverified: must list "sha256" when sha256 is null/);
      const ok = parseModelCatalog(catalog([model({ files: [file({ sha256: null, unverified: ['sha256'] })] })]), 'test.json');
      assert.equal(ok.models[0]?.files[0]?.sha256, null);
    });

    it('requires RAM to be unverified when the size is an estimate', () => {
      expectInvalid(catalog([model({ files: [file({ unverified: ['sizeBytes'] })] })]), /must list "ramBytes" when "sizeBytes" is unverified/);
      expectInvalid(catalog([model({ files: [file({ unverified: ['colour'] })] })]), /files\[0\]\.unverified\[0\]/);
      expectInvalid(catalog([model({ unverified: ['colour'] })]), /models\[0\]\.unverified\[0\]/);
    });

    it('requires a note saying a token is needed when the repository is gated', () => {
      expectInvalid(catalog([model({ gated: true })]), /models\[0\]\.gatedNote: is required when gated is true/);
      const ok = parseModelCatalog(catalog([model({ gated: true, gatedNote: 'Needs your Hugging Face token.' })]), 'test.json');
      assert.equal(ok.models[0]?.gated, true);
    });

    it('rejects file names that could escape the models folder', () => {
      expectInvalid(catalog([model({ files: [file({ fileName: '../evil.gguf' })] })]), /files\[0\]\.fileName/);
      expectInvalid(catalog([model({ files: [file({ fileName: 'sub/dir.gguf' })] })]), /files\[0\]\.fileName/);
      expectInvalid(catalog([model({ files: [file({ fileName: 'model.bin' })] })]), /files\[0\]\.fileName/);
    });

    it('rejects bad sizes, unknown keys, a missing file list and an unknown version', () => {
      expectInvalid(catalog([model({ files: [file({ sizeBytes: 0 })] })]), /files\[0\]\.sizeBytes/);
      expectInvalid(catalog([model({ files: [file({ sizeBytes: 1.5 })] })]), /files\[0\]\.sizeBytes/);
      expectInvalid(catalog([{ ...model(), extra: true }]), /models\[0\]: Unrecognized key\(s\) in object: 'extra' \(model "tiny"\)/);
      expectInvalid(catalog([model({ files: [] })]), /models\[0\]\.files: /);
      expectInvalid(catalog([model({ description: undefined })]), /models\[0\]\.description/);
      expectInvalid({ ...catalog([]), version: 3 }, /version: must be 2/);
      expectInvalid({ version: 2, models: [] }, /memoryEstimate/);
    });

    it('rejects duplicate ids, and duplicate file names even across models', () => {
      expectInvalid(catalog([model(), model({ files: [file({ fileName: 'other.gguf' })] })]), /models\[1\]\.id: duplicate id "tiny"/);
      expectInvalid(catalog([model(), model({ id: 'other' })]), /models\[1\]\.files\[0\]\.fileName: duplicate fileName "tiny-q4_k_m\.gguf" \(model "other"/);
    });
  });

  describe('URLs', () => {
    const withUrl = (url: string) => catalog([model({ files: [file({ url })] })]);

    it('are https:// only by default', () => {
      expectInvalid(withUrl('http://example.com/x.gguf'), /files\[0\]\.url: must be an https:\/\/ URL \(model "tiny"/);
      expectInvalid(withUrl('http://127.0.0.1:8080/x.gguf'), /url: must be an https:\/\/ URL/);
      expectInvalid(withUrl('ftp://example.com/x.gguf'), /url: must be an https/);
      expectInvalid(withUrl('not a url'), /url: must be an absolute URL/);
      expectInvalid(withUrl('https://user:secret@example.com/x.gguf'), /url: must not contain a user name or password/);
      expectInvalid({ models: [legacyEntry({ url: 'http://example.com/x.gguf' })] }, /models\[0\]\.url: must be an https/);
      assert.equal(parseModelCatalog(withUrl('https://example.com/x.gguf'), 'test.json').models.length, 1);
    });

    it('accept http:// to the loopback host only when the caller allows it', () => {
      const loopback = { allowLoopbackHttp: true };
      for (const url of ['http://127.0.0.1:8080/x.gguf', 'http://localhost:3000/models/x.gguf', 'http://[::1]:9/x.gguf']) {
        assert.equal(parseModelCatalog(withUrl(url), 'test.json', loopback).models[0]?.files[0]?.url, url);
      }
      assert.equal(parseModelCatalog(withUrl('https://example.com/x.gguf'), 'test.json', loopback).models.length, 1, 'https still accepted');
      expectInvalid(withUrl('http://example.com/x.gguf'), /url: http:\/\/ is allowed only for the loopback host/, loopback);
      expectInvalid(withUrl('http://127.0.0.2/x.gguf'), /url: http:\/\/ is allowed only for the loopback host/, loopback);
      expectInvalid(withUrl('http://10.0.0.1/x.gguf'), /url: http:\/\/ is allowed only for the loopback host/, loopback);
      expectInvalid(withUrl('ftp://127.0.0.1/x.gguf'), /url: must be an https:\/\/ URL \(or http:\/\/ to the loopback host\)/, loopback);
      const legacy = parseModelCatalog({ models: [legacyEntry({ url: 'http://127.0.0.1:1/tiny.gguf' })] }, 'test.json', loopback);
      assert.equal(legacy.models[0]?.files[0]?.url, 'http://127.0.0.1:1/tiny.gguf');
    });

    it('loads a file with loopback URLs only when asked', async () => {
      const path = join(scratch, 'loopback.json');
      await writeFile(path, JSON.stringify(withUrl('http://127.0.0.1:4321/tiny-q4_k_m.gguf')));
      await assert.rejects(loadModelCatalog(path), /url: must be an https/);
      const loaded = await loadModelCatalog(path, { allowLoopbackHttp: true });
      assert.equal(loaded.models[0]?.files[0]?.url, 'http://127.0.0.1:4321/tiny-q4_k_m.gguf');
    });

    it('modelUrlProblem explains itself', () => {
      assert.equal(modelUrlProblem('https://huggingface.co/a/b/resolve/main/c.gguf'), undefined);
      assert.equal(modelUrlProblem('http://localhost/x.gguf'), 'must be an https:// URL');
      assert.equal(modelUrlProblem('http://localhost/x.gguf', { allowLoopbackHttp: true }), undefined);
    });
  });

  describe('version 1 catalogs', () => {
    it('are still read, one model per entry, with the unknown fields marked unverified', () => {
      const fim = { prefix: '<PRE>', suffix: '<SUF>', middle: '<MID>', order: 'spm' };
      const parsed = parseModelCatalog({ models: [legacyEntry({ fim })] }, 'old.json');
      assert.equal(parsed.version, 2);
      const only = parsed.models[0];
      assert.ok(only);
      assert.equal(only.id, 'tiny');
      assert.deepEqual(only.fim, { ...fim, trainedOrders: ['spm'] });
      assert.equal(catalogEntryForPath(parsed, '/somewhere/tiny.gguf')?.fim?.order, 'spm');
      assert.deepEqual(
        { ...only.files[0], unverified: undefined, provenance: undefined },
        {
          quantization: 'UNKNOWN',
          fileName: 'tiny.gguf',
          url: 'https://example.com/tiny.gguf',
          sizeBytes: 10,
          sha256: TINY_SHA,
          ramBytes: null,
          quality: 'unknown',
          unverified: undefined,
          provenance: undefined,
        },
      );
      assert.ok(only.unverified.includes('license'));
      assert.ok(only.files[0]?.unverified.includes('ramBytes'));
    });

    it('are validated as before, naming the file and the field', () => {
      expectInvalid({ models: [legacyEntry({ sha256: 'abc' })] }, /test\.json is invalid[\s\S]*models\[0\]\.sha256: must be 64 .*\(model "tiny"\)/);
      expectInvalid({ models: [legacyEntry({ fim: { prefix: 'a', suffix: 'b', middle: 'c' } })] }, /models\[0\]\.fim\.order/);
      expectInvalid({ models: [legacyEntry(), legacyEntry({ fileName: 'other.gguf' })] }, /models\[1\]\.id: duplicate id "tiny"/);
      expectInvalid({ models: [legacyEntry(), legacyEntry({ id: 'other' })] }, /models\[1\]\.fileName: duplicate fileName/);
      expectInvalid([], /\(top level\)/);
      expectInvalid({}, /models/);
    });
  });

  describe('loading files', () => {
    it('loads a valid file', async () => {
      const path = join(scratch, 'good.json');
      await writeFile(path, JSON.stringify(catalog([model()])));
      const loaded = await loadModelCatalog(path);
      assert.equal(loaded.models[0]?.id, 'tiny');
    });

    it('says clearly when the JSON is malformed', async () => {
      const path = join(scratch, 'bad.json');
      await writeFile(path, '{ "models": [ { "id": "x", } ] }');
      await assert.rejects(loadModelCatalog(path), (error: unknown) => {
        assert.ok(error instanceof ModelCatalogError);
        assert.match(error.message, new RegExp(`Model catalog ${escape(path)} is not valid JSON: `));
        return true;
      });
    });

    it('says clearly when the file is missing', async () => {
      const path = join(scratch, 'missing.json');
      await assert.rejects(loadModelCatalog(path), new RegExp(`Cannot read model catalog ${escape(path)}: .*ENOENT`));
    });

    it('names the file when the JSON is valid but the catalog is not', async () => {
      const path = join(scratch, 'invalid.json');
      await writeFile(path, JSON.stringify(catalog([model({ files: [file({ sizeBytes: -1 })] })])));
      await assert.rejects(loadModelCatalog(path), new RegExp(`${escape(path)} is invalid:[\\s\\S]*models\\[0\\]\\.files\\[0\\]\\.sizeBytes`));
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
