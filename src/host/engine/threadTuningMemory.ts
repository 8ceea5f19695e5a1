// Remembers the thread counts (prompt reading and decoding) the model process measured for a model file on this machine, so
// later loads skip the measurement (it costs seconds on a cold start). The key is the file as it is
// (real path, size, modification time) and the CPU (model, logical cores, architecture): a changed
// file or another machine measures again. Kept in the extension's global state; no `vscode` import
// here, so the key and the bookkeeping are unit-tested.
import { arch, cpus } from 'node:os';
import type { z } from 'zod';
import type { ModelInfo, modelLoadParams } from '../../common/protocol/engineProtocol';
import { fileIdentity, type FileIdentity } from '../fileIdentity';

export interface MachineIdentity {
  readonly cpuModel: string;
  readonly logicalCores: number;
  readonly arch: string;
}

export interface RememberedThreads {
  /** Decoding's count. */
  readonly threads: number;
  /** Prompt reading's count; entries from before counts were chosen per phase lack it and are measured again. */
  readonly promptThreads: number;
  /** What the measurement said, and when. */
  readonly measured: string;
  readonly at: number;
}

/** One file's remembered counts, as model/load takes them. */
type RememberedForLoad = z.output<typeof modelLoadParams>['rememberedThreads'][number];

/** The part of vscode.Memento this needs. */
export interface TuningStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const STATE_KEY = 'hearth.threadTuning';
/** Entries kept; the least recently used go first. */
const MAX_ENTRIES = 32;

export function tuningKey(file: FileIdentity, machine: MachineIdentity): string {
  return JSON.stringify([file.path, file.size, Math.round(file.mtimeMs), machine.cpuModel, machine.logicalCores, machine.arch]);
}

export function thisMachine(): MachineIdentity {
  const all = cpus();
  return { cpuModel: all[0]?.model.trim() ?? 'unknown', logicalCores: all.length, arch: arch() };
}

export class ThreadTuningMemory {
  /** Loads already handled: the supervisor reports the same load as ready after every request. */
  private readonly handled = new WeakSet<ModelInfo>();

  constructor(
    private readonly store: TuningStore,
    private readonly machine: MachineIdentity = thisMachine(),
    private readonly now: () => number = Date.now,
  ) {}

  /** The remembered count for each file that has one, as model/load takes them. */
  async lookup(paths: readonly string[]): Promise<RememberedForLoad[]> {
    const entries = this.entries();
    const found: RememberedForLoad[] = [];
    for (const path of new Set(paths)) {
      const file = await fileIdentity(path);
      const entry = file === undefined ? undefined : entries[tuningKey(file, this.machine)];
      if (entry !== undefined) found.push({ path, threads: entry.threads, promptThreads: entry.promptThreads, measured: `${entry.measured}, on ${new Date(entry.at).toISOString().slice(0, 10)}` });
    }
    return found;
  }

  /** Keeps each freshly measured count of a load (the completion model and, when another file, the chat model). */
  async rememberLoad(info: ModelInfo): Promise<string[]> {
    const remembered: string[] = [];
    if (this.handled.has(info)) return remembered;
    this.handled.add(info);
    for (const model of info.chat === undefined ? [info] : [info, info.chat]) {
      if (model.threadsSource !== 'measured') continue;
      const file = await fileIdentity(model.path);
      if (file === undefined) continue;
      const entries = { ...this.entries(), [tuningKey(file, this.machine)]: { threads: model.threads, promptThreads: model.promptThreads, measured: model.threadsReason, at: this.now() } };
      const kept = Object.entries(entries)
        .sort(([, a], [, b]) => b.at - a.at)
        .slice(0, MAX_ENTRIES);
      await this.store.update(STATE_KEY, Object.fromEntries(kept));
      remembered.push(model.path);
    }
    return remembered;
  }

  private entries(): Record<string, RememberedThreads> {
    const value = this.store.get<unknown>(STATE_KEY);
    if (typeof value !== 'object' || value === null) return {};
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter((entry): entry is [string, RememberedThreads] => isRemembered(entry[1])));
  }
}

function isRemembered(value: unknown): value is RememberedThreads {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const count = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 1;
  return count(record.threads) && count(record.promptThreads) && typeof record.measured === 'string' && typeof record.at === 'number';
}
