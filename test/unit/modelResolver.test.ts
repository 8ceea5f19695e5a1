import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineRequestError } from '../../src/host/engine/engineErrors';
import { expandSettingPath, resolveModel, resolveModels, type ModelSearch } from '../../src/host/models/modelResolver';

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
    assert.deepEqual(resolved, { path: '/models/missing.gguf', source: 'setting', setting: 'hearth.model.path' });
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

describe('resolveModels (completion and chat roles)', () => {
  let root: string;
  let search: ModelSearch;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hearth-roles-'));
    search = { settingPath: '', workspaceFolder: '/ws', storageDir: join(root, 'storage'), devModelsDir: join(root, 'dev') };
    await mkdir(search.storageDir, { recursive: true });
    await writeFile(join(search.storageDir, 'found.gguf'), 'x');
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  const paths = async (settings: Partial<ModelSearch>) => {
    const roles = await resolveModels({ ...search, ...settings });
    return { completion: roles.completion.path, chat: roles.chat.path };
  };

  it('uses one file for both roles when nothing names a role (hearth.model.path, else the file found)', async () => {
    assert.deepEqual(await paths({}), { completion: join(search.storageDir, 'found.gguf'), chat: join(search.storageDir, 'found.gguf') });
    assert.deepEqual(await paths({ settingPath: '/m/one.gguf' }), { completion: '/m/one.gguf', chat: '/m/one.gguf' });
  });

  it("gives each role its own setting, and a role without one hearth.model.path, else the other role's", async () => {
    assert.deepEqual(await paths({ completionPath: '/m/coder.gguf', chatPath: '/m/chat.gguf', settingPath: '/m/one.gguf' }), {
      completion: '/m/coder.gguf',
      chat: '/m/chat.gguf',
    });
    assert.deepEqual(await paths({ completionPath: '/m/coder.gguf', settingPath: '/m/one.gguf' }), { completion: '/m/coder.gguf', chat: '/m/one.gguf' });
    assert.deepEqual(await paths({ chatPath: 'chat.gguf' }), { completion: '/ws/chat.gguf', chat: '/ws/chat.gguf' });
    assert.deepEqual(await paths({ completionPath: '  ', chatPath: '/m/chat.gguf' }), { completion: '/m/chat.gguf', chat: '/m/chat.gguf' });
  });

  it('says which setting each role came from', async () => {
    const roles = await resolveModels({ ...search, completionPath: '/m/coder.gguf', settingPath: '/m/one.gguf' });
    assert.equal(roles.completion.setting, 'hearth.models.completion');
    assert.equal(roles.chat.setting, 'hearth.model.path');
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
