import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineRequestError } from '../../src/host/engine/engineErrors';
import { expandSettingPath, resolveModel, type ModelSearch } from '../../src/host/models/modelResolver';

describe('resolveModel', () => {
  let root: string;
  let search: ModelSearch;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hearth-resolve-'));
    search = { settingPath: '', workspaceFolder: join(root, 'ws'), storageDir: join(root, 'storage'), devModelsDir: join(root, 'dev') };
    await mkdir(search.storageDir, { recursive: true });
    await mkdir(search.devModelsDir, { recursive: true });
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('uses the setting first, even when the file is missing (the model process names it)', async () => {
    await writeFile(join(search.storageDir, 'a.gguf'), 'x');
    const resolved = await resolveModel({ ...search, settingPath: '/models/missing.gguf' });
    assert.deepEqual(resolved, { path: '/models/missing.gguf', source: 'setting' });
  });

  it('then the first GGUF in the storage folder, by name, ignoring other files and folders', async () => {
    await writeFile(join(search.storageDir, 'notes.txt'), 'x');
    await mkdir(join(search.storageDir, 'folder.gguf'));
    await writeFile(join(search.storageDir, 'b.gguf'), 'x');
    await writeFile(join(search.storageDir, 'a.GGUF'), 'x');
    await writeFile(join(search.devModelsDir, 'dev.gguf'), 'x');
    assert.deepEqual(await resolveModel(search), { path: join(search.storageDir, 'a.GGUF'), source: 'storage' });
  });

  it('then models/ inside the extension', async () => {
    await writeFile(join(search.devModelsDir, 'dev.gguf'), 'x');
    assert.deepEqual(await resolveModel(search), { path: join(search.devModelsDir, 'dev.gguf'), source: 'development' });
  });

  it('says what to do when there is no model anywhere, even without the folders', async () => {
    await rm(search.storageDir, { recursive: true });
    const error = await resolveModel(search).then(
      () => assert.fail('expected an error'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof EngineRequestError);
    assert.equal(error.kind, 'noModel');
    assert.match(error.message, /hearth\.model\.path/);
    assert.ok(error.message.includes(search.storageDir));
  });

  it('treats a blank setting as unset', async () => {
    await writeFile(join(search.devModelsDir, 'dev.gguf'), 'x');
    assert.equal((await resolveModel({ ...search, settingPath: '   ' })).source, 'development');
  });
});

describe('expandSettingPath', () => {
  it('expands ~, ${workspaceFolder} and relative paths', () => {
    assert.equal(expandSettingPath('~/models/a.gguf', '/ws'), join(homedir(), 'models/a.gguf'));
    assert.equal(expandSettingPath('${workspaceFolder}/m/a.gguf', '/ws'), '/ws/m/a.gguf');
    assert.equal(expandSettingPath('m/a.gguf', '/ws'), '/ws/m/a.gguf');
    assert.equal(expandSettingPath('/abs/a.gguf', '/ws'), '/abs/a.gguf');
  });

  it('leaves a relative path alone without a workspace', () => {
    assert.equal(expandSettingPath('m/a.gguf', undefined), 'm/a.gguf');
  });
});
