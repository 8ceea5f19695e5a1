import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelInfo } from '../../src/common/protocol/engineProtocol';
import { ThreadTuningMemory, tuningKey, type MachineIdentity, type TuningStore } from '../../src/host/engine/threadTuningMemory';

const MACHINE: MachineIdentity = { cpuModel: 'Test CPU @ 3.0GHz', logicalCores: 4, arch: 'x64' };

class MemoryStore implements TuningStore {
  readonly values = new Map<string, unknown>();
  writes = 0;
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.writes += 1;
    this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

function loaded(path: string, source: ModelInfo['threadsSource'], threads = 1, promptThreads = threads): ModelInfo {
  return { path, name: 'm', sizeBytes: 1, loadMs: 1, contextSize: 1024, trainContextSize: 2048, threads, promptThreads, threadsReason: 'auto: 2 for prompts, 1 for decoding; measured …', threadsSource: source, hasInfill: false, chatWrapper: 'General' };
}

describe('remembered thread tuning', () => {
  let dir: string;
  let model: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-tuning-'));
    model = join(dir, 'model.gguf');
    await writeFile(model, 'GGUF-model-bytes');
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keys on the file as it is and on the CPU: another size, time, CPU or core count is another key', () => {
    const file = { path: '/m/a.gguf', size: 10, mtimeMs: 1000 };
    const key = tuningKey(file, MACHINE);
    assert.equal(tuningKey({ ...file }, { ...MACHINE }), key);
    assert.notEqual(tuningKey({ ...file, size: 11 }, MACHINE), key);
    assert.notEqual(tuningKey({ ...file, mtimeMs: 2000 }, MACHINE), key);
    assert.notEqual(tuningKey(file, { ...MACHINE, cpuModel: 'Other CPU' }), key);
    assert.notEqual(tuningKey(file, { ...MACHINE, logicalCores: 8 }), key);
    assert.notEqual(tuningKey(file, { ...MACHINE, arch: 'arm64' }), key);
  });

  it('remembers a fresh measurement once, offers it for the same file, and forgets it when the file changes', async () => {
    const store = new MemoryStore();
    const memory = new ThreadTuningMemory(store, MACHINE, () => Date.UTC(2026, 11, 2));
    assert.deepEqual(await memory.lookup([model]), []);
    const info = loaded(model, 'measured', 1, 2);
    assert.deepEqual(await memory.rememberLoad(info), [model]);
    assert.deepEqual(await memory.rememberLoad(info), [], 'the same load is remembered once');
    assert.equal(store.writes, 1);
    const [found] = await memory.lookup([model, model]);
    assert.equal(found?.threads, 1, 'decoding');
    assert.equal(found?.promptThreads, 2, 'prompt reading');
    assert.equal(found?.path, model);
    assert.match(found?.measured ?? '', /auto: 2 for prompts, 1 for decoding; .*, on 2026-12-02/);
    // Another machine does not get it.
    assert.deepEqual(await new ThreadTuningMemory(store, { ...MACHINE, logicalCores: 16 }).lookup([model]), []);
    // The file replaced (new modification time): measured again.
    await utimes(model, new Date(), new Date(Date.now() + 60_000));
    assert.deepEqual(await memory.lookup([model]), []);
  });

  it('does not remember counts that were not measured (set, or themselves remembered), nor missing files', async () => {
    const store = new MemoryStore();
    const memory = new ThreadTuningMemory(store, MACHINE);
    assert.deepEqual(await memory.rememberLoad(loaded(model, 'setting', 4)), []);
    assert.deepEqual(await memory.rememberLoad(loaded(model, 'remembered', 4)), []);
    assert.deepEqual(await memory.rememberLoad(loaded(join(dir, 'gone.gguf'), 'measured', 4)), []);
    assert.equal(store.writes, 0);
  });

  it('measures again a file remembered before counts were chosen per phase (no prompt count)', async () => {
    const store = new MemoryStore();
    const memory = new ThreadTuningMemory(store, MACHINE);
    assert.deepEqual(await memory.rememberLoad(loaded(model, 'measured', 2)), [model]);
    const [key] = Object.keys(store.get<Record<string, unknown>>('hearth.threadTuning') ?? {});
    assert.ok(key?.includes(model));
    await store.update('hearth.threadTuning', { [key]: { threads: 2, measured: 'auto: measured 2→30 ms, 1→6 ms', at: 1 } });
    assert.deepEqual(await memory.lookup([model]), []);
  });

  it('remembers both models of a two-role load', async () => {
    const chat = join(dir, 'chat.gguf');
    await writeFile(chat, 'another');
    const memory = new ThreadTuningMemory(new MemoryStore(), MACHINE);
    assert.deepEqual(await memory.rememberLoad({ ...loaded(model, 'measured'), chat: loaded(chat, 'measured', 2) }), [model, chat]);
    assert.deepEqual((await memory.lookup([model, chat])).map((entry) => entry.threads), [1, 2]);
  });
});
