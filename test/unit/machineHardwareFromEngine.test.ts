// The host side of system/hardware and model/estimate: the supervisor asks a running process without
// waiting for its model and starts none unless told; the engine's figures become the recommendation's
// HardwareProfile (Node's on any failure); an estimate replaces the catalog formula in the model list.
import assert from 'node:assert/strict';
import { Emitter } from 'vscode-jsonrpc/node';
import type { z } from 'zod';
import { buildManageItems, fitFromEstimate, type FileEstimate, type ManageFileItem } from '../../src/common/models/buildManageItems';
import type { HardwareProfile } from '../../src/common/models/recommendModels';
import { engineMethods, type LogLevel, type RequestDef, type SystemHardware } from '../../src/common/protocol/engineProtocol';
import type { EngineExit, EngineProcess } from '../../src/host/engine/engineConnection';
import { EngineSupervisor } from '../../src/host/engine/engineSupervisor';
import { machineHardwareFromEngine, toHardwareProfile } from '../../src/host/models/machineHardware';
import { bundledModelCatalog } from '../../src/host/models/modelCatalog';
import { expectEngineError } from '../support/expectEngineError';

const GIB = 1024 ** 3;
const HARDWARE: SystemHardware = { totalRamBytes: 16 * GIB, freeRamBytes: 9 * GIB, cpuCores: 6 };

/** A model process whose model/load never finishes; system/hardware answers at once. */
class SlowLoadEngine implements EngineProcess {
  readonly pid = 1;
  readonly onExit = new Emitter<EngineExit>().event;
  readonly onLog = new Emitter<{ level: LogLevel; message: string }>().event;
  readonly methods: string[] = [];
  async request<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(def: RequestDef<P, R>, params: z.input<P>): Promise<z.output<R>> {
    this.methods.push(def.method);
    def.params.parse(params);
    if (def.method === engineMethods.modelLoad.method) return new Promise<never>(() => undefined);
    if (def.method === engineMethods.systemHardware.method) return def.result.parse(HARDWARE) as z.output<R>;
    throw new Error(`unexpected ${def.method}`);
  }
  dispose(): void {}
}

function supervisorWith(engine: SlowLoadEngine): EngineSupervisor {
  return new EngineSupervisor({
    spawn: () => engine,
    loadParams: async () => ({ path: '/models/slow.gguf' }),
    idleUnloadMinutes: () => 0,
    log: () => undefined,
  });
}

describe('hardware and estimates from the model process (host side)', () => {
  it('the protocol accepts what the engine sends and refuses what it must not', () => {
    assert.deepEqual(engineMethods.systemHardware.result.parse(HARDWARE), HARDWARE);
    assert.equal(engineMethods.systemHardware.result.safeParse({ ...HARDWARE, cpuCores: 0 }).success, false);
    assert.equal(engineMethods.systemHardware.result.safeParse({ ...HARDWARE, gpu: { type: 'opencl', names: [], vramBytes: 1, freeVramBytes: 1 } }).success, false);
    assert.equal(engineMethods.systemHardware.params.safeParse({ extra: 1 }).success, false);
    assert.deepEqual(engineMethods.modelEstimate.params.parse({ path: '/m.gguf' }), { path: '/m.gguf' });
    assert.equal(engineMethods.modelEstimate.params.safeParse({ path: '', contextSize: 2048 }).success, false);
    assert.equal(engineMethods.modelEstimate.params.safeParse({ path: '/m.gguf', contextSize: 64 }).success, false);
  });

  it('requestWithoutModel starts nothing unless told, and does not wait for the model of a running process', async () => {
    const engine = new SlowLoadEngine();
    const supervisor = supervisorWith(engine);
    try {
      await expectEngineError(supervisor.requestWithoutModel(engineMethods.systemHardware, {}, { start: false }), 'unavailable');
      assert.deepEqual(engine.methods, [], 'nothing was started');
      // Start it (its load hangs), then ask: the answer comes although the model never loads.
      void supervisor.start().catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      const hardware = await supervisor.requestWithoutModel(engineMethods.systemHardware, {}, { start: false });
      assert.deepEqual(hardware, HARDWARE);
      assert.deepEqual(engine.methods, ['model/load', 'system/hardware']);
    } finally {
      supervisor.dispose();
    }
  });

  it('turns the engine figures into a HardwareProfile, naming the GPU, and falls back to Node on any error', async () => {
    const gpu = { type: 'cuda' as const, names: ['NVIDIA H200'], vramBytes: 140 * GIB, freeVramBytes: 139 * GIB };
    const withGpu: SystemHardware = { ...HARDWARE, gpu };
    assert.deepEqual(toHardwareProfile(withGpu).gpu, { name: 'NVIDIA H200', vramBytes: 140 * GIB, freeVramBytes: 139 * GIB });
    assert.equal(toHardwareProfile({ ...HARDWARE, gpu: { ...gpu, names: [] } }).gpu?.name, 'CUDA');
    assert.equal(toHardwareProfile(HARDWARE).gpu, undefined);

    const asked: Array<boolean | undefined> = [];
    const source = {
      hardware: async (options: { readonly start?: boolean }) => {
        asked.push(options.start);
        return withGpu;
      },
    };
    const ok = await machineHardwareFromEngine(source, { start: true });
    assert.equal(ok.gpu?.name, 'NVIDIA H200');
    assert.deepEqual(asked, [true]);
    const logged: string[] = [];
    const fallback = await machineHardwareFromEngine({ hardware: async () => Promise.reject(new Error('not running')) }, { log: (line) => logged.push(line) });
    assert.equal(fallback.gpu, undefined);
    assert.ok(fallback.totalRamBytes > 0 && fallback.cpuCores >= 1);
    assert.match(logged[0] ?? '', /not running/);
  });

  it('an estimate gives an installed file its fit, also one the catalog does not know', () => {
    const hardware: HardwareProfile = { totalRamBytes: 16 * GIB, freeRamBytes: 9 * GIB, cpuCores: 6 };
    const estimate: FileEstimate = { totalRamBytes: 300e6, totalVramBytes: 0, gpuLayers: 0, fits: true, reason: 'Needs 300 MB of RAM.' };
    const fit = fitFromEstimate(estimate, hardware);
    assert.deepEqual({ fits: fit.fits, needBytes: fit.needBytes, where: fit.where, reason: fit.reason }, { fits: true, needBytes: 300e6, where: 'ram', reason: 'Needs 300 MB of RAM.' });
    const onGpu = fitFromEstimate({ ...estimate, totalVramBytes: 2e9, gpuLayers: 25 }, { ...hardware, gpu: { name: 'GPU', vramBytes: 8 * GIB } });
    assert.equal(onGpu.where, 'vram');
    assert.equal(onGpu.needBytes, 2e9);

    const installed = [{ path: '/models/mine.gguf', sizeBytes: 2e8 }];
    const item = (estimates?: ReadonlyMap<string, FileEstimate>) =>
      buildManageItems({ catalog: bundledModelCatalog(), hardware, installed, ...(estimates ? { estimates } : {}) }).find(
        (entry): entry is ManageFileItem => entry.kind === 'file' && entry.section === 'installed',
      );
    const without = item();
    assert.equal(without?.fit, undefined);
    assert.match(without?.description ?? '', /not in the catalog/);
    const withEstimate = item(new Map([['/models/mine.gguf', estimate]]));
    assert.equal(withEstimate?.fit?.needBytes, 300e6);
    assert.match(withEstimate?.description ?? '', /not in the catalog · fits: 300 MB of/);
  });
});
