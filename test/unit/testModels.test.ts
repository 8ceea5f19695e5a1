// The fixture helper's lookup order, with every root pointed at temp folders so the real
// models/ and ../shared/models/ are neither read nor written (except where a test says so).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DownloadModelOptions } from '../fixtures/modelDownloader';
import { FIM_MODEL_FILE_NAME, FIM_MODEL_SHA256 } from '../fixtures/makeFimModel';
import { DEFAULT_TEST_MODEL, fimTestModelPath, findRepoRoot, findTestModel, type TestModelOptions } from '../fixtures/testModels';

const TINY_SHA = '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb';
const quiet = (): void => undefined;

describe('testModels', () => {
  let scratch: string;
  let root: string;
  let modelsDir: string;
  let sharedModelsDir: string;
  let downloads: DownloadModelOptions[];
  let options: TestModelOptions;

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'hearth-test-models-'));
    root = join(scratch, 'repo');
    modelsDir = join(root, 'models');
    sharedModelsDir = join(scratch, 'shared', 'models');
    await mkdir(modelsDir, { recursive: true });
    await mkdir(sharedModelsDir, { recursive: true });
    downloads = [];
    options = {
      repoRoot: root,
      env: {},
      log: quiet,
      // Records what would be fetched instead of reaching the network.
      download: async (request) => {
        downloads.push(request);
        await writeFile(request.destination, 'downloaded');
      },
    };
  });

  afterEach(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  async function place(dir: string, name = DEFAULT_TEST_MODEL): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, dir);
    return path;
  }

  describe('findTestModel lookup order', () => {
    it('takes HEARTH_TEST_MODEL first, even when models/ has the file', async () => {
      await place(modelsDir);
      const custom = await place(scratch, 'custom.gguf');
      assert.equal(await findTestModel(DEFAULT_TEST_MODEL, { ...options, env: { HEARTH_TEST_MODEL: custom } }), custom);
    });

    it('throws when HEARTH_TEST_MODEL names a missing file, rather than falling back', async () => {
      await place(modelsDir);
      const missing = join(scratch, 'nope.gguf');
      await assert.rejects(
        findTestModel(DEFAULT_TEST_MODEL, { ...options, env: { HEARTH_TEST_MODEL: missing } }),
        new RegExp(`HEARTH_TEST_MODEL is set to ${escape(missing)}, but no file is there`),
      );
    });

    it('treats an empty HEARTH_TEST_MODEL as unset', async () => {
      const local = await place(modelsDir);
      assert.equal(await findTestModel(DEFAULT_TEST_MODEL, { ...options, env: { HEARTH_TEST_MODEL: '' } }), local);
    });

    it('prefers <repo>/models/ over ../shared/models/', async () => {
      const local = await place(modelsDir);
      await place(sharedModelsDir);
      assert.equal(await findTestModel(DEFAULT_TEST_MODEL, options), local);
    });

    it('falls back to <repo>/../shared/models/ by default', async () => {
      const shared = await place(sharedModelsDir);
      assert.equal(await findTestModel(DEFAULT_TEST_MODEL, options), shared);
      assert.equal(downloads.length, 0);
    });

    it('ignores a folder that has the model name', async () => {
      await mkdir(join(modelsDir, DEFAULT_TEST_MODEL));
      const shared = await place(sharedModelsDir);
      assert.equal(await findTestModel(DEFAULT_TEST_MODEL, options), shared);
    });

    it('downloads from the catalog into <repo>/models/ last, pinned by sha256 and size', async () => {
      const path = await findTestModel(DEFAULT_TEST_MODEL, options);
      assert.equal(path, join(modelsDir, DEFAULT_TEST_MODEL));
      assert.equal(downloads.length, 1);
      const { mayUseNetwork, ...request } = downloads[0] ?? { mayUseNetwork: () => 'none' };
      assert.equal(mayUseNetwork(request.url ?? ''), undefined, 'test fixtures may download');
      assert.deepEqual(request, {
        url: 'https://huggingface.co/aladar/llama-2-tiny-random-GGUF/resolve/main/llama-2-tiny-random.gguf',
        destination: join(modelsDir, DEFAULT_TEST_MODEL),
        sha256: TINY_SHA,
        sizeBytes: 1_750_560,
      });
    });

    it('explains where it looked when the download fails', async () => {
      const failing: TestModelOptions = {
        ...options,
        download: async () => {
          throw new Error('sha256 mismatch (expected a, actual b)');
        },
      };
      await assert.rejects(findTestModel(DEFAULT_TEST_MODEL, failing), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, new RegExp(escape(join(modelsDir, DEFAULT_TEST_MODEL))));
        assert.match(error.message, new RegExp(escape(join(sharedModelsDir, DEFAULT_TEST_MODEL))));
        assert.match(error.message, /downloading it failed: sha256 mismatch/);
        assert.match(error.message, /HEARTH_TEST_MODEL/);
        return true;
      });
    });

    it('says so when a model is nowhere and not in the catalog', async () => {
      await assert.rejects(findTestModel('unknown.gguf', options), /unknown\.gguf is not in .* and the model catalog has no entry/);
      assert.equal(downloads.length, 0);
    });

    it('finds the real starter model with the default roots', async () => {
      const path = await findTestModel(DEFAULT_TEST_MODEL, { env: {} });
      const bytes = await readFile(path);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), TINY_SHA);
    });
  });

  describe('findRepoRoot', () => {
    it('finds the folder holding Hearth\'s package.json from this file', () => {
      const found = findRepoRoot(__dirname);
      assert.equal(found, resolve(__dirname, '..', '..'));
      assert.equal(findRepoRoot(), found);
    });

    it('throws outside the repository', () => {
      assert.throws(() => findRepoRoot(scratch), /no Hearth package\.json above/);
    });
  });

  describe('fimTestModelPath', function () {
    this.timeout(20_000);

    beforeEach(async () => {
      // The FIM model is derived from the real starter model, so the temp repo gets a copy of it.
      await copyFile(await findTestModel(DEFAULT_TEST_MODEL, { env: {} }), join(modelsDir, DEFAULT_TEST_MODEL));
    });

    it('generates the pinned FIM model under test/fixtures/generated/ when it is missing', async () => {
      const expected = join(root, 'test', 'fixtures', 'generated', FIM_MODEL_FILE_NAME);
      const path = await fimTestModelPath(options);
      assert.equal(path, expected);
      assert.equal(sha256(await readFile(path)), FIM_MODEL_SHA256);
    });

    it('regenerates a file that is not the pinned output', async () => {
      const path = await fimTestModelPath(options);
      await writeFile(path, 'stale');
      assert.equal(await fimTestModelPath(options), path);
      assert.equal(sha256(await readFile(path)), FIM_MODEL_SHA256);
    });

    it('builds from the pinned starter model even when HEARTH_TEST_MODEL points elsewhere', async () => {
      const other = await place(scratch, 'other.gguf');
      const path = await fimTestModelPath({ ...options, env: { HEARTH_TEST_MODEL: other } });
      assert.equal(sha256(await readFile(path)), FIM_MODEL_SHA256);
    });
  });
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
