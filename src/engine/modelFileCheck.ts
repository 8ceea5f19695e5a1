// Checks a model file before llama.cpp sees it, so each way a file can be wrong gets its own
// clear message naming the file, instead of a native abort or a generic load failure.
import { open, stat } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { GgufInsights, readGgufFileInfo, type GgufFileInfo, type Llama } from 'node-llama-cpp';
import { EngineError } from './engineError';

export interface CheckedModelFile {
  readonly sizeBytes: number;
  readonly fileInfo: GgufFileInfo;
  readonly tensorBytes: number;
}

const GGUF_MAGIC = 'GGUF';

export async function checkModelFile(path: string, llama: Llama): Promise<CheckedModelFile> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) throw new EngineError('modelNotFound', `Model file not found: ${path}`, path);
  if (!stats.isFile()) throw new EngineError('modelNotFound', `Model path is not a file: ${path}`, path);

  const magic = await readMagic(path);
  if (magic !== GGUF_MAGIC) {
    throw new EngineError('notGguf', `Not a GGUF model file (it does not start with "GGUF"): ${path}`, path);
  }

  let fileInfo: GgufFileInfo;
  try {
    fileInfo = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false, spliceSplitFiles: false });
  } catch (error) {
    throw new EngineError('corruptModel', `The GGUF header is damaged (${errorMessage(error)}): ${path}`, path);
  }

  const insights = await GgufInsights.from(fileInfo, llama);
  const tensorBytes = insights.modelSize;
  const expectedBytes = (fileInfo.infoEndOffset ?? 0) + tensorBytes;
  if (stats.size < expectedBytes) {
    throw new EngineError(
      'corruptModel',
      `The model file is truncated: ${formatBytes(stats.size)} in the file, the header describes ${formatBytes(expectedBytes)}. Download it again: ${path}`,
      path,
    );
  }

  assertFitsInMemory(path, tensorBytes);
  return { sizeBytes: stats.size, fileInfo, tensorBytes };
}

/** Refuses a model whose weights cannot fit in RAM, rather than letting the OS kill the process. */
export function assertFitsInMemory(path: string, tensorBytes: number, available = { free: freemem(), total: totalmem() }): void {
  // Weights are memory-mapped, so pages other programs hold in cache can be reclaimed; what the
  // machine has in total is the hard ceiling, and free memory with a margin the practical one.
  const limit = Math.max(available.free * 1.5, available.total * 0.8);
  if (tensorBytes > Math.min(limit, available.total)) {
    throw new EngineError(
      'modelTooLarge',
      `The model needs about ${formatBytes(tensorBytes)} of memory, but this machine has ${formatBytes(available.free)} free of ${formatBytes(available.total)}. Choose a smaller (more quantized) model: ${path}`,
      path,
    );
  }
}

async function readMagic(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
