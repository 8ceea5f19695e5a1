// Downloads a model file and proves it is the file the catalog pinned. Used by the extension and by
// scripts and test fixtures, so it depends on Node only (no `vscode`). The file is streamed to
// `<destination>.partial` and hashed on the way; only a complete file with the expected sha256 is
// renamed to `destination`, so a crash, a cancel or a bad server never leaves a corrupt model there.
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DownloadProgress {
  readonly receivedBytes: number;
  /** From `sizeBytes`, else the Content-Length header; undefined when neither is known. */
  readonly totalBytes: number | undefined;
}

export interface DownloadModelOptions {
  readonly url: string;
  readonly destination: string;
  /** Expected sha256 of the whole file, hex. A mismatch deletes the download and throws. */
  readonly sha256: string;
  /** Expected size; checked against Content-Length up front and the bytes received. */
  readonly sizeBytes?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Give up when no bytes (nor headers) arrive for this long. Default 30 s. */
  readonly stallTimeoutMs?: number;
  /**
   * The privacy policy's say before any network use: a reason to refuse (offline), or undefined.
   * Required, so no download can skip the gate.
   */
  readonly mayUseNetwork: (url: string) => string | undefined;
}

export interface DownloadModelResult {
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

export type ModelDownloadErrorCode = 'http' | 'checksum' | 'size' | 'stalled' | 'aborted' | 'network' | 'offline';

export class ModelDownloadError extends Error {
  constructor(
    readonly code: ModelDownloadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelDownloadError';
  }
}

export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

export async function downloadModel(options: DownloadModelOptions): Promise<DownloadModelResult> {
  const { url, destination, onProgress, signal } = options;
  const expectedSha = options.sha256.toLowerCase();
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const partial = `${destination}.partial`;
  if (!/^[0-9a-f]{64}$/.test(expectedSha)) {
    throw new TypeError(`downloadModel: sha256 must be 64 hex digits, got "${options.sha256}"`);
  }
  if (signal?.aborted) throw abortedError(url, signal.reason);
  const refusal = options.mayUseNetwork(url);
  if (refusal !== undefined) throw new ModelDownloadError('offline', `Not downloading ${url}: ${refusal}`);

  // One controller for the whole transfer: the caller's signal and the stall watchdog both end it.
  const transfer = new AbortController();
  let stalled = false;
  let watchdog: NodeJS.Timeout | undefined;
  const armWatchdog = (): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      stalled = true;
      transfer.abort();
    }, stallTimeoutMs);
  };
  const onCallerAbort = (): void => transfer.abort();
  signal?.addEventListener('abort', onCallerAbort, { once: true });

  // Names why the transfer ended: the caller cancelled, the watchdog fired, or the network failed.
  const transferError = (error: unknown): ModelDownloadError => {
    if (signal?.aborted) return abortedError(url, signal.reason);
    if (stalled) {
      return new ModelDownloadError('stalled', `Download of ${url} stalled: no data for ${stallTimeoutMs} ms`, { cause: error });
    }
    const detail = error instanceof Error ? describeNetworkError(error) : String(error);
    return new ModelDownloadError('network', `Download of ${url} failed: ${detail}`, { cause: error });
  };

  await mkdir(dirname(destination), { recursive: true });
  const file = await open(partial, 'w');
  let fileClosed = false;
  try {
    armWatchdog();
    let response: Response;
    try {
      response = await fetch(url, { signal: transfer.signal, redirect: 'follow' });
    } catch (error) {
      throw transferError(error);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new ModelDownloadError('http', `Download of ${url} failed: HTTP ${response.status} ${response.statusText}`.trimEnd());
    }

    const contentLength = parseContentLength(response.headers.get('content-length'));
    if (options.sizeBytes !== undefined && contentLength !== undefined && contentLength !== options.sizeBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new ModelDownloadError(
        'size',
        `Download of ${url} refused: the server announces ${contentLength} bytes, expected ${options.sizeBytes}`,
      );
    }
    const totalBytes = options.sizeBytes ?? contentLength;

    const hash = createHash('sha256');
    let receivedBytes = 0;
    onProgress?.({ receivedBytes, totalBytes });
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        // Only the read is the network's doing; disk and callback errors keep their own message.
        const next = await reader.read().catch((error: unknown) => {
          throw transferError(error);
        });
        if (next.done) break;
        const chunk = next.value;
        armWatchdog();
        receivedBytes += chunk.byteLength;
        // Stop early rather than fill the disk with a file that cannot be the right one.
        if (options.sizeBytes !== undefined && receivedBytes > options.sizeBytes) {
          throw new ModelDownloadError('size', `Download of ${url} refused: more than the expected ${options.sizeBytes} bytes`);
        }
        hash.update(chunk);
        await file.write(chunk);
        onProgress?.({ receivedBytes, totalBytes });
      }
    }
    clearTimeout(watchdog);

    if (options.sizeBytes !== undefined && receivedBytes !== options.sizeBytes) {
      throw new ModelDownloadError('size', `Download of ${url} is incomplete: got ${receivedBytes} bytes, expected ${options.sizeBytes}`);
    }
    const actualSha = hash.digest('hex');
    if (actualSha !== expectedSha) {
      throw new ModelDownloadError(
        'checksum',
        `Download of ${url} refused: sha256 mismatch (expected ${expectedSha}, actual ${actualSha}); nothing was written to ${destination}`,
      );
    }
    // Flush before the rename so a power cut cannot leave a renamed but empty file.
    await file.sync();
    await file.close();
    fileClosed = true;
    await rename(partial, destination);
    return { path: destination, sizeBytes: receivedBytes, sha256: actualSha };
  } catch (error) {
    transfer.abort(); // drops the connection if the failure was ours (size, disk), not the network's
    if (!fileClosed) await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  } finally {
    clearTimeout(watchdog);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

function abortedError(url: string, reason: unknown): ModelDownloadError {
  return new ModelDownloadError('aborted', `Download of ${url} was cancelled`, { cause: reason });
}

function parseContentLength(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

// fetch reports every network failure as "fetch failed"; the useful part is in `cause`.
function describeNetworkError(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) return `${error.message} (${cause.message})`;
  return error.message;
}
