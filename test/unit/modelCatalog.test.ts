import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadModelCatalog, ModelCatalogError, parseModelCatalog, type CatalogModel } from '../../src/host/models/modelCatalog';

const TINY_SHA = '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb';

function entry(overrides: Partial<Record<keyof CatalogModel, unknown>> = {}): Record<string, unknown> {
  return {
    id: 'tiny',
    fileName: 'tiny.gguf',
    url: 'https://example.com/tiny.gguf',
    sha256: TINY_SHA,
    sizeBytes: 10,
    description: 'a tiny model',
    fim: null,
    ...overrides,
  };
}

function expectInvalid(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseModelCatalog(raw, 'test.json'),
    (error: unknown) => error instanceof ModelCatalogError && pattern.test(error.message),
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
    it('validates and pins the starter model', async () => {
      const catalog = await loadModelCatalog();
      const tiny = catalog.models.find((model) => model.id === 'llama-2-tiny-random');
      assert.ok(tiny);
      assert.equal(tiny.fileName, 'llama-2-tiny-random.gguf');
      assert.equal(tiny.sha256, TINY_SHA);
      assert.equal(tiny.sizeBytes, 1_750_560);
      assert.equal(tiny.url, 'https://huggingface.co/aladar/llama-2-tiny-random-GGUF/resolve/main/llama-2-tiny-random.gguf');
      assert.equal(tiny.fim, null);
      assert.match(tiny.description, /unverified/);
    });

    it('is the same as models/catalog.json read from disk', async () => {
      const fromDisk = await loadModelCatalog(resolve(__dirname, '../../models/catalog.json'));
      assert.deepEqual(fromDisk, await loadModelCatalog());
    });
  });

  describe('validation', () => {
    it('accepts FIM token strings with an order', () => {
      const fim = { prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', order: 'psm' };
      const catalog = parseModelCatalog({ models: [entry({ fim })] }, 'test.json');
      assert.deepEqual(catalog.models[0]?.fim, fim);
    });

    it('rejects a FIM block without an order or with an unknown one', () => {
      expectInvalid({ models: [entry({ fim: { prefix: 'a', suffix: 'b', middle: 'c' } })] }, /models\[0\]\.fim\.order/);
      expectInvalid({ models: [entry({ fim: { prefix: 'a', suffix: 'b', middle: 'c', order: 'pms' } })] }, /models\[0\]\.fim\.order/);
    });

    it('rejects a bad sha256, naming the file and the field', () => {
      expectInvalid({ models: [entry({ sha256: 'abc' })] }, /test\.json is invalid[\s\S]*models\[0\]\.sha256: must be 64/);
      expectInvalid({ models: [entry({ sha256: TINY_SHA.toUpperCase() })] }, /sha256/);
    });

    it('rejects file names that could escape the models folder', () => {
      expectInvalid({ models: [entry({ fileName: '../evil.gguf' })] }, /fileName/);
      expectInvalid({ models: [entry({ fileName: 'sub/dir.gguf' })] }, /fileName/);
      expectInvalid({ models: [entry({ fileName: 'model.bin' })] }, /fileName/);
    });

    it('rejects non-https URLs, bad sizes and unknown keys', () => {
      expectInvalid({ models: [entry({ url: 'http://example.com/x.gguf' })] }, /url: must be an https/);
      expectInvalid({ models: [entry({ sizeBytes: 0 })] }, /sizeBytes/);
      expectInvalid({ models: [entry({ sizeBytes: 1.5 })] }, /sizeBytes/);
      expectInvalid({ models: [{ ...entry(), extra: true }] }, /extra/);
      expectInvalid({ models: [entry({ description: undefined })] }, /description/);
    });

    it('rejects duplicate ids and file names', () => {
      expectInvalid({ models: [entry(), entry({ fileName: 'other.gguf' })] }, /models\[1\]\.id: duplicate id "tiny"/);
      expectInvalid({ models: [entry(), entry({ id: 'other' })] }, /models\[1\]\.fileName: duplicate fileName/);
    });

    it('rejects a catalog that is not an object with models', () => {
      expectInvalid([], /\(top level\)/);
      expectInvalid({}, /models/);
    });
  });

  describe('loading files', () => {
    it('loads a valid file', async () => {
      const file = join(scratch, 'good.json');
      await writeFile(file, JSON.stringify({ models: [entry()] }));
      const catalog = await loadModelCatalog(file);
      assert.equal(catalog.models[0]?.id, 'tiny');
    });

    it('says clearly when the JSON is malformed', async () => {
      const file = join(scratch, 'bad.json');
      await writeFile(file, '{ "models": [ { "id": "x", } ] }');
      await assert.rejects(loadModelCatalog(file), (error: unknown) => {
        assert.ok(error instanceof ModelCatalogError);
        assert.match(error.message, new RegExp(`Model catalog ${escape(file)} is not valid JSON: `));
        return true;
      });
    });

    it('says clearly when the file is missing', async () => {
      const file = join(scratch, 'missing.json');
      await assert.rejects(loadModelCatalog(file), new RegExp(`Cannot read model catalog ${escape(file)}: .*ENOENT`));
    });

    it('names the file when the JSON is valid but the catalog is not', async () => {
      const file = join(scratch, 'invalid.json');
      await writeFile(file, JSON.stringify({ models: [entry({ sizeBytes: -1 })] }));
      await assert.rejects(loadModelCatalog(file), new RegExp(`${escape(file)} is invalid:[\\s\\S]*models\\[0\\]\\.sizeBytes`));
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
