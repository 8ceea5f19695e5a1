// Downloads one model file: applies the mirror setting, asks the privacy policy, starts the
// download process (dist/download.mjs) and relays its progress, cancels it on request, and writes
// what happened to the privacy ledger. No `vscode` here (the notification is in
// downloadModelCommand.ts), so unit tests drive it with a fake process and the engine tests with
// the real one.
import {
  downloadStartMessage,
  type DownloadDoneMessage,
  type DownloadErrorCode,
  type DownloadFailedMessage,
  type DownloadProgressMessage,
} from '../../common/protocol/downloadProtocol';
import type { DownloadEntry } from '../../common/policy/ledgerEntry';
import type { DownloadWorker, DownloadWorkerExit } from './downloadWorker';
import { applyMirror } from './modelMirror';

export interface ModelDownloadRequest {
  /** The catalog URL (https://huggingface.co/…); the mirror setting is applied to it here. */
  readonly url: string;
  readonly fileName: string;
  /** Absolute folder the file goes to. */
  readonly directory: string;
  /** Pinned sha256 (hex), or null. */
  readonly sha256: string | null;
  /** Pinned size; omit when no source confirmed it. */
  readonly sizeBytes?: number;
  readonly parallelConnections?: number;
  readonly stallTimeoutMs?: number;
}

/** The part of a cancellation token this needs; `vscode.CancellationToken` fits. */
export interface CancellationLike {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}

export interface ModelDownloadDeps {
  /** The privacy policy's gate (PolicyService.mayUseNetwork): a reason to refuse, or undefined. */
  readonly mayUseNetwork: (url: string) => string | undefined;
  /** The `hearth.models.mirror` setting; empty or absent: Hugging Face. */
  readonly mirror?: string;
  /** Starts the download process (forkDownloadWorker with the bundle's path). */
  readonly startWorker: () => DownloadWorker;
  /** Where each download that reached the network is recorded (the privacy ledger). */
  readonly ledger?: { append(entry: DownloadEntry): Promise<void> };
  readonly onProgress?: (progress: DownloadProgressMessage) => void;
  readonly token?: CancellationLike;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  readonly now?: () => Date;
  /** How long a cancelled process may take to stop before it is killed. Default 10 s. */
  readonly cancelGraceMs?: number;
}

export interface ModelDownloadResult extends Omit<DownloadDoneMessage, 'type'> {
  /** The URL that was fetched (after the mirror setting). */
  readonly url: string;
  readonly mirrored: boolean;
}

export class ModelDownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    /** Whether what was downloaded is kept, so that the next try resumes. */
    readonly partialKept = false,
  ) {
    super(message);
    this.name = 'ModelDownloadError';
  }
}

export const DEFAULT_CANCEL_GRACE_MS = 10_000;

export async function downloadModelFile(request: ModelDownloadRequest, deps: ModelDownloadDeps): Promise<ModelDownloadResult> {
  const log = deps.log ?? (() => undefined);
  let target: { url: string; mirrored: boolean };
  try {
    target = applyMirror(request.url, deps.mirror ?? '');
  } catch (error) {
    throw new ModelDownloadError('badRequest', `Could not download ${request.fileName}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const start = downloadStartMessage.safeParse({
    type: 'start',
    url: target.url,
    directory: request.directory,
    fileName: request.fileName,
    expectedSizeBytes: request.sizeBytes,
    sha256: request.sha256,
    ...(request.parallelConnections === undefined ? {} : { parallelConnections: request.parallelConnections }),
    ...(request.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: request.stallTimeoutMs }),
  });
  if (!start.success) {
    const problems = start.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ModelDownloadError('badRequest', `Could not download ${request.fileName}: ${problems}`);
  }

  // The gate, before anything starts: an offline policy means no process and no request.
  const refusal = deps.mayUseNetwork(target.url);
  if (refusal !== undefined) throw new ModelDownloadError('offline', `Not downloading ${request.fileName}: ${refusal}.`);
  if (deps.token?.isCancellationRequested) throw new ModelDownloadError('cancelled', `The download of ${request.fileName} was cancelled.`);

  const sourceHost = new URL(target.url).host;
  log('info', `Downloading ${request.fileName} from ${target.url}${target.mirrored ? ' (mirror)' : ''} to ${request.directory}.`);
  const outcome = await runWorker(start.data, deps);

  if (outcome.type === 'done') {
    if (outcome.alreadyPresent) {
      log('info', `${request.fileName} is already in ${request.directory} and checks out; nothing was downloaded.`);
    } else {
      await record(deps, request, target, sourceHost, {
        outcome: 'downloaded',
        bytes: outcome.receivedBytes,
        sizeBytes: outcome.sizeBytes,
        resumedFromBytes: outcome.resumedFromBytes,
        sha256: outcome.sha256,
        sha256Verified: outcome.sha256Verified,
        redirectedTo: outcome.redirectedTo,
      });
      log('info', `Downloaded ${request.fileName} (${outcome.sizeBytes} bytes, sha256 ${outcome.sha256}${outcome.sha256Verified ? ' verified' : ', none pinned'}).`);
    }
    const { type: _type, ...done } = outcome;
    return { ...done, url: target.url, mirrored: target.mirrored };
  }

  if (outcome.contacted) {
    await record(deps, request, target, sourceHost, {
      outcome: outcome.code === 'cancelled' ? 'cancelled' : 'failed',
      bytes: outcome.receivedBytes,
      redirectedTo: outcome.redirectedTo,
      ...(outcome.code === 'cancelled' ? {} : { error: outcome.message }),
    });
  }
  const message =
    outcome.code === 'cancelled'
      ? `The download of ${request.fileName} was cancelled.${outcome.partialKept ? ' What was downloaded is kept: downloading it again continues from there.' : ''}`
      : `Could not download ${request.fileName}: ${outcome.message}`;
  log(outcome.code === 'cancelled' ? 'info' : 'error', message);
  throw new ModelDownloadError(outcome.code, message, outcome.partialKept);
}

/** Starts the process, relays progress and cancellation, and resolves with its one result. */
function runWorker(start: ReturnType<typeof downloadStartMessage.parse>, deps: ModelDownloadDeps): Promise<DownloadDoneMessage | DownloadFailedMessage> {
  return new Promise((resolve) => {
    const worker = deps.startWorker();
    let result: DownloadDoneMessage | DownloadFailedMessage | undefined;
    let cancelRequested = false;
    let killTimer: NodeJS.Timeout | undefined;

    const cancel = (): void => {
      if (cancelRequested || result !== undefined) return;
      cancelRequested = true;
      worker.send({ type: 'cancel' });
      // It stops within moments (its files closed, the partial file kept); if not, end it: the partial file stays resumable.
      killTimer = setTimeout(() => worker.kill(), deps.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS);
    };
    const subscription = deps.token?.onCancellationRequested(cancel);

    worker.onMessage((message) => {
      if (result !== undefined) return;
      if (message.type === 'progress') {
        deps.onProgress?.(message);
        return;
      }
      result = message;
    });
    worker.onExit((exit) => {
      clearTimeout(killTimer);
      subscription?.dispose();
      resolve(result ?? exitedWithoutResult(exit, cancelRequested));
    });
    worker.send({ ...start });
    if (deps.token?.isCancellationRequested) cancel();
  });
}

function exitedWithoutResult(exit: DownloadWorkerExit, cancelRequested: boolean): DownloadFailedMessage {
  const how = exit.signal !== null ? `was killed (${exit.signal})` : exit.code === null ? 'could not be started' : `exited with code ${exit.code}`;
  return {
    type: 'failed',
    code: cancelRequested ? 'cancelled' : 'crashed',
    message: cancelRequested ? 'cancelled' : `the download process ${how} before it finished; what was downloaded is kept and the next try resumes`,
    // Unknown: it was given the URL, so count it as having reached the network.
    contacted: exit.code !== null || exit.signal !== null,
    receivedBytes: 0,
    partialKept: true,
    redirectedTo: null,
  };
}

async function record(
  deps: ModelDownloadDeps,
  request: ModelDownloadRequest,
  target: { url: string; mirrored: boolean },
  sourceHost: string,
  details: {
    outcome: DownloadEntry['outcome'];
    bytes: number;
    redirectedTo: string | null;
    sizeBytes?: number;
    resumedFromBytes?: number;
    sha256?: string;
    sha256Verified?: boolean;
    error?: string;
  },
): Promise<void> {
  if (deps.ledger === undefined) return;
  const url = new URL(target.url);
  const { redirectedTo, resumedFromBytes, ...rest } = details;
  const entry: DownloadEntry = {
    v: 1,
    kind: 'download',
    time: (deps.now ?? (() => new Date()))().toISOString(),
    // No query string: it could carry a signature.
    url: `${url.origin}${url.pathname}`,
    sourceHost,
    ...(redirectedTo === null ? {} : { redirectHost: new URL(redirectedTo).host }),
    mirror: target.mirrored,
    fileName: request.fileName,
    ...rest,
    ...(resumedFromBytes ? { resumedFromBytes } : {}),
  };
  try {
    await deps.ledger.append(entry);
  } catch (error) {
    deps.log?.('error', `Could not write the download of ${request.fileName} to the privacy ledger: ${error instanceof Error ? error.message : String(error)}`);
  }
}
