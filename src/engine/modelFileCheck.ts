// Checks a model file before llama.cpp sees it, so each way a file can be wrong gets its own
// clear message naming the file, instead of a native abort or a generic load failure.
import { stat } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { GgufInsights, readGgufFileInfo, type GgufFileInfo, type Llama } from 'node-llama-cpp';
import { EngineError } from './engineError';
import { readGgufLayout, type GgufSection } from './ggufLayout';

export interface CheckedModelFile {
  readonly sizeBytes: number;
  readonly fileInfo: GgufFileInfo;
  readonly insights: GgufInsights;
  readonly tensorBytes: number;
}

export interface CheckOptions {
  /** false: skip the "does it fit in RAM" refusal (model/estimate reports fit itself). Default true. */
  readonly checkMemory?: boolean;
}

export async function checkModelFile(path: string, llama: Llama, options: CheckOptions = {}): Promise<CheckedModelFile> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) throw new EngineError('modelNotFound', `Model file not found: ${path}`, path);
  if (!stats.isFile()) throw new EngineError('modelNotFound', `Model path is not a file: ${path}`, path);

  // Our own walk first: node-llama-cpp's reader zero-fills past the end of the file, so a file cut
  // inside its header or tables would otherwise surface as an unrelated parse or insight error.
  const layout = await readGgufLayout(path);
  if (layout.kind === 'notGguf') {
    throw new EngineError('notGguf', `Not a GGUF model file (it does not start with "GGUF"): ${path}`, path);
  }
  if (layout.kind === 'truncated') {
    throw truncated(path, `it ends after ${formatBytes(stats.size)}, inside its ${SECTION_WORDS[layout.section]}`);
  }
  if (layout.kind === 'invalid') {
    throw new EngineError('corruptModel', `The GGUF header is damaged (${layout.reason}): ${path}`, path);
  }

  let fileInfo: GgufFileInfo;
  let insights: GgufInsights;
  let tensorBytes: number;
  try {
    fileInfo = await readGgufFileInfo(path, { sourceType: 'filesystem', logWarnings: false, spliceSplitFiles: false });
    insights = await GgufInsights.from(fileInfo, llama);
    tensorBytes = insights.modelSize;
  } catch (error) {
    // The structure is whole, so what the library refuses (e.g. no architecture) is damage.
    throw new EngineError('corruptModel', `The GGUF header is damaged (${errorMessage(error)}): ${path}`, path);
  }

  const expectedBytes = layout.dataOffset + tensorBytes;
  if (stats.size < expectedBytes) {
    throw truncated(path, `${formatBytes(stats.size)} in the file, the header describes ${formatBytes(expectedBytes)}`);
  }

  if (options.checkMemory !== false) assertFitsInMemory(path, tensorBytes);
  return { sizeBytes: stats.size, fileInfo, insights, tensorBytes };
}

const SECTION_WORDS: Record<GgufSection, string> = {
  header: 'header',
  metadata: 'metadata',
  tensorInfo: 'tensor table',
};

/** One wording for every way a file can be cut short: it is always a download to repeat. */
function truncated(path: string, detail: string): EngineError {
  return new EngineError('corruptModel', `The model file is truncated: ${detail}. Download it again: ${path}`, path);
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
