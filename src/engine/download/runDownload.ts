// One model download with node-llama-cpp's downloader (`createModelDownloader`, built on ipull:
// several connections per file, progress, resume from its own `.ipull` record), wrapped in what
// Hearth needs around it: a lock per file, a free-space check, a stall watchdog, no credentials
// ever, a staging name so nothing unchecked ever carries the final `.gguf` name, and the checks
// in verifyModelFile.ts before the rename.
//
// Files, for `<name>.gguf` (see PARTIAL_SUFFIX in the protocol):
//   <name>.gguf.partial.ipull  while downloading: the bytes so far and ipull's record of finished
//                              chunks (appended after the data); kept on cancel, stall, network
//                              failure, a killed process or a reloaded window, and resumed from
//   <name>.gguf.partial        ipull's finished file, not yet checked
//   <name>.gguf                only after every check passed
import { mkdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { ModelDownloader } from 'node-llama-cpp';
import {
  LOCK_SUFFIX,
  RESUME_SUFFIX,
  partialFileName,
  type DownloadDoneMessage,
  type DownloadFailedMessage,
  type DownloadProgressMessage,
  type DownloadStartRequest,
} from '../../common/protocol/downloadProtocol';
import { formatExactBytes } from '../../common/formatBytes';
import { acquireDownloadLock } from './downloadLock';
import { DownloadFailure, classifyDownloadError, diskShortage, isSplitModelUrl, redirectedOrigin } from './downloadChecks';
import { verifyModelFile } from './verifyModelFile';
import { ABORTED, unlessAborted } from '../../common/unlessAborted';

export type DownloadOutcome = DownloadDoneMessage | DownloadFailedMessage;

export interface DownloadRunHooks {
  readonly progress: (message: DownloadProgressMessage) => void;
  /** Aborted when the host cancels or goes away: stop, keep what was downloaded. */
  readonly signal: AbortSignal;
  /** Free bytes in a folder; `fs.statfs` by default. */
  readonly freeBytes?: (directory: string) => Promise<number>;
  /** Least time between two progress messages. Default 200 ms. */
  readonly progressIntervalMs?: number;
}

/**
 * node-llama-cpp sends a Hugging Face token it finds (HF_TOKEN, or the token file under HF_HOME /
 * XDG_CACHE_HOME) to whatever host it takes for Hugging Face, and HF_ENDPOINT / MODEL_ENDPOINT can
 * make that any host (node-llama-cpp dist/utils/modelFileAccessTokens.js, resolveHfToken;
 * dist/utils/modelDownloadEndpoints.js, resolveHuggingFaceEndpoint). `huggingFace: null` is the
 * library's own "do not look for one" (resolveHfToken returns a provided token as is, and a null
 * one adds no header); its type only says string, hence the cast. The endpoint is pinned so the
 * environment cannot redirect anything either.
 */
const NO_TOKENS = { huggingFace: null as unknown as string };
const PINNED_ENDPOINTS = { huggingFace: 'https://huggingface.co/' };

/** A size mismatch announced up front is refused at once, unless the body is small enough to fetch and say what it is (a web page, usually). */
const SNIFF_LIMIT_BYTES = 4 * 1024 * 1024;

export async function runDownload(request: DownloadStartRequest, hooks: DownloadRunHooks): Promise<DownloadOutcome> {
  const { directory, fileName, url } = request;
  const finalPath = join(directory, fileName);
  const partialName = partialFileName(fileName);
  const partialPath = join(directory, partialName);
  const resumePath = join(directory, `${fileName}${RESUME_SUFFIX}`);
  const lockPath = join(directory, `${fileName}${LOCK_SUFFIX}`);

  const state = { contacted: false, resumedFromBytes: 0, downloadedBytes: 0, totalBytes: null as number | null, redirectedTo: null as string | null };
  const failed = async (failure: DownloadFailure, keepPartial: boolean): Promise<DownloadFailedMessage> => {
    if (!keepPartial) await removeQuietly(partialPath, resumePath);
    const partialKept = keepPartial && ((await exists(resumePath)) || (await exists(partialPath)));
    return {
      type: 'failed',
      code: failure.code,
      message: failure.message,
      contacted: state.contacted,
      receivedBytes: Math.max(0, state.downloadedBytes - state.resumedFromBytes),
      partialKept,
      redirectedTo: state.redirectedTo,
    };
  };

  if (!isAbsolute(directory)) return failed(new DownloadFailure('badRequest', `the download folder must be an absolute path, got "${directory}"`), true);
  if (isSplitModelUrl(url)) {
    return failed(new DownloadFailure('badRequest', `${url} is one part of a model split into several files, which Hearth does not download`), true);
  }
  await mkdir(directory, { recursive: true });

  const lock = await acquireDownloadLock(lockPath);
  if (!lock.acquired) {
    return failed(
      new DownloadFailure('busy', `${fileName} is already being downloaded by another Hearth process (pid ${lock.heldBy}); if none is running, delete ${lockPath}`),
      true,
    );
  }
  try {
    const expect = { ...(request.expectedSizeBytes === undefined ? {} : { expectedSizeBytes: request.expectedSizeBytes }), sha256: request.sha256 };
    const throttle = progressThrottle(hooks.progressIntervalMs ?? 200, hooks.progress);

    // Already downloaded (an earlier run, another window): check it and stop, with no request at all.
    if (await exists(finalPath)) {
      const present = await verifyModelFile(finalPath, expect, {
        signal: hooks.signal,
        onHashed: (bytes, total) => throttle({ type: 'progress', phase: 'verifying', receivedBytes: bytes, totalBytes: total, resumedFromBytes: 0, redirectedTo: null }),
      }).catch(() => undefined);
      if (present !== undefined) {
        return { type: 'done', path: finalPath, ...present, receivedBytes: 0, resumedFromBytes: 0, alreadyPresent: true, redirectedTo: null };
      }
      // Not the pinned file: a verified download replaces it below.
    }

    const freeBytes = hooks.freeBytes ?? defaultFreeBytes;
    if (request.expectedSizeBytes !== undefined) {
      const shortage = diskShortage(Math.max(0, request.expectedSizeBytes - (await allocatedBytes(resumePath))), await freeBytes(directory), directory);
      if (shortage !== undefined) return failed(shortage, true);
    }
    if (hooks.signal.aborted) return failed(new DownloadFailure('cancelled', 'cancelled before the download started'), true);

    const transfer = await transferFile(request, partialName, state, hooks, throttle, freeBytes);
    if (transfer instanceof DownloadFailure) {
      return failed(transfer, transfer.code === 'cancelled' || transfer.code === 'stalled' || transfer.code === 'network' || transfer.code === 'diskSpace');
    }

    let verified;
    try {
      verified = await verifyModelFile(transfer, expect, {
        signal: hooks.signal,
        onHashed: (bytes, total) =>
          throttle({ type: 'progress', phase: 'verifying', receivedBytes: bytes, totalBytes: total, resumedFromBytes: 0, redirectedTo: state.redirectedTo }),
      });
    } catch (error) {
      const failure = error instanceof DownloadFailure ? error : classifyDownloadError(error, url);
      // Cancelled while hashing: the complete file stays (as .partial) and is only checked next time.
      return failed(failure, failure.code === 'cancelled');
    }
    if (transfer !== finalPath) await rename(transfer, finalPath);
    return {
      type: 'done',
      path: finalPath,
      ...verified,
      receivedBytes: Math.max(0, state.downloadedBytes - state.resumedFromBytes),
      resumedFromBytes: state.resumedFromBytes,
      alreadyPresent: false,
      redirectedTo: state.redirectedTo,
    };
  } catch (error) {
    return failed(classifyDownloadError(error, url), true);
  } finally {
    await lock.release();
  }
}

/** Downloads to `<fileName>.partial`; returns its path, or the failure. */
async function transferFile(
  request: DownloadStartRequest,
  partialName: string,
  state: { contacted: boolean; resumedFromBytes: number; downloadedBytes: number; totalBytes: number | null; redirectedTo: string | null },
  hooks: DownloadRunHooks,
  throttle: ProgressThrottle,
  freeBytes: (directory: string) => Promise<number>,
): Promise<string | DownloadFailure> {
  const { url, directory } = request;
  const stop = new AbortController();
  let stalled = false;
  let watchdog: NodeJS.Timeout | undefined;
  const armWatchdog = (): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      stalled = true;
      stop.abort();
    }, request.stallTimeoutMs);
  };
  const onHostAbort = (): void => stop.abort();
  hooks.signal.addEventListener('abort', onHostAbort, { once: true });
  const stopped = (): DownloadFailure =>
    stalled
      ? new DownloadFailure(
          'stalled',
          `no data arrived from ${new URL(url).host} for ${Math.round(request.stallTimeoutMs / 1000)} s (the server may be down or the connection lost); what was downloaded is kept and the next try resumes`,
        )
      : new DownloadFailure('cancelled', 'cancelled; what was downloaded is kept and the next try resumes');

  const report = (phase: DownloadProgressMessage['phase'], force = false): void =>
    throttle(
      {
        type: 'progress',
        phase,
        receivedBytes: state.downloadedBytes,
        totalBytes: state.totalBytes,
        resumedFromBytes: state.resumedFromBytes,
        redirectedTo: state.redirectedTo,
      },
      force,
    );

  let downloader: ModelDownloader | undefined;
  try {
    armWatchdog();
    report('connecting', true);
    const { createModelDownloader } = await import('node-llama-cpp');
    state.contacted = true;
    // Asks the server for the size (and follows redirects) before returning.
    const created = await unlessAborted(
      createModelDownloader({
        modelUri: url,
        dirPath: directory,
        fileName: partialName,
        headers: {},
        tokens: NO_TOKENS,
        endpoints: PINNED_ENDPOINTS,
        showCliProgress: false,
        // Keep the .ipull file on cancel: it is what the next run resumes from.
        deleteTempFileOnCancel: false,
        // A finished but unchecked <name>.partial (the process stopped before the checks) is checked, not fetched again.
        skipExisting: true,
        parallelDownloads: request.parallelConnections,
        onProgress: ({ totalSize, downloadedSize }) => {
          if (downloadedSize !== state.downloadedBytes) armWatchdog();
          state.downloadedBytes = downloadedSize;
          if (totalSize > 0) state.totalBytes = totalSize;
          report('downloading');
        },
      }),
      stop.signal,
    );
    if (created === ABORTED) return stopped();
    downloader = created;

    state.totalBytes = downloader.totalSize > 0 ? downloader.totalSize : null;
    state.resumedFromBytes = downloader.downloadedSize;
    state.downloadedBytes = downloader.downloadedSize;
    state.redirectedTo = redirectedOrigin(downloader, url);

    const expected = request.expectedSizeBytes;
    if (expected !== undefined && state.totalBytes !== null && state.totalBytes !== expected && state.totalBytes > SNIFF_LIMIT_BYTES) {
      await downloader.cancel({ deleteTempFile: true });
      return new DownloadFailure(
        'size',
        `the server announces ${formatExactBytes(state.totalBytes)} for ${url}, the catalog pins ${formatExactBytes(expected)} (a different file); nothing was downloaded`,
      );
    }
    if (expected === undefined && state.totalBytes !== null) {
      const shortage = diskShortage(state.totalBytes - state.resumedFromBytes, await freeBytes(directory), directory);
      if (shortage !== undefined) {
        await downloader.cancel({ deleteTempFile: false });
        return shortage;
      }
    }

    report('downloading', true);
    // Not awaited to the end on abort: ipull's cancel does not break a connection's retry loop
    // (up to 150 tries), so download() can stay pending long after it; the process exits instead.
    const path = await unlessAborted(downloader.download({ signal: stop.signal }), stop.signal);
    if (path === ABORTED || stop.signal.aborted) {
      await downloader.cancel({ deleteTempFile: false }).catch(() => undefined);
      return stopped();
    }
    state.downloadedBytes = downloader.downloadedSize;
    report('downloading', true);
    return path;
  } catch (error) {
    if (stop.signal.aborted) {
      await downloader?.cancel({ deleteTempFile: false }).catch(() => undefined);
      return stopped();
    }
    const failure = classifyDownloadError(error, url);
    const keep = failure.code === 'network' || failure.code === 'diskSpace';
    await downloader?.cancel({ deleteTempFile: !keep }).catch(() => undefined);
    return failure;
  } finally {
    clearTimeout(watchdog);
    hooks.signal.removeEventListener('abort', onHostAbort);
  }
}

type ProgressThrottle = (message: DownloadProgressMessage, force?: boolean) => void;

/**
 * Passes a message on at most every `intervalMs`, except forced ones and phase changes; a message
 * held back is sent when the interval ends unless a newer one replaced it, so the last state is
 * never lost when the updates stop (a stalled connection).
 */
function progressThrottle(intervalMs: number, send: (message: DownloadProgressMessage) => void): ProgressThrottle {
  let last = 0;
  let lastPhase: DownloadProgressMessage['phase'] | undefined;
  let pending: DownloadProgressMessage | undefined;
  let timer: NodeJS.Timeout | undefined;
  const sendNow = (message: DownloadProgressMessage): void => {
    clearTimeout(timer);
    timer = undefined;
    pending = undefined;
    last = Date.now();
    lastPhase = message.phase;
    send(message);
  };
  return (message, force = false) => {
    const now = Date.now();
    if (force || message.phase !== lastPhase || now - last >= intervalMs) {
      sendNow(message);
      return;
    }
    pending = message;
    timer ??= setTimeout(() => {
      timer = undefined;
      if (pending !== undefined) sendNow(pending);
    }, intervalMs - (now - last));
    // A held-back update must not keep the process alive on its own.
    timer.unref();
  };
}

async function defaultFreeBytes(directory: string): Promise<number> {
  const stats = await statfs(directory);
  return stats.bavail * stats.bsize;
}

/** Disk space a partial file already holds (its blocks, as it may be sparse). */
async function allocatedBytes(path: string): Promise<number> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) return 0;
  return typeof stats.blocks === 'number' ? Math.min(stats.size, stats.blocks * 512) : stats.size;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function removeQuietly(...paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { force: true }).catch(() => undefined)));
}
